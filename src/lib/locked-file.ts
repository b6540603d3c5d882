import { randomBytes } from 'node:crypto';
import { linkSync, lstatSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, utimes, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { LoginError } from './errors';
import { orNothing, textOrEmpty } from './or-nothing';
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

/**
 * Who holds a lock. A pid means something only in its PID namespace: two containers sharing a
 * config (and a hostname) each see their own pids. So the holder names its namespace too, and is
 * taken over at once only where the waiter is on the same host, in the same namespace, and sees
 * the pid gone; anywhere else, only once it stopped touching its lock for staleMs.
 */
interface LockHolder {
  pid: number;
  host: string;
  /** `pid:[inode]` of /proc/self/ns/pid on Linux; `-` where there are no PID namespaces; absent in locks of older versions. */
  pidNamespace?: string;
  nonce: string;
}

let ownPidNamespace: string | undefined;

/** This process's PID namespace; '' on Linux when /proc cannot tell (then no holder is ever judged by its pid). */
function pidNamespace(): string {
  if (ownPidNamespace !== undefined) return ownPidNamespace;
  if (process.platform !== 'linux') return (ownPidNamespace = '-');
  try {
    ownPidNamespace = readlinkSync('/proc/self/ns/pid');
  } catch {
    ownPidNamespace = '';
  }
  return ownPidNamespace;
}

/** A holder whose pid this process can judge: same host, same (known) PID namespace. */
function isVisible(holder: LockHolder): boolean {
  return holder.host === hostname() && pidNamespace() !== '' && holder.pidNamespace === pidNamespace();
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
  const me = JSON.stringify({
    pid: process.pid,
    host: hostname(),
    pidNamespace: pidNamespace(),
    nonce: randomBytes(8).toString('hex')
  } satisfies LockHolder);
  await acquire(path, lockPath, me, what, waitMs, staleMs);
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      utimes(lockPath, now, now, () => undefined);
    },
    Math.max(1000, staleMs / 3)
  );
  heartbeat.unref();
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    // Only our own lock: one taken over from us (we were stopped past staleMs) now belongs to someone else.
    if (textOrEmpty(lockPath) === me) rmSync(lockPath, { force: true });
  }
}

async function acquire(path: string, lockPath: string, me: string, what: string, waitMs: number, staleMs: number): Promise<void> {
  // The lock appears whole (holder included) by a hard link to a finished file, never half written.
  const staging = temporaryPath(lockPath);
  const deadline = Date.now() + waitMs;
  try {
    writeStaging(staging, me, path, what);
    for (;;) {
      try {
        linkSync(staging, lockPath);
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // Removed as an orphan while we waited (it grew old): written again.
        if (code === 'ENOENT') writeStaging(staging, me, path, what);
        else if (code !== 'EEXIST') throw new LoginError(`cannot lock the ${what} ${path}: ${fileErrorText(error)}`);
      }
      const seen = inspect(lockPath);
      if (seen && (seen.holderGone || Date.now() - seen.mtimeMs > staleMs)) {
        takeOver(path, lockPath, seen, staleMs);
        continue;
      }
      if (Date.now() > deadline) {
        const holder = seen?.holder ? ` (process ${seen.holder.pid} on ${seen.holder.host})` : '';
        throw new LoginError(`the ${what} ${path} stayed locked by ${lockPath}${holder} for ${Math.round(waitMs / 1000)} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 75));
    }
  } finally {
    rmSync(staging, { force: true });
  }
}

/** The staging file of the lock; on failure (a full disk) nothing of it is left. */
function writeStaging(staging: string, me: string, path: string, what: string): void {
  try {
    writeFileSync(staging, me, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    rmSync(staging, { force: true });
    throw new LoginError(`cannot lock the ${what} ${path}: ${fileErrorText(error)}`);
  }
}

/** An errno code with what it means for the user: `ENOSPC (no space left on the device)`. */
export function fileErrorText(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const meaning: Record<string, string> = {
    ENOSPC: 'no space left on the device: free some space',
    EDQUOT: 'the disk quota is used up: free some space',
    EROFS: 'the file system is read-only',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted'
  };
  if (code && meaning[code]) return `${code} (${meaning[code]})`;
  return code ?? message;
}

interface SeenLock {
  text: string;
  holder?: LockHolder;
  holderGone: boolean;
  mtimeMs: number;
}

function inspect(lockPath: string): SeenLock | undefined {
  try {
    const text = readFileSync(lockPath, 'utf8');
    const stats = statSync(lockPath);
    const holder = parseHolder(text);
    return {
      text,
      holder,
      holderGone: holder !== undefined && isVisible(holder) && !isRunning(holder.pid),
      mtimeMs: stats.mtimeMs
    };
  } catch {
    return undefined; // released meanwhile
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (
      Number.isInteger(parsed.pid) &&
      typeof parsed.host === 'string' &&
      typeof parsed.nonce === 'string' &&
      (parsed.pidNamespace === undefined || typeof parsed.pidNamespace === 'string')
    )
      return parsed as LockHolder;
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
 * files the dead holder may have left (a config half written, with secrets) go too: those named
 * with its pid when it was seen gone in this namespace, and any older than staleMs (a writer renames
 * its temporary file within moments; a waiter's staging file is written again when it went).
 */
function takeOver(path: string, lockPath: string, judged: SeenLock, staleMs: number): void {
  const aside = temporaryPath(lockPath);
  try {
    renameSync(lockPath, aside);
  } catch {
    return; // gone already
  }
  const taken = textOrEmpty(aside);
  if (taken !== judged.text) orNothing(() => linkSync(aside, lockPath));
  rmSync(aside, { force: true });
  if (taken === judged.text) removeOrphans(path, lockPath, judged.holderGone ? judged.holder?.pid : undefined, staleMs);
}

function removeOrphans(path: string, lockPath: string, deadPid: number | undefined, staleMs: number): void {
  const dir = dirname(path);
  const names = orNothing(() => readdirSync(dir)) ?? [];
  const patterns = [temporaryPattern(basename(path)), temporaryPattern(basename(lockPath))];
  const now = Date.now();
  const doomed: string[] = [];
  for (const name of names) {
    const match = patterns.map((pattern) => pattern.exec(name)).find((found) => found !== null);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid) continue;
    if (deadPid !== undefined && pid === deadPid) {
      doomed.push(name);
      continue;
    }
    const stats = orNothing(() => lstatSync(join(dir, name)));
    if (stats && now - stats.mtimeMs > staleMs) doomed.push(name);
  }
  for (const name of doomed) rmSync(join(dir, name), { force: true });
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
    writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
    await replaceFile(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
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
  change: (current: Record<string, unknown> | undefined) => object | undefined | Promise<object | undefined>
): Promise<void> {
  await ensurePrivateDir(dirname(path), what);
  await withFileLock(path, what, async () => {
    const next = await change(await readJsonObject(path));
    if (next === undefined) return;
    try {
      await writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`);
    } catch (error) {
      throw new LoginError(`cannot write the ${what} ${path}: ${fileErrorText(error)}`);
    }
  });
}
