// Run by Windows node.exe under Wine: a second process reading files over and over (as docker, an IDE or a virus scanner
// does), each time holding the file open for a moment, then as long closed, until STOP_FILE appears. Files not there yet are skipped. Prints
// {"reads":N,"failures":{"CODE":N}} on stdout. Usage: read-loop.cjs STOP_FILE FILE_OR_DIR...
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS script for Windows node */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const [stopFile, ...targets] = process.argv.slice(2);
const pause = new Int32Array(new SharedArrayBuffer(4));
let reads = 0;
const failures = {};

function filesOf(target) {
  try {
    if (!fs.statSync(target).isDirectory()) return [target];
    return fs
      .readdirSync(target)
      .filter((name) => name.endsWith('.json'))
      .map((name) => path.join(target, name));
  } catch {
    return [];
  }
}

fs.writeFileSync(`${stopFile}.started`, '');
while (!fs.existsSync(stopFile)) {
  for (const file of targets.flatMap(filesOf)) {
    let fd;
    try {
      fd = fs.openSync(file, 'r');
      fs.readFileSync(fd);
      Atomics.wait(pause, 0, 0, 3);
      reads += 1;
    } catch (error) {
      if (error.code !== 'ENOENT') failures[error.code] = (failures[error.code] || 0) + 1;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
    // As busy a reader as any (an IDE, a scanner): the file open half of the time.
    Atomics.wait(pause, 0, 0, 3);
  }
  // As any reader does, it lets go between reads (a loop that never does would hold a lone file open for good).
  Atomics.wait(pause, 0, 0, 1);
}
process.stdout.write(`${JSON.stringify({ reads, failures })}\n`);
