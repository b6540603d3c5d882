// The Azure/docker-login anchor: what Azure/docker-login does (its main step, reduced to its essentials): the
// toolkit, then the docker config file written with an auths entry, DOCKER_CONFIG exported. No request at all.
'use strict';
const core = require('@actions/core');
const fs = require('node:fs');
const path = require('node:path');

function run() {
  const server = core.getInput('login-server', { required: true });
  const username = core.getInput('username', { required: true });
  const password = core.getInput('password', { required: true });
  core.setSecret(password);
  const dir = process.env.DOCKER_CONFIG;
  const file = path.join(dir, 'config.json');
  let config = {};
  if (fs.existsSync(file)) config = JSON.parse(fs.readFileSync(file, 'utf8'));
  config.auths = { ...config.auths, [server]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  core.exportVariable('DOCKER_CONFIG', dir);
  core.info('DOCKER_CONFIG environment variable is set');
}

try {
  run();
} catch (error) {
  core.setFailed(error.message);
}
