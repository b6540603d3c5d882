import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readJsonObject, writeFileAtomic } from '../../lib/locked-file';
import { orNothing } from '../../lib/or-nothing';
import { ensurePrivateDir, privateDirExists } from '../../lib/private-dir';

/**
 * A docker config entry a login replaced, kept aside until the logout puts it back. It may hold a
 * secret (an `auths` entry), so it lives in its own 0600 file in a private directory of this user;
 * the logout state names only the file.
 */
export interface KeptEntry {
  section: 'auths' | 'credHelpers';
  server: string;
  /** The entry at `server`; absent when there was none but `alongside` holds some. */
  entry: unknown;
  /** What identifies the entry without its secret: the digest of `auth`, or the helper's name. */
  fingerprint: string;
  /** The config file it was kept from: how the logout of an earlier login finds it to hand its own kept entry on. */
  configPath?: string;
  /** Other keys of the section kept with it, put back with it: docker's legacy `https://HOST` and `http://HOST` keys. */
  alongside?: Record<string, unknown>;
}

const WHAT = 'kept docker config entries';
const KEPT_NAME = /^[0-9a-f]{24}\.json$/;

/** A new, unused file name in `dir` for one entry; nothing is written until keepAside. */
export function keptFileIn(dir: string): string {
  return join(dir, `${randomBytes(12).toString('hex')}.json`);
}

export async function keepAside(file: string, kept: KeptEntry): Promise<void> {
  await ensurePrivateDir(dirname(file), WHAT);
  const configPath = kept.configPath === undefined ? {} : { configPath: resolve(kept.configPath) };
  await writeFileAtomic(file, `${JSON.stringify({ version: 1, ...kept, ...configPath })}\n`);
}

/** The entry kept in `file` for this section and server; undefined when none was kept (or the file is not this user's own). */
export async function readKept(file: string, section: KeptEntry['section'], server: string): Promise<KeptEntry | undefined> {
  if (!(await privateDirExists(dirname(file), WHAT))) return undefined;
  const kept = await readKeptFile(file);
  return kept?.section === section && kept.server === server ? kept : undefined;
}

async function readKeptFile(file: string): Promise<KeptEntry | undefined> {
  const kept = await readJsonObject(file);
  if (kept?.version !== 1 || (kept.section !== 'auths' && kept.section !== 'credHelpers') || typeof kept.server !== 'string')
    return undefined;
  const alongside = isObject(kept.alongside) ? kept.alongside : undefined;
  if (kept.entry === undefined && alongside === undefined) return undefined;
  return {
    section: kept.section,
    server: kept.server,
    entry: kept.entry,
    fingerprint: typeof kept.fingerprint === 'string' ? kept.fingerprint : '',
    ...(typeof kept.configPath === 'string' ? { configPath: kept.configPath } : {}),
    ...(alongside ? { alongside } : {})
  };
}

export async function dropKept(file: string): Promise<void> {
  rmSync(file, { force: true });
}

/**
 * Another login replaced the entry this login wrote, and kept this login's entry aside in its own
 * file: what this login kept (or the absence of anything) replaces that file's content, so the other
 * login's logout puts back what was there before both. Looks among the kept files next to `mine`
 * (those of this user); runs under the config's lock. Returns whether such a login was found.
 */
export async function handOn(
  configPath: string,
  section: KeptEntry['section'],
  server: string,
  fingerprint: string,
  mine: string
): Promise<boolean> {
  if (fingerprint === '') return false;
  const dir = dirname(mine);
  if (!(await privateDirExists(dir, WHAT))) return false;
  const names = orNothing(() => readdirSync(dir)) ?? [];
  for (const name of names) {
    const file = join(dir, name);
    if (file === mine || !KEPT_NAME.test(name)) continue;
    const other = await readKeptFile(file);
    if (other?.configPath !== resolve(configPath) || other.section !== section || other.server !== server) continue;
    if (other.fingerprint !== fingerprint) continue;
    await passKept(mine, file, section, server);
    return true;
  }
  return false;
}

/** `to` takes what `from` kept (it is dropped when `from` kept nothing), then `from` goes. */
export async function passKept(from: string, to: string, section: KeptEntry['section'], server: string): Promise<void> {
  const kept = await readKept(from, section, server);
  if (kept) await keepAside(to, kept);
  else await dropKept(to);
  await dropKept(from);
}

/** The fingerprint of the entry kept in `file`, if any (which login's entry it holds). */
export async function keptFingerprint(file: string, section: KeptEntry['section'], server: string): Promise<string | undefined> {
  return (await readKept(file, section, server))?.fingerprint;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
