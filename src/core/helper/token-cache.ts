import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describeError, LoginError } from '../../lib/errors';
import { expiryOf, readClaims } from '../entra/jwt';
import { refreshTokenProblem, validForMs } from '../registry/exchange';
import { fileErrorText, readJsonObject, withFileLock, writeFileAtomic } from '../../lib/locked-file';
import { ensurePrivateDir, privateDirExists } from '../../lib/private-dir';

/** A cached refresh token is renewed once it has less than this left. */
const RENEW_BEFORE_MS = 10 * 60 * 1000;
/** When a registry's token carries no expiry, trust it for this long. */
const UNKNOWN_LIFETIME_MS = 60 * 60 * 1000;
/** The holder of a cache lock may be signing in to Entra ID (30 s at most) and exchanging with retries. */
const CACHE_LOCK = { waitMs: 90000, staleMs: 30000 };

/** Whose token it is: a token of one identity is never handed out for another. */
export interface CacheIdentity {
  kind: string;
  clientId?: string;
  tenantId?: string;
  authorityHost: string;
  audience: string;
}

export interface CachedToken {
  refreshToken: string;
  expiresOn: Date;
}

interface CacheEntry {
  version: 1;
  server: string;
  refreshToken: string;
  expiresOn: string;
  /** When the token arrived and how long it is valid, by this machine's clock: what freshness is judged with. */
  receivedAt?: string;
  lifetimeMs?: number;
}

/** A cache entry written more than this far in this machine's future: the clock went back since, so the entry is not trusted. */
const CLOCK_WENT_BACK_MS = 60 * 1000;

/** `<dir>/<server>-<digest of server and identity>.json`, one file (and one lock) per registry and identity. */
function cacheFile(dir: string, server: string, identity: CacheIdentity): string {
  const digest = createHash('sha256')
    .update(
      JSON.stringify([server, identity.kind, identity.clientId ?? '', identity.tenantId ?? '', identity.authorityHost, identity.audience])
    )
    .digest('hex')
    .slice(0, 16);
  return join(dir, `${fileSafe(server)}-${digest}.json`);
}

/**
 * The cached refresh token while it has more than 10 minutes left; otherwise `fetch` runs under the
 * entry's lock and its token replaces the entry. A process that waited for the lock reads the entry
 * again first, so parallel callers exchange once. An unreadable entry counts as absent. Where the
 * cache cannot be written (its directory not created, the lock or the entry not writable: a full
 * disk) and `warn` is given, the token is fetched anyway and `warn` says why it was not kept.
 */
export async function cachedRefreshToken(
  dir: string,
  server: string,
  identity: CacheIdentity,
  fetch: () => Promise<{ password: string; expiresOn?: Date }>,
  warn?: (message: string) => void
): Promise<CachedToken> {
  const uncached = async (error: unknown): Promise<CachedToken> => {
    if (!warn) throw error;
    warn(`the token cache is not used: ${describeError(error)}`);
    const fetched = await fetch();
    return tokenOf(fetched.password, fetched.expiresOn);
  };
  // The directory is checked before anything in it is trusted: a token planted there is never handed out,
  // and a directory someone else could have planted fails the call. One that cannot be created is only a cache lost.
  try {
    await ensurePrivateDir(dir, 'token cache');
  } catch (error) {
    await privateDirExists(dir, 'token cache');
    return uncached(error);
  }
  const file = cacheFile(dir, server, identity);
  const cached = await readEntry(file, server);
  if (cached && isFresh(cached)) return cached;
  let entered = false;
  try {
    return await withFileLock(
      file,
      'token cache',
      async () => {
        entered = true;
        const again = await readEntry(file, server);
        if (again && isFresh(again)) return again;
        const fetched = await fetch();
        try {
          return await writeEntry(file, server, fetched.password, fetched.expiresOn);
        } catch (error) {
          if (!warn) throw error;
          warn(describeError(error));
          return tokenOf(fetched.password, fetched.expiresOn);
        }
      },
      CACHE_LOCK
    );
  } catch (error) {
    if (entered) throw error;
    return uncached(error);
  }
}

/** Puts a token obtained elsewhere (the login step, or `store`) into the cache. */
export async function storeRefreshToken(
  dir: string,
  server: string,
  identity: CacheIdentity,
  refreshToken: string,
  expiresOn?: Date
): Promise<CachedToken> {
  // With an expiry, the token comes from a login that just received it: judged by its own lifetime, not by this clock.
  const problem = refreshTokenProblem(refreshToken, expiresOn ? {} : undefined);
  if (problem) throw new LoginError(`not keeping the token for ${server}: it ${problem}`);
  await ensurePrivateDir(dir, 'token cache');
  const file = cacheFile(dir, server, identity);
  return withFileLock(file, 'token cache', () => writeEntry(file, server, refreshToken, expiresOn), CACHE_LOCK);
}

