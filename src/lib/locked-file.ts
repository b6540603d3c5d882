import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { LoginError } from './errors';
import { ensurePrivateDir, readOwnFile } from './private-dir';
import { replaceFile } from './replace-file';

export interface LockOptions {
  /** How long to wait for a live holder before giving up; never less than twice staleMs. */
  waitMs?: number;
  /** A lock nobody has touched for this long belongs to a process that died, wherever it ran: it is taken over. */
  staleMs?: number;
}

const DEFAULT_STALE_MS = 30000;
const DEFAULT_WAIT_MS = 60000;

/** Who holds a lock: a holder on this machine whose process is gone is taken over at once. */
interface LockHolder {
  pid: number;
  host: string;
  nonce: string;
}

/**
 * Runs `work` holding the exclusive lock file `<path>.lock`, shared with every other process that
 * edits the same file. The lock names its holder (pid and host), so a holder killed on this machine
 * is taken over at once; the holder touches the lock while it works, so one on another machine is
 * taken over only once it stopped doing so for staleMs. `what` names the file in errors.
 */
export async function withFileLock<T>(path: string, what: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const waitMs = Math.max(options.waitMs ?? DEFAULT_WAIT_MS, 2 * staleMs);
  const lockPath = `${path}.lock`;
  const me = JSON.stringify({ pid: process.pid, host: hostname(), nonce: randomBytes(8).toString('hex') } satisfies LockHolder);
  await acquire(path, lockPath, me, what, waitMs, staleMs);
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
    // Only our own lock: one taken over from us (we were stopped past staleMs) now belongs to someone else.
    if ((await fs.readFile(lockPath, 'utf8').catch(() => '')) === me) await fs.rm(lockPath, { force: true });
  }
}

async function acquire(path: string, lockPath: string, me: string, what: string, waitMs: number, staleMs: number): Promise<void> {
  // The lock appears whole (holder included) by a hard link to a finished file, never half written.
  const staging = temporaryPath(lockPath);
  const deadline = Date.now() + waitMs;
  try {
    await fs.writeFile(staging, me, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    throw new LoginError(`cannot lock the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    for (;;) {
      try {
        await fs.link(staging, lockPath);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new LoginError(`cannot lock the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        }
      }
      const seen = await inspect(lockPath);
      if (seen && (seen.holderGone || Date.now() - seen.mtimeMs > staleMs)) {
        await takeOver(path, lockPath, seen.text);
        continue;
      }
      if (Date.now() > deadline) {
        const holder = seen?.holder ? ` (process ${seen.holder.pid} on ${seen.holder.host})` : '';
        throw new LoginError(`the ${what} ${path} stayed locked by ${lockPath}${holder} for ${Math.round(waitMs / 1000)} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 75));
    }
  } finally {
    await fs.rm(staging, { force: true });
  }
}

async function inspect(lockPath: string): Promise<{ text: string; holder?: LockHolder; holderGone: boolean; mtimeMs: number } | undefined> {
  try {
    const [text, stats] = await Promise.all([fs.readFile(lockPath, 'utf8'), fs.stat(lockPath)]);
    const holder = parseHolder(text);
    return {
      text,
      holder,
      holderGone: holder !== undefined && holder.host === hostname() && !isRunning(holder.pid),
      mtimeMs: stats.mtimeMs
    };
  } catch {
    return undefined; // released meanwhile
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (Number.isInteger(parsed.pid) && typeof parsed.host === 'string' && typeof parsed.nonce === 'string') return parsed as LockHolder;
  } catch {
    // a lock of an older version, or not ours: judged by its age alone
  }
  return undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a dead holder's lock. It is first renamed aside and compared with what was judged dead, so
 * a lock another waiter has taken in the meantime is put back rather than broken. The temporary
 * files the dead holder may have left (a config half written, with secrets) go too: nobody else
 * writes them without the lock.
 */
async function takeOver(path: string, lockPath: string, judged: string): Promise<void> {
  const aside = temporaryPath(lockPath);
  try {
    await fs.rename(lockPath, aside);
  } catch {
    return; // gone already
  }
  const taken = await fs.readFile(aside, 'utf8').catch(() => '');
  if (taken !== judged) await fs.link(aside, lockPath).catch(() => undefined);
  await fs.rm(aside, { force: true });
  if (taken === judged) await removeOrphans(path, lockPath);
}

async function removeOrphans(path: string, lockPath: string): Promise<void> {
  const dir = dirname(path);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const ofFile = temporaryPattern(basename(path));
  const ofLock = temporaryPattern(basename(lockPath));
  const doomed = names.filter((name) => {
    if (ofFile.test(name)) return true;
    const staged = ofLock.exec(name);
    return staged !== null && !isRunning(Number(staged[1]));
  });
  await Promise.all(doomed.map((name) => fs.rm(join(dir, name), { force: true })));
}

/** `<path>.<pid>.<random>.tmp`: a temporary file next to `path`. */
export function temporaryPath(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

function temporaryPattern(name: string): RegExp {
  return new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`);
}

/** Replaces `path` with `text` by writing a private (0600) temporary file next to it and renaming it. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temporary = temporaryPath(path);
  try {
    await fs.writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
    await replaceFile(temporary, path);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

/** The JSON object in the private file `path`; undefined when absent, empty, not a JSON object, or not this user's own regular file. */
export async function readJsonObject(path: string): Promise<Record<string, unknown> | undefined> {
  const text = await readOwnFile(path);
  if (text === undefined) return undefined;
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
  await ensurePrivateDir(dirname(path), what);
  await withFileLock(path, what, async () => {
    const next = change(await readJsonObject(path));
    if (next === undefined) return;
    try {
      await writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`);
    } catch (error) {
      throw new LoginError(`cannot write the ${what} ${path}: ${(error as Error).message}`);
    }
  });
}
