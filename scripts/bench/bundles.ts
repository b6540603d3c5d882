// The bundle files: their sizes, which of them each path loads, and which of them hold the Entra code.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleFile, PathResult } from './results';

/** A string only @azure/identity's MSAL carries: a file with it holds the Entra code. */
const ENTRA_MARKER = '@azure/msal-node';

/** `dist/<file>` for a file of a build directory, whichever directory the build is in. */
export function shownFile(dir: string, file: string): string {
  return `dist/${file.slice(dir.length + 1)}`;
}

export function holdsEntraCode(files: string[]): boolean {
  return files.some((file) => readFileSync(file, 'utf8').includes(ENTRA_MARKER));
}

export function totalBytes(files: string[]): number {
  return files.reduce((sum, file) => sum + statSync(file).size, 0);
}

/** The .js files of a build directory (launchers left out), the main entry first; `prefix` names the directory. */
function listBundle(dir: string, prefix: string): { file: string; bytes: number }[] {
  if (!existsSync(dir)) return [];
  // Each other entry point (command line, credential helper) is a directory bundle behind a tiny launcher file.
  const entryPoints = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'index.js')))
    .map((entry) => `${entry.name}/index.js`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.js') && statSync(join(dir, f)).size >= 1024);
  return [...files, ...entryPoints]
    .sort((a, b) => (a === 'index.js' ? -1 : b === 'index.js' ? 1 : a.localeCompare(b)))
    .map((f) => ({ file: `${prefix}/${f}`, bytes: statSync(join(dir, f)).size }));
}

function note(file: string, paths: PathResult[]): string {
  const loadedBy = paths.filter((p) => p.bundleFilesLoaded.includes(file)).map((p) => p.id);
  const chunk = /\/\d+\.index\.js$/.test(file);
  const entryPoint = /dist\/([a-z-]+)\/index\.js$/.exec(file)?.[1];
  if (entryPoint) return `${entryPoint} entry point (not run here)`;
  if (file.startsWith('task/')) {
    if (file.endsWith('/index.js')) return 'Azure Pipelines task, main (not run here)';
    return chunk ? 'Azure Pipelines task, lazy chunk' : 'Azure Pipelines task (not run here)';
  }
  if (file.endsWith('/post.js')) return 'post step (logout; not run here)';
  if (!chunk && !file.endsWith('/index.js')) return 'another entry point (not run here)';
  if (loadedBy.length === paths.length) return 'main step: loaded at start by every path';
  return loadedBy.length > 0 ? `lazy chunk, loaded by ${loadedBy.join(', ')}` : 'lazy chunk, loaded by none of these paths';
}

/** The action's bundle (the build under test) and the task's, each with what it is and who loads it. */
export function bundleFiles(distDir: string, taskDistDir: string, paths: PathResult[]): BundleFile[] {
  return [...listBundle(distDir, 'dist'), ...listBundle(taskDistDir, 'task/dist')].map((b) => ({ ...b, note: note(b.file, paths) }));
}
