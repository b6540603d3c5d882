import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { LoginError } from './errors';

/** The largest private file read back (settings, records, a cached token): each is a few KiB. */
const MAX_PRIVATE_FILE_BYTES = 1024 * 1024;

const currentUid = (): number | undefined => (typeof process.getuid === 'function' ? process.getuid() : undefined);

/**
 * Creates `dir` (0700) when absent. When it exists, it is used only as this user's own: a real
 * directory (a symbolic link is not followed), owned by this user, writable by nobody else;
 * otherwise one line names it. The `acr-login` directory holding it, if any, is checked alike:
 * whoever can rename entries there could swap the directory itself.
 */
export async function ensurePrivateDir(dir: string, what: string): Promise<void> {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new LoginError(
        `cannot create the ${what} directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`
      );
    }
  }
  for (const checked of productDirs(dir)) await checkOwnDir(checked, what);
}

/** The same checks without creating anything: false when `dir` does not exist. */
export async function privateDirExists(dir: string, what: string): Promise<boolean> {
  try {
    lstatSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new LoginError(`cannot use the ${what} directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  for (const checked of productDirs(dir)) await checkOwnDir(checked, what);
  return true;
}

function productDirs(dir: string): string[] {
  const parent = dirname(dir);
  return basename(parent) === 'acr-login' ? [parent, dir] : [dir];
}

async function checkOwnDir(dir: string, what: string): Promise<void> {
  const refuse = (why: string): never => {
    throw new LoginError(`refusing the ${what} directory ${dir}: ${why}; remove it or point the XDG variable elsewhere`);
  };
  let stats;
  try {
    stats = lstatSync(dir);
  } catch (error) {
    return refuse(`cannot inspect it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (stats.isSymbolicLink()) refuse('it is a symbolic link');
  if (!stats.isDirectory()) refuse('it is not a directory');
  const uid = currentUid();
  if (uid === undefined) return;
  if (stats.uid !== uid) refuse(`it belongs to uid ${stats.uid}, not to this user (uid ${uid})`);
  if ((stats.mode & 0o022) !== 0) refuse(`group or others may write to it (mode ${(stats.mode & 0o777).toString(8)})`);
}

/**
 * The text of `path` when it is a regular file of this user (opened without following a link);
 * undefined when it is absent or anything else: a link, someone else's file, a fifo, too large.
 */
export async function readOwnFile(path: string): Promise<string | undefined> {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    const uid = currentUid();
    if (!stats.isFile() || (uid !== undefined && stats.uid !== uid) || stats.size > MAX_PRIVATE_FILE_BYTES) return undefined;
    return readFileSync(fd, 'utf8');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
