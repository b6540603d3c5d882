// Bundles each entry point with ncc into dist/ (and task/dist/ once the task exists): no node_modules needed at run time.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

const bundles = [
  { entry: 'src/github/index.ts', out: 'dist', name: 'index.js' },
  { entry: 'src/github/post-index.ts', out: 'dist', name: 'post.js' },
  { entry: 'src/azure-pipelines/main.ts', out: 'task/dist', name: 'index.js' },
  { entry: 'src/azure-pipelines/post.ts', out: 'task/dist', name: 'post.js' },
  // The command line and the credential helper: each in its own directory (their lazily loaded chunks
  // must not overwrite the action's), started by a small `#!/usr/bin/env node` launcher next to it.
  { entry: 'src/cli/main.ts', out: 'dist/cli', name: 'index.js', launcher: 'dist/cli.js' },
  { entry: 'src/credential-helper/main.ts', out: 'dist/credential-helper', name: 'index.js', launcher: 'dist/credential-helper.js' },
  {
    entry: 'src/credential-helper/main.ts',
    out: 'task/dist/credential-helper',
    name: 'index.js',
    launcher: 'task/dist/credential-helper.js'
  }
];

/** `#!/usr/bin/env node` + require of the bundle: what package.json's bin entries and `node dist/cli.js` run. */
function writeLauncher({ out, name, launcher }) {
  const target = path.join(root, launcher);
  const bundle = path
    .relative(path.dirname(target), path.join(root, out, name))
    .split(path.sep)
    .join('/');
  fs.writeFileSync(target, `#!/usr/bin/env node\n'use strict';\nrequire('./${bundle}');\n`);
  fs.chmodSync(target, 0o755);
}

function build({ entry, out, name }) {
  const staging = path.join(root, 'build', path.basename(entry, '.ts') + '-' + out.replace(/\W/g, '_'));
  fs.rmSync(staging, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      ncc,
      'build',
      entry,
      '-o',
      staging,
      '--minify',
      // `open` serves only @azure/identity's interactive browser sign-in, which no path here uses.
      '--external',
      'open',
      '--transpile-only',
      '--no-source-map-register',
      '--license',
      'licenses.txt',
      '--quiet'
    ],
    { cwd: root, stdio: 'inherit' }
  );
  for (const file of fs.readdirSync(staging)) {
    const target = file === 'index.js' ? name : file === 'licenses.txt' ? `${path.basename(name, '.js')}.licenses.txt` : file;
    const source = fs.readFileSync(path.join(staging, file));
    const content =
      file === 'licenses.txt'
        ? Buffer.from(completeLicenses(source.toString('utf8')))
        : CHUNK.test(file)
          ? Buffer.from(minifyChunk(source.toString('utf8')))
          : source;
    const destination = path.join(root, out, target);
    // Bundles sharing a directory share their lazily loaded chunks (same module, same id); a different one would break the other bundle.
    if (fs.existsSync(destination) && !fs.readFileSync(destination).equals(content))
      throw new Error(`${entry}: its chunk ${target} differs from the one another bundle put in ${out}/`);
    fs.writeFileSync(destination, content);
  }
}

/** A lazily loaded chunk (`907.index.js`): ncc's --minify reaches only the entry file. */
const CHUNK = /^\d+\.index\.js$/;

/**
 * ncc leaves the chunks as webpack wrote them, comments and whitespace included: the Entra chunk is 1.1 MB. Node reads
 * and compiles all of it before the first request to Entra ID; minified it is a third of that, and each Entra login
 * spends about 11 ms less CPU (measured with the bench's service principal row).
 */
function minifyChunk(code) {
  return esbuild.transformSync(code, { minify: true, format: 'cjs', platform: 'node', target: 'node20', legalComments: 'none' }).code;
}

/** A package of the bundle, by the name ncc's licence list gives it, when it is installed. */
function installedPackage(name) {
  const manifest = path.join(root, 'node_modules', ...name.split('/'), 'package.json');
  return /^(@[\w.-]+\/)?[\w.-]+$/.test(name) && fs.existsSync(manifest) ? JSON.parse(fs.readFileSync(manifest, 'utf8')) : undefined;
}

/**
 * ncc's licence list has only the name of a package that ships a package.json with its name below its root
 * (dist/commonjs/package.json of @azure/core-rest-pipeline 1.25 and @typespec/ts-http-runtime 0.3.11): it looks for
 * the licence there. Such an entry gets the licence and the LICENSE text of the package itself.
 */
function completeLicenses(text) {
  const lines = text.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    out.push(lines[i]);
    const manifest = installedPackage(lines[i]);
    const empty = manifest && lines[i + 1] === '' && (i + 2 >= lines.length || installedPackage(lines[i + 2]));
    if (!empty) continue;
    const licenseFile = ['LICENSE', 'LICENSE.md', 'LICENSE.txt']
      .map((name) => path.join(root, 'node_modules', ...lines[i].split('/'), name))
      .find((file) => fs.existsSync(file));
    if (!licenseFile) throw new Error(`${lines[i]}: ncc found no licence text and the package has no LICENSE file`);
    out.push(manifest.license ?? '', fs.readFileSync(licenseFile, 'utf8').trim(), '');
  }
  return out.join('\n');
}

const outputs = [...new Set(bundles.map((bundle) => bundle.out))];
for (const out of outputs) {
  fs.rmSync(path.join(root, out), { recursive: true, force: true });
  fs.mkdirSync(path.join(root, out), { recursive: true });
}
for (const bundle of bundles) {
  build(bundle);
  if (bundle.launcher) writeLauncher(bundle);
}
