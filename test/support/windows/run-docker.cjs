// Run by Windows node.exe under Wine: `docker ARGS` as a later step of a Windows job runs it, with this process's
// environment (which the Wine preload restored: PATH, USERPROFILE, DOCKER_HOST), docker.exe found on PATH. Prints
// docker's stdout and stderr and exits with its exit code. Usage: run-docker.cjs ARGS...
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS script for Windows node */
'use strict';

const { spawnSync } = require('node:child_process');

const run = spawnSync('docker', process.argv.slice(2), { stdio: ['ignore', 'pipe', 'pipe'], timeout: 90000 });
process.stdout.write(run.stdout ?? '');
process.stderr.write(run.stderr ?? '');
if (run.error) process.stderr.write(`run-docker: ${run.error.message}\n`);
process.exit(run.status ?? 1);
