// Packages the Azure Pipelines task as an Azure DevOps extension. Stages what vss-extension.json names in
// build/extension/ — the task, its icon, and the overview page (content.details) with its relative links
// made absolute, since the Marketplace cannot follow them — then makes build/vsix/*.vsix from it with
// tfx-cli, when it is installed.
//   node scripts/package.js
//   --root DIR   package another checkout (tests)
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { isExternal, linksOf } = require('./markdown-links');

const args = process.argv.slice(2);
const rootFlag = args.indexOf('--root');
const root = rootFlag >= 0 ? path.resolve(args.splice(rootFlag, 2)[1]) : path.join(__dirname, '..');
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

/** The overview page as the Marketplace shows it: links to the repository at the release tag instead of relative ones. */
function marketplaceOverview(markdown, file, repositoryUrl, tag) {
  const base = repositoryUrl.replace(/\.git$/, '').replace(/\/+$/, '');
  let result = '';
  let copied = 0;
  for (const link of linksOf(markdown)) {
    if (isExternal(link.target) || link.target.startsWith('#')) continue;
    const hash = link.target.indexOf('#');
    const linkPath = hash >= 0 ? link.target.slice(0, hash) : link.target;
    const anchor = hash >= 0 ? link.target.slice(hash) : '';
    const inRepository = path.posix.normalize(path.posix.join(path.posix.dirname(file), linkPath));
    result += `${markdown.slice(copied, link.start)}${base}/${link.image ? 'raw' : 'blob'}/${tag}/${inRepository}${anchor}`;
    copied = link.end;
  }
  return result + markdown.slice(copied);
}

const manifest = JSON.parse(fs.readFileSync(path.join(root, 'vss-extension.json'), 'utf8'));
if (!fs.existsSync(path.join(root, 'task', 'dist', 'index.js'))) {
  console.error('task/dist/index.js is missing: run npm run build first');
  process.exit(1);
}
const details = manifest.content?.details?.path;
const repositoryUrl = manifest.repository?.url || manifest.repository?.uri;
if (details && !repositoryUrl) {
  console.error(`vss-extension.json names no repository.url, which the links of the overview page ${details} need`);
  process.exit(1);
}

const stage = path.join(root, 'build', 'extension');
fs.rmSync(stage, { recursive: true, force: true });
const copy = (file) => fs.cpSync(path.join(root, file), path.join(stage, file), { recursive: true });
copy('vss-extension.json');
for (const file of manifest.files || []) copy(file.path);
for (const icon of Object.values(manifest.icons || {})) copy(icon);
if (details) {
  const overview = marketplaceOverview(fs.readFileSync(path.join(root, details), 'utf8'), details, repositoryUrl, `v${manifest.version}`);
  fs.mkdirSync(path.dirname(path.join(stage, details)), { recursive: true });
  fs.writeFileSync(path.join(stage, details), overview);
}
const staged = `Staged the extension in ${path.relative(root, stage)}/${details ? ` (overview page ${details}, linking to ${repositoryUrl} at v${manifest.version})` : ''}`;

const tfx = findTfx();
if (!tfx) {
  console.log(
    `${staged}; tfx (tfx-cli) is not installed, so no extension package was made: install it (npm install -g tfx-cli) and run npm run package again`
  );
  process.exit(0);
}
console.log(staged);
const out = path.join(root, 'build', 'vsix');
fs.mkdirSync(out, { recursive: true });
const created = spawnSync(
  tfx,
  ['extension', 'create', '--root', stage, '--manifest-globs', 'vss-extension.json', '--output-path', out, '--no-prompt'],
  {
    cwd: stage,
    stdio: 'inherit',
    shell: windows
  }
);
process.exit(created.status ?? 1);
