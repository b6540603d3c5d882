// A stand-in for docker's native credential stores (docker-credential-wincred, -osxkeychain, -desktop, -secretservice,
// -pass), speaking their protocol as docker calls them: the action as the only argument, the request on stdin, the
// answer on stdout. It keeps its entries in a JSON file and refuses what the real ones refuse: wincred (and Desktop on
// Windows) a secret over 2,560 bytes ("The stub received bad data."), osxkeychain without a desktop session every store
// ("User interaction is not allowed."). Usage: credential-store-standin.cjs ENTRIES_FILE LIMIT_BYTES NO_GUI ACTION.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS script */
'use strict';

const fs = require('node:fs');

const [file, limit, noGui, action] = process.argv.slice(2);
const NOT_FOUND = 'credentials not found in native keychain';

function read() {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

function fail(message) {
  process.stdout.write(`${message}\n`);
  process.exit(1);
}

const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const input = Buffer.concat(chunks).toString('utf8').trim();
  const entries = read();
  switch (action) {
    case 'store': {
      const request = JSON.parse(input);
      if (noGui === '1') fail('User interaction is not allowed.');
      if (Number(limit) > 0 && Buffer.byteLength(request.Secret, 'utf8') > Number(limit)) fail('The stub received bad data.');
      entries[request.ServerURL] = { Username: request.Username, Secret: request.Secret };
      fs.writeFileSync(file, JSON.stringify(entries));
      return;
    }
    case 'get': {
      const entry = entries[input];
      if (!entry) fail(NOT_FOUND);
      process.stdout.write(`${JSON.stringify({ ServerURL: input, ...entry })}\n`);
      return;
    }
    case 'erase':
      if (!entries[input]) fail(NOT_FOUND);
      delete entries[input];
      fs.writeFileSync(file, JSON.stringify(entries));
      return;
    case 'list':
      process.stdout.write(
        `${JSON.stringify(Object.fromEntries(Object.entries(entries).map(([server, entry]) => [server, entry.Username])))}\n`
      );
      return;
    default:
      fail(`unknown action ${action}`);
  }
});
