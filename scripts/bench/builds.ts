// The builds the benchmark runs: the one under test (--dist) and, with --compare DIR or --compare-ref REF,
// the one it is compared with. --compare-ref checks REF out with `git worktree add` into a temp dir,
// links this checkout's node_modules in and runs `npm run build` there.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Build } from './results';

/** The repository root: scripts/bench/ in the source, build/bench/ once run-ts.js has bundled it. */
export const ROOT = join(__dirname, '..', '..');

export interface PreparedBuild {
  build: Build;
  /** Removes what was made for it (the temporary worktree); safe to call twice. */
  remove(): void;
}

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function checkBundle(dir: string, flag: string): void {
  if (!existsSync(join(dir, 'index.js'))) throw new Error(`${join(dir, 'index.js')} does not exist (${flag}): run npm run build`);
}

function shown(dir: string): string {
  const rel = relative(ROOT, dir);
  return rel.startsWith('..') ? `${dir}/` : `${rel}/`;
}

/** The build under test; when it is this checkout's, its label names the commit (and says when src/ or it has changed since). */
export function buildUnderTest(dir: string): Build {
  checkBundle(dir, '--dist');
  let label = shown(dir);
  if (!label.startsWith('/')) {
    try {
      const changed = git(['status', '--porcelain', '--', 'src', relative(ROOT, dir)]) !== '';
      label += ` at ${git(['rev-parse', '--short', 'HEAD'])}${changed ? ' + changes' : ''}`;
    } catch {
      // not a git checkout: the directory alone names it
    }
  }
  return { role: 'after', label, dir };
}

export async function buildToCompare(
  compare: { dir: string } | { ref: string } | undefined,
  log: (line: string) => void
): Promise<PreparedBuild | undefined> {
  if (compare === undefined) return undefined;
  if ('dir' in compare) {
    checkBundle(compare.dir, '--compare');
    return { build: { role: 'before', label: shown(compare.dir), dir: compare.dir }, remove: () => undefined };
  }
  return buildRevision(compare.ref, log);
}

async function buildRevision(ref: string, log: (line: string) => void): Promise<PreparedBuild> {
  let sha: string;
  try {
    sha = git(['rev-parse', '--verify', `${ref}^{commit}`]);
  } catch {
    throw new Error(`--compare-ref: '${ref}' names no commit here`);
  }
  const tree = mkdtempSync(join(tmpdir(), 'acr-login-bench-ref-'));
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    rmSync(join(tree, 'node_modules'), { force: true }); // the link only, before git removes the tree
    try {
      git(['worktree', 'remove', '--force', tree]);
    } catch {
      rmSync(tree, { recursive: true, force: true });
      git(['worktree', 'prune']);
    }
  };
  try {
    git(['worktree', 'add', '--detach', '--quiet', tree, sha]);
    symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(tree, 'node_modules'), 'dir');
    log(`  building ${ref} (${sha.slice(0, 7)}) in ${tree}: npm run build`);
    await npmRunBuild(tree);
    checkBundle(join(tree, 'dist'), '--compare-ref');
  } catch (error) {
    remove();
    throw error;
  }
  return { build: { role: 'before', label: `${ref} (${sha.slice(0, 7)})`, dir: join(tree, 'dist') }, remove };
}

/** `npm run build` in dir; its output goes to our stderr so that stdout stays the report. */
function npmRunBuild(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'build', '--silent'], { cwd: dir, stdio: ['ignore', 2, 2] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build in ${dir} exited with ${code}`))));
  });
}
