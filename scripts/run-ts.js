// Runs a TypeScript script (and what it imports, e.g. test/support/) without ts-node:
// bundles it with the installed @vercel/ncc into build/<name>/index.js, then runs that with node.
//   node scripts/run-ts.js scripts/bench.ts -- --quick --json out.json
// The bundle sits two levels below the repository root, as the script itself does, so
// `join(__dirname, '..', '..')` still names the root. The exit code is the script's.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

const argv = process.argv.slice(2);
const separator = argv.indexOf('--');
const [entry, ...before] = separator === -1 ? argv : argv.slice(0, separator);
const args = separator === -1 ? before : [...before, ...argv.slice(separator + 1)];
if (!entry || !entry.endsWith('.ts')) {
  console.error('usage: node scripts/run-ts.js <script.ts> [-- args...]');
  process.exit(2);
}

const name = path.basename(entry, '.ts');
const out = path.join(root, 'build', name);
fs.rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [ncc, 'build', path.resolve(root, entry), '-o', out, '--transpile-only', '--source-map', '--quiet'], {
  cwd: root,
  stdio: 'inherit'
});
const result = spawnSync(process.execPath, ['--enable-source-maps', path.join(out, 'index.js'), ...args], { cwd: root, stdio: 'inherit' });
if (result.error) throw result.error;
process.exit(result.status ?? (result.signal ? 1 : 0));
