// Checks that every relative link in the documentation (the *.md files at the top and in docs/)
// names a file or folder of the repository and, for a markdown file, an anchor it has.
//   node scripts/doc-links.js              exit 1 and list the broken links, if any
//   --root DIR                             check another checkout (tests)
const fs = require('node:fs');
const path = require('node:path');
const { anchorsOf, isExternal, linksOf } = require('./markdown-links');

const args = process.argv.slice(2);
const rootFlag = args.indexOf('--root');
const root = rootFlag >= 0 ? path.resolve(args.splice(rootFlag, 2)[1]) : path.join(__dirname, '..');

const markdownIn = (dir) =>
  fs.existsSync(path.join(root, dir))
    ? fs
        .readdirSync(path.join(root, dir))
        .filter((name) => name.endsWith('.md'))
        .map((name) => path.posix.join(dir, name))
    : [];
const files = [...markdownIn('.'), ...markdownIn('docs')].map((file) => path.posix.normalize(file)).sort();

const anchorCache = new Map();
const anchorsIn = (file) => {
  if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(fs.readFileSync(path.join(root, file), 'utf8')));
  return anchorCache.get(file);
};

const problems = [];
let checked = 0;
for (const file of files) {
  for (const link of linksOf(fs.readFileSync(path.join(root, file), 'utf8'))) {
    if (isExternal(link.target)) continue;
    checked += 1;
    const problem = whatIsWrong(file, link.target);
    if (problem) problems.push(`${file}:${link.line}: ${link.target}: ${problem}`);
  }
}

/** Why a relative link from `file` does not resolve, or undefined when it does. */
function whatIsWrong(file, target) {
  const hash = target.indexOf('#');
  const linkPath = decodeURIComponent(hash >= 0 ? target.slice(0, hash) : target);
  const anchor = hash >= 0 ? decodeURIComponent(target.slice(hash + 1)) : undefined;
  const resolved =
    linkPath === ''
      ? file
      : path.posix.normalize(linkPath.startsWith('/') ? linkPath.slice(1) : path.posix.join(path.posix.dirname(file), linkPath));
  if (resolved === '..' || resolved.startsWith('../')) return 'leaves the repository';
  const absolute = path.join(root, resolved);
  if (!fs.existsSync(absolute)) return `no such file or folder ${resolved}`;
  if (anchor === undefined || anchor === '' || !resolved.endsWith('.md') || fs.statSync(absolute).isDirectory()) return undefined;
  return anchorsIn(resolved).has(anchor) ? undefined : `${resolved} has no heading or anchor #${anchor}`;
}

if (problems.length > 0) {
  console.error(`${problems.length} broken documentation link(s):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`${checked} relative links in ${files.length} markdown files resolve`);
