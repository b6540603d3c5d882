// Runs `program ...args` and ends it when this keeper's standard input closes: on the owner's stop(), or when the
// owner dies in any way (even killed), as its end of the pipe then closes. The program writes straight to the
// keeper's stdout and stderr; the keeper exits with it. Where no /bin/sh is (Windows), the stand-ins use this one.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS script run by node */
'use strict';
const { spawn } = require('node:child_process');

const [program, ...args] = process.argv.slice(2);
const child = spawn(program, args, { stdio: ['ignore', 'inherit', 'inherit'], windowsHide: true });
child.on('error', (error) => {
  process.stderr.write(`keeper: cannot start ${program}: ${error.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
const end = () => child.kill();
process.stdin.on('end', end);
process.stdin.on('close', end);
process.stdin.on('error', end);
process.stdin.resume();
