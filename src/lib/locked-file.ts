import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { LoginError } from './errors';

export interface LockOptions {
  /** How long to wait for another holder before giving up. */
  waitMs?: number;
  /** A lock file nobody has touched for this long belongs to a process that died: it is taken over. */
  staleMs?: number;
}

const DEFAULT_WAIT_MS = 20000;
const DEFAULT_STALE_MS = 30000;

/**
 * Runs `work` holding the exclusive lock file `<path>.lock`, shared with every other process that
 * edits the same file. The holder touches the lock while it works, so a slow holder is never taken
 * for a dead one. `what` names the file in errors ("docker config", "token cache", ...).
 */
export async function withFileLock<T>(path: string, what: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await fs.open(lockPath, 'wx', 0o600);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new LoginError(`cannot lock ${what} ${path}: ${(error as Error).message}`);
      }
      if (await isStale(lockPath, staleMs)) {
        await fs.rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new LoginError(`${what} ${path} stayed locked by ${lockPath} for ${waitMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
    }
  }
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      fs.utimes(lockPath, now, now).catch(() => undefined);
    },
    Math.max(1000, staleMs / 3)
  );
  heartbeat.unref();
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    await fs.rm(lockPath, { force: true });
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    return Date.now() - (await fs.stat(lockPath)).mtimeMs > staleMs;
  } catch {
    return false;
  }
}

/** Replaces `path` with `text` by writing a private (0600) temporary file next to it and renaming it. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

/** Creates `dir` if needed and makes it private to this user (0700). */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.chmod(dir, 0o700);
}

/** The JSON object in `path`; undefined when the file is absent, empty or not a JSON object. */
export async function readJsonObject(path: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the JSON object in `path` (undefined when absent or unreadable), lets `change` return the new
 * content (or undefined to leave the file as it is) and writes it back atomically, all under the
 * file's lock in a private directory. `what` names the file in errors.
 */
export async function editJsonFile(
  path: string,
  what: string,
  change: (current: Record<string, unknown> | undefined) => object | undefined
): Promise<void> {
  await ensurePrivateDir(dirname(path));
  await withFileLock(path, what, async () => {
    const next = change(await readJsonObject(path).catch(() => undefined));
    if (next === undefined) return;
    try {
      await writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`);
    } catch (error) {
      throw new LoginError(`cannot write the ${what} ${path}: ${(error as Error).message}`);
    }
  });
}
