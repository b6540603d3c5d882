// One version for package.json, task/task.json and vss-extension.json.
//   node scripts/version.js            check that they agree (exit 1 when they drift)
//   node scripts/version.js 1.2.3      set all three
//   --root DIR                         work on another checkout (tests)
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
const rootFlag = args.indexOf('--root');
const root = rootFlag >= 0 ? path.resolve(args.splice(rootFlag, 2)[1]) : path.join(__dirname, '..');
const wanted = args[0];

const files = {
  'package.json': { get: (json) => json.version, set: (json, v) => (json.version = v) },
  'task/task.json': {
    get: (json) => `${json.version.Major}.${json.version.Minor}.${json.version.Patch}`,
    set: (json, v) => {
      const [Major, Minor, Patch] = v.split('.').map(Number);
      json.version = { Major, Minor, Patch };
    }
  },
  'vss-extension.json': { get: (json) => json.version, set: (json, v) => (json.version = v) }
};

const read = (file) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));

if (wanted) {
  if (!/^\d+\.\d+\.\d+$/.test(wanted)) {
    console.error(`version '${wanted}' is not MAJOR.MINOR.PATCH`);
    process.exit(2);
  }
  for (const [file, access] of Object.entries(files)) {
    const json = read(file);
    access.set(json, wanted);
    fs.writeFileSync(path.join(root, file), `${JSON.stringify(json, null, 2)}\n`);
  }
  console.log(`version ${wanted} set in ${Object.keys(files).join(', ')}`);
} else {
  const versions = Object.entries(files).map(([file, access]) => [file, access.get(read(file))]);
  const distinct = new Set(versions.map(([, version]) => version));
  if (distinct.size !== 1) {
    console.error(`versions drift: ${versions.map(([file, version]) => `${file} ${version}`).join(', ')}; run npm run version -- X.Y.Z`);
    process.exit(1);
  }
  console.log(`version ${[...distinct][0]} in ${Object.keys(files).join(', ')}`);
}
