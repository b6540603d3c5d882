// Run by Windows node.exe under Wine: what docker does with a `credHelpers` entry on Windows, docker itself not being
// available there. Go's exec.LookPath finds `docker-credential-<name>` in PATH trying each PATHEXT extension, and
// CreateProcess runs a .cmd through cmd.exe; the action (`get`) is the only argument, the server goes on stdin, the
// answer comes back on stdout. Usage: credential-lookup.cjs NAME ACTION (stdin: what docker sends).
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS script for Windows node */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const [name, action] = process.argv.slice(2);
const file = `docker-credential-${name}`;

function lookPath() {
  const extensions = (process.env.PATHEXT || '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean);
  for (const dir of (process.env.PATH || '').split(';').filter(Boolean)) {
    for (const extension of extensions) {
      const candidate = path.join(dir, file + extension.toLowerCase());
      if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
    }
  }
  return undefined;
}

const found = lookPath();
if (!found) {
  process.stderr.write(`exec: "${file}": executable file not found in %PATH%\n`);
  process.exit(1);
}
process.stderr.write(`found ${found}\n`);
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => answer(Buffer.concat(chunks)));

function answer(input) {
  const run = /\.(cmd|bat)$/i.test(found)
    ? spawnSync(process.env.ComSpec || 'cmd.exe', ['/d', '/s', '/c', `""${found}" ${action}"`], { input, windowsVerbatimArguments: true })
    : spawnSync(found, [action], { input });
  if (run.error) {
    process.stderr.write(`${run.error.message}\n`);
    process.exit(1);
  }
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  process.exit(run.status ?? 1);
}
