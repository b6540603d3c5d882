// The main script of the single-file executables (scripts/package-cli.js): the command line and the credential
// helper bundles ride along as assets, laid out as dist/ lays them out for node, next to the executable.
// One executable answers to both names: called as docker-credential-acr-login (a link or copy under that name,
// with or without .exe and the -linux-x64 / -win-x64 suffix) it is the helper, otherwise acr-login. The launcher
// `acr-login --login helper` writes runs `<executable> <its dir>/credential-helper.js ACTION`, as it would run node
// on the bundle: that is the helper too.
'use strict';
const { getAsset } = require('node:sea');
const { basename, dirname, join } = require('node:path');
const { compileFunction } = require('node:vm');

const HELPER = 'docker-credential-acr-login';
const home = dirname(process.execPath);

const commandName = (path) =>
  basename(path)
    .replace(/\.exe$/i, '')
    .replace(/-(linux|win)-x64$/, '');

const helperScript = join(home, 'credential-helper.js');
const launched = process.argv[2] === helperScript;
if (launched) process.argv.splice(2, 1);
const helper = launched || commandName(process.argv0) === HELPER || commandName(process.execPath) === HELPER;
load(helper ? 'credential-helper' : 'cli', 'index.js');

/** Runs a bundle file as node would run it from `<home>/<dir>/<name>`; its `./chunk` requires load its lazily loaded chunks. */
function load(dir, name) {
  const filename = join(home, dir, name);
  const module = { exports: {} };
  const requireHere = (id) => (id.startsWith('./') ? load(dir, id.slice(2)) : require(id));
  const run = compileFunction(getAsset(`${dir}/${name}`, 'utf8'), ['exports', 'require', 'module', '__filename', '__dirname'], {
    filename
  });
  run(module.exports, requireHere, module, filename, dirname(filename));
  return module.exports;
}
