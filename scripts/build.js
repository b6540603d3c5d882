// Bundles each entry point with ncc into dist/ (and task/dist/ once the task exists): no node_modules needed at run time.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

const bundles = [
  { entry: 'src/github/main.ts', out: 'dist', name: 'index.js' },
  { entry: 'src/github/post.ts', out: 'dist', name: 'post.js' },
  { entry: 'task/src/main.ts', out: 'task/dist', name: 'index.js' },
  { entry: 'task/src/post.ts', out: 'task/dist', name: 'post.js' }
];

function build({ entry, out, name }) {
  const staging = path.join(root, 'build', path.basename(entry, '.ts') + '-' + out.replace(/\W/g, '_'));
  fs.rmSync(staging, { recursive: true, force: true });
  execFileSync(process.execPath, [ncc, 'build', entry, '-o', staging, '--minify', '--transpile-only', '--no-source-map-register', '--license', 'licenses.txt', '--quiet'], { cwd: root, stdio: 'inherit' });
  for (const file of fs.readdirSync(staging)) {
    const target = file === 'index.js' ? name : file === 'licenses.txt' ? `${path.basename(name, '.js')}.licenses.txt` : file;
    fs.copyFileSync(path.join(staging, file), path.join(root, out, target));
  }
}

const outputs = [...new Set(bundles.map((bundle) => bundle.out))];
for (const out of outputs) {
  fs.rmSync(path.join(root, out), { recursive: true, force: true });
  fs.mkdirSync(path.join(root, out), { recursive: true });
}
for (const bundle of bundles) build(bundle);
