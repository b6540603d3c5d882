// Packages the Azure Pipelines task as an Azure DevOps extension (.vsix) in build/vsix/ with tfx-cli, when it is installed.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const windows = process.platform === 'win32';
const name = windows ? 'tfx.cmd' : 'tfx';

/** tfx from this project's node_modules (npx --no-install finds the same), else from PATH. */
function findTfx() {
  const dirs = [path.join(root, 'node_modules', '.bin'), ...(process.env.PATH || '').split(path.delimiter)];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate) && spawnSync(candidate, ['version', '--no-prompt'], { encoding: 'utf8', shell: windows }).status === 0)
      return candidate;
  }
  return undefined;
}

const tfx = findTfx();
if (!tfx) {
  console.log(
    'tfx (tfx-cli) is not installed, so no extension package was made; install it (npm install -g tfx-cli) and run npm run package again'
  );
  process.exit(0);
}
if (!fs.existsSync(path.join(root, 'task', 'dist', 'index.js'))) {
  console.error('task/dist/index.js is missing: run npm run build first');
  process.exit(1);
}
const out = path.join(root, 'build', 'vsix');
fs.mkdirSync(out, { recursive: true });
const created = spawnSync(
  tfx,
  ['extension', 'create', '--root', root, '--manifest-globs', 'vss-extension.json', '--output-path', out, '--no-prompt'],
  {
    cwd: root,
    stdio: 'inherit',
    shell: windows
  }
);
process.exit(created.status ?? 1);
