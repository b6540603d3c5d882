// Loaded first into every Windows node.exe the Wine runner (wine.ts) starts (`--require`): restores the environment
// the test asked for from the JSON file named by ACR_LOGIN_TEST_WINE_ENV. Wine drops variables whose names hold `-`
// (the runner's `INPUT_CLIENT-ID`) and sets USERPROFILE, LOCALAPPDATA, APPDATA and TEMP itself in processes started
// from Linux; here they become what a Windows runner or agent would hand over. Child processes inherit the result.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload module */
'use strict';

const fs = require('node:fs');

const ENV_FILE = 'ACR_LOGIN_TEST_WINE_ENV';
const file = process.env[ENV_FILE];
if (file) {
  const wanted = JSON.parse(fs.readFileSync(file, 'utf8')); // a missing file fails the process at start: loud, not silent
  delete process.env[ENV_FILE];
  for (const [name, value] of Object.entries(wanted)) process.env[name] = value;
}
