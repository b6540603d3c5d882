import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { readJsonObject, writeFileAtomic } from '../../lib/locked-file';
import { ensurePrivateDir, privateDirExists } from '../../lib/private-dir';

/**
 * A docker config entry a login replaced, kept aside until the logout puts it back. It may hold a
 * secret (an `auths` entry), so it lives in its own 0600 file in a private directory of this user;
 * the logout state names only the file.
 */
export interface KeptEntry {
  section: 'auths' | 'credHelpers';
  server: string;
  entry: unknown;
  /** What identifies the entry without its secret: the digest of `auth`, or the helper's name. */
  fingerprint: string;
}

const WHAT = 'kept docker config entries';

/** A new, unused file name in `dir` for one entry; nothing is written until keepAside. */
export function keptFileIn(dir: string): string {
  return join(dir, `${randomBytes(12).toString('hex')}.json`);
}

export async function keepAside(file: string, kept: KeptEntry): Promise<void> {
  await ensurePrivateDir(dirname(file), WHAT);
  await writeFileAtomic(file, `${JSON.stringify({ version: 1, ...kept })}\n`);
}

/** The entry kept in `file` for this section and server; undefined when none was kept (or the file is not this user's own). */
export async function readKept(file: string, section: KeptEntry['section'], server: string): Promise<KeptEntry | undefined> {
  if (!(await privateDirExists(dirname(file), WHAT))) return undefined;
  const kept = await readJsonObject(file);
  if (kept?.version !== 1 || kept.section !== section || kept.server !== server || kept.entry === undefined) return undefined;
  return { section, server, entry: kept.entry, fingerprint: typeof kept.fingerprint === 'string' ? kept.fingerprint : '' };
}

export async function dropKept(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}

/**
 * Two logins of the command line to the same server and place: which kept entry the logout should put
 * back. The newer login kept what the older one wrote (same fingerprint) unless the entry changed in
 * between; the older kept entry wins in the first case, the newer in the other. The loser is deleted.
 */
export async function settleKept(
  older: { kept?: string; fingerprint: string },
  newer: { kept?: string },
  section: KeptEntry['section'],
  server: string
): Promise<string | undefined> {
  if (!older.kept || older.kept === newer.kept) return newer.kept;
  const newerEntry = newer.kept ? await readKept(newer.kept, section, server).catch(() => undefined) : undefined;
  const newerKeptOurs = newerEntry !== undefined && newerEntry.fingerprint === older.fingerprint;
  if (newerKeptOurs) {
    if (newer.kept) await dropKept(newer.kept);
    return older.kept;
  }
  await dropKept(older.kept);
  return newer.kept;
}
