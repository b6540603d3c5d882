// Preloaded into a product process (NODE_OPTIONS=--require <this file>): when it exits, its peak resident
// memory (VmHWM, kB) goes to the file named by ACR_LOGIN_TEST_PEAK_FILE. Linux only.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload module */
const { readFileSync, writeFileSync } = require('node:fs');

process.on('exit', () => {
  const peak = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  if (process.env.ACR_LOGIN_TEST_PEAK_FILE) writeFileSync(process.env.ACR_LOGIN_TEST_PEAK_FILE, peak ? peak[1] : '');
});
