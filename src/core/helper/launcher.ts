import { accessSync, constants, promises as fs } from 'node:fs';
import { delimiter, join, resolve, win32 } from 'node:path';
import { HELPER_EXECUTABLE } from '../docker/cred-helpers';
import { LoginError } from '../../lib/errors';
import { temporaryPath } from '../../lib/locked-file';
import { ensurePrivateDir } from '../../lib/private-dir';
import { replaceFile } from '../../lib/replace-file';

/** Where the bundled credential helper is, and how this platform lets later steps find it. */
export interface HelperHost {
  /** The helper's script, e.g. `dist/credential-helper.js`. */
  script: string;
  /** A directory for the `docker-credential-acr-login` launcher. */
  binDir: string;
  /** Puts a directory on PATH for the steps that follow; false where that is impossible (a terminal). */
  addPath(dir: string): boolean;
}

export type Reachability = { how: 'on-path' | 'added'; dir: string } | { how: 'other'; path: string } | { how: 'unreachable'; dir: string };

/**
 * Writes the launcher (a script running this node on the helper bundle, so it works where no `node`
 * is on PATH) and makes sure docker can find it. docker runs it as this user, so its directory is
 * private to this user: nobody else can swap it. Whatever was at its name is replaced.
 */
export async function installLauncher(host: HelperHost, env: NodeJS.ProcessEnv): Promise<Reachability> {
  const windows = process.platform === 'win32';
  const name = windows ? `${HELPER_EXECUTABLE}.cmd` : HELPER_EXECUTABLE;
  const text = windows
    ? cmdLauncher(host.binDir, process.execPath, host.script)
    : `#!/bin/sh\n# Written by acr-login: runs its docker credential helper.\nexec ${shellQuote(process.execPath)} ${shellQuote(host.script)} "$@"\n`;
  const target = join(host.binDir, name);
  await ensurePrivateDir(host.binDir, 'credential helper launcher');
  const temporary = temporaryPath(target);
  try {
    await fs.writeFile(temporary, text, { mode: 0o700, flag: 'wx' });
    await fs.chmod(temporary, 0o700);
    await replaceFile(temporary, target);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw new LoginError(`cannot write the credential helper launcher ${target}: ${(error as Error).message}`);
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  if (dirs.some((dir) => resolve(dir) === resolve(host.binDir))) return { how: 'on-path', dir: host.binDir };
  if (host.addPath(host.binDir)) return { how: 'added', dir: host.binDir };
  const other = dirs.map((dir) => join(dir, name)).find(isExecutable);
  return other ? { how: 'other', path: other } : { how: 'unreachable', dir: host.binDir };
}

/**
 * The `.cmd` launcher. cmd.exe reads it in the OEM code page and expands every `%`, so paths are written relative to
 * the launcher itself (`%~dp0`, which cmd.exe fills in right whatever the characters): a profile folder named in
 * another script (`C:\\Users\\José`) then never appears in the file. Only a path on another drive is written whole.
 */
export function cmdLauncher(binDir: string, node: string, script: string): string {
  const fromHere = (path: string): string => {
    const relative = win32.relative(binDir, path);
    const escaped = relative.replace(/%/g, '%%');
    return win32.isAbsolute(relative) ? escaped : `%~dp0${escaped}`;
  };
  return `@"${fromHere(node)}" "${fromHere(script)}" %*\r\n`;
}

/** How to put `dir` on PATH in the shells of this platform: PowerShell and cmd on Windows, a POSIX shell elsewhere. */
export function pathHint(dir: string, os: NodeJS.Platform = process.platform): string {
  return os === 'win32' ? `PowerShell: $env:Path = "${dir};" + $env:Path; cmd: set PATH=${dir};%PATH%` : `export PATH="${dir}:$PATH"`;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
