// The docker/login-action anchor: what docker/login-action does for a username and password (its main step,
// reduced to its essentials): the toolkit, then `docker login --password-stdin` run with @actions/exec.
// The real action loads more (its bundle, buildx and AWS/GCR code it does not run): this is its lower bound.
'use strict';
const core = require('@actions/core');
const exec = require('@actions/exec');

async function run() {
  const registry = core.getInput('registry');
  const username = core.getInput('username');
  const password = core.getInput('password');
  core.setSecret(password);
  core.info(`Logging into ${registry}...`);
  const result = await exec.getExecOutput('docker', ['login', '--password-stdin', '--username', username, registry], {
    ignoreReturnCode: true,
    silent: true,
    input: Buffer.from(password)
  });
  if (result.exitCode !== 0) throw new Error(result.stderr.trim());
  core.info('Login Succeeded!');
}

run().catch((error) => core.setFailed(error.message));