/** Deletes the cached tokens of these servers (of every identity), or of all servers; returns how many files went. */
export async function removeCachedTokens(dir: string, servers?: string[]): Promise<number> {
  let names: string[];
  try {
    if (!(await privateDirExists(dir, 'token cache'))) return 0;
    names = await fs.readdir(dir);
  } catch (error) {
    if (error instanceof LoginError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw new LoginError(`cannot read the token cache ${dir}: ${(error as Error).message}`);
  }
  const isEntry = (name: string, server?: string): boolean => {
    const rest =
      server === undefined
        ? name.replace(/^.*?-(?=[0-9a-f]{16}\.json$)/, '')
        : name.startsWith(`${fileSafe(server)}-`)
          ? name.slice(fileSafe(server).length + 1)
          : '';
    return /^[0-9a-f]{16}\.json$/.test(rest);
  };
  const doomed = names.filter((name) => (servers ? servers.some((server) => isEntry(name, server)) : isEntry(name)));
  await Promise.all(doomed.map((name) => fs.rm(join(dir, name), { force: true })));
  return doomed.length;
}

function isFresh(token: CachedToken, now: number = Date.now()): boolean {
  return token.expiresOn.getTime() - now > RENEW_BEFORE_MS;
}

async function readEntry(file: string, server: string): Promise<CachedToken | undefined> {
  const entry = await readJsonObject(file);
  if (!entry || entry.version !== 1 || entry.server !== server) return undefined;
  const refreshToken = entry.refreshToken;
  if (typeof refreshToken !== 'string' || refreshToken === '') return undefined;
  const audience = readClaims(refreshToken).aud;
  if (typeof audience === 'string' && audience !== server) return undefined;
  const expiresOn =
    localExpiry(entry) ?? expiryOf(refreshToken) ?? (typeof entry.expiresOn === 'string' ? new Date(entry.expiresOn) : undefined);
  if (!expiresOn || Number.isNaN(expiresOn.getTime())) return undefined;
  return { refreshToken, expiresOn };
}

/** The expiry the entry recorded by this machine's clock (arrival + lifetime); already past when the clock went back since. */
function localExpiry(entry: Record<string, unknown>): Date | undefined {
  const receivedAt = typeof entry.receivedAt === 'string' ? Date.parse(entry.receivedAt) : NaN;
  const lifetimeMs = entry.lifetimeMs;
  if (!Number.isFinite(receivedAt) || typeof lifetimeMs !== 'number' || !Number.isFinite(lifetimeMs)) return undefined;
  if (receivedAt - Date.now() > CLOCK_WENT_BACK_MS) return new Date(0);
  return new Date(receivedAt + lifetimeMs);
}

/** A token received now: its expiry by this machine's clock, from the token's own lifetime. */
function receivedToken(refreshToken: string, expiresOn?: Date): { token: CachedToken; receivedAt: number; lifetimeMs: number } {
  const receivedAt = Date.now();
  const known = expiresOn ? expiresOn.getTime() - receivedAt : expiryOf(refreshToken) ? validForMs(refreshToken) : undefined;
  const lifetimeMs = known !== undefined && Number.isFinite(known) ? known : UNKNOWN_LIFETIME_MS;
  return { token: { refreshToken, expiresOn: new Date(receivedAt + lifetimeMs) }, receivedAt, lifetimeMs };
}

function tokenOf(refreshToken: string, expiresOn?: Date): CachedToken {
  return receivedToken(refreshToken, expiresOn).token;
}

async function writeEntry(file: string, server: string, refreshToken: string, expiresOn?: Date): Promise<CachedToken> {
  const { token, receivedAt, lifetimeMs } = receivedToken(refreshToken, expiresOn);
  const entry: CacheEntry = {
    version: 1,
    server,
    refreshToken,
    expiresOn: token.expiresOn.toISOString(),
    receivedAt: new Date(receivedAt).toISOString(),
    lifetimeMs
  };
  try {
    await writeFileAtomic(file, `${JSON.stringify(entry)}\n`);
  } catch (error) {
    throw new LoginError(`cannot write the token cache ${file}: ${fileErrorText(error)}`);
  }
  return token;
}

function fileSafe(server: string): string {
  return server.toLowerCase().replace(/[^a-z0-9.-]/g, '_');
}
