import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LoginError } from '../../lib/errors';
import { fileErrorText, LockOptions, withFileLock, writeFileAtomic } from '../../lib/locked-file';
import { orNothing, textOrEmpty } from '../../lib/or-nothing';
import { dropKept, handOn, keepAside, KeptEntry, readKept } from './kept';
import { userHome } from '../helper/paths';

/** `$DOCKER_CONFIG/config.json`, else `.docker/config.json` in the home (%USERPROFILE% on Windows), as docker, skopeo, podman and oras look for it. */
export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  return join(env.DOCKER_CONFIG || join(userHome(env), '.docker'), 'config.json');
}

export interface AuthEntry {
  server: string;
  username: string;
  password: string;
}

/** A short digest of what was written for a server: lets logout recognise its own entry without keeping the secret. */
export function fingerprint(entry: AuthEntry): string {
  return digest(authValue(entry));
}

function digest(auth: string): string {
  return createHash('sha256').update(auth).digest('hex').slice(0, 32);
}

export interface DockerConfig {
  auths?: Record<string, { auth?: string } & Record<string, unknown>>;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

/** One server this step writes, and where the entry it replaces (if any) is to be kept aside for the logout. */
export interface Written {
  server: string;
  fingerprint: string;
  /** The file for the replaced entry; absent when the logout will not run (logout: false). */
  kept?: string;
}

/** What a logout did with each server. */
export interface Undone {
  removed: string[];
  /** Servers whose earlier entry was put back. */
  restored: string[];
  /** Servers left alone: something else replaced the entry since. */
  changed: string[];
  /** Of those, the ones another login of this product replaced: the earlier entry is now its to put back. */
  handedOn: string[];
}

type ConfigEdit<T> = (config: DockerConfig) => Promise<{ changed: boolean; result: T }> | { changed: boolean; result: T };

/**
 * Runs `work` holding the config's lock, shared with every process of this product editing the same
 * file, wherever it runs (see withFileLock). Also held around the product's own docker runs on it.
 */
export async function withConfigLock<T>(configPath: string, work: () => Promise<T>, options?: LockOptions): Promise<T> {
  await ensureConfigDir(configPath);
  return withFileLock(configPath, 'docker config', work, options);
}

/** Reads, edits and writes back the config under its lock; `edit` returns whether it changed anything. */
export async function updateConfig<T>(configPath: string, edit: ConfigEdit<T>): Promise<T> {
  return withConfigLock(configPath, () => editConfigLocked(configPath, edit));
}

/** updateConfig for a caller that holds the config's lock already (withConfigLock). */
export async function editConfigLocked<T>(configPath: string, edit: ConfigEdit<T>): Promise<T> {
  const config = await readConfig(configPath);
  const { changed, result } = await edit(config);
  if (changed) await writeConfig(configPath, config);
  return result;
}

/** Reads the config as it is (nothing when absent), failing on one of the wrong shape as an edit would. */
export async function readConfigFile(configPath: string): Promise<DockerConfig> {
  await checkConfigDir(configPath);
  return readConfig(configPath);
}

/**
 * Adds or replaces `auths` entries, keeping everything else, under a lock and by atomic rename, mode
 * 0600. An entry it replaces is kept aside first (in `kept`) for the logout to put back. Reports a
 * `credsStore`, and the servers whose `credHelpers` entry docker will use instead.
 */
export async function writeAuths(
  configPath: string,
  entries: Array<AuthEntry & { kept?: string }>
): Promise<{ credsStore?: string; overriddenBy: Record<string, string> }> {
  return updateConfig(configPath, async (config) => {
    const auths = (config.auths ??= {});
    const overriddenBy: Record<string, string> = {};
    for (const entry of entries) {
      const earlier = auths[entry.server];
      if (earlier !== undefined && entry.kept) {
        await keepAside(entry.kept, {
          section: 'auths',
          server: entry.server,
          entry: earlier,
          fingerprint: fingerprintOf(earlier),
          configPath
        });
      }
      const helper = config.credHelpers?.[entry.server];
      if (typeof helper === 'string') overriddenBy[entry.server] = helper;
    }
    for (const entry of entries) auths[entry.server] = { auth: authValue(entry) };
    return { changed: true, result: { ...credsStoreOf(config), overriddenBy } };
  });
}

/**
 * Keeps aside the `auths` entries docker login is about to replace (where no credsStore or
 * credHelpers entry holds them instead), with the legacy `https://HOST` and `http://HOST` keys that
 * docker logout removes too. Call holding the config's lock.
 */
export async function keepAuthsAside(configPath: string, written: Written[]): Promise<void> {
  const config = await readConfigFile(configPath);
  if (credsStoreOf(config).credsStore) return;
  for (const { server, kept } of written) {
    if (!kept || config.credHelpers?.[server] !== undefined) continue;
    const earlier = config.auths?.[server];
    const alongside: Record<string, unknown> = {};
    for (const key of legacyKeys(server)) if (config.auths?.[key] !== undefined) alongside[key] = config.auths[key];
    if (earlier === undefined && Object.keys(alongside).length === 0) continue;
    await keepAside(kept, {
      section: 'auths',
      server,
      entry: earlier,
      fingerprint: fingerprintOf(earlier),
      configPath,
      ...(Object.keys(alongside).length > 0 ? { alongside } : {})
    });
  }
}

/** The other keys docker logout removes with `HOST`: those older docker versions wrote. */
function legacyKeys(server: string): string[] {
  return [`https://${server}`, `http://${server}`];
}

/**
 * Removes the entries whose content is still what this step wrote, putting back the entry each
 * replaced when one was kept aside; reports those left alone because something changed them since.
 */
export async function removeAuths(configPath: string, written: Written[]): Promise<Undone> {
  return undoEntries(configPath, 'auths', written, isOurAuth);
}

export function isOurAuth(entry: unknown, expected: string): boolean {
  const auth = (entry as { auth?: unknown } | null)?.auth;
  return typeof auth === 'string' && digest(auth) === expected;
}

/**
 * Undoes `written` in one section: an entry `isOurs` recognises is replaced by the kept one, or
 * deleted when none was kept; any other entry is left, and when another login of this product
 * replaced it (its kept file holds ours), what we kept is handed on to it. With `alsoWhereAbsent`,
 * kept entries also go back where the section has none (after docker logout). With `lockHeld`, the
 * caller holds the config's lock already. The kept files are dropped in every case.
 */
export async function undoEntries(
  configPath: string,
  section: KeptEntry['section'],
  written: Written[],
  isOurs: (entry: unknown, fingerprint: string) => boolean,
  alsoWhereAbsent = false,
  lockHeld = false
): Promise<Undone> {
  const undone: Undone = { removed: [], restored: [], changed: [], handedOn: [] };
  const edit: ConfigEdit<undefined> = async (config) => {
    const entries = (config[section] ?? {}) as Record<string, unknown>;
    for (const { server, fingerprint: expected, kept } of written) {
      const current = entries[server];
      const ours = current !== undefined && isOurs(current, expected);
      if (!ours && !(alsoWhereAbsent && current === undefined)) {
        if (current === undefined) continue;
        undone.changed.push(server);
        if (kept && (await handOn(configPath, section, server, expected, kept))) undone.handedOn.push(server);
        continue;
      }
      const earlier = kept ? await readKept(kept, section, server) : undefined;
      for (const [key, entry] of Object.entries(earlier?.alongside ?? {})) entries[key] ??= entry;
      if (earlier && earlier.entry !== undefined) {
        entries[server] = earlier.entry;
        undone.restored.push(server);
      } else if (current !== undefined) {
        delete entries[server];
        undone.removed.push(server);
      } else if (earlier) {
        undone.restored.push(server);
      }
    }
    if (undone.removed.length + undone.restored.length === 0) return { changed: false, result: undefined };
    if (config[section] === undefined) (config as Record<string, unknown>)[section] = entries;
    if (section === 'credHelpers' && Object.keys(entries).length === 0) delete config.credHelpers;
    return { changed: true, result: undefined };
  };
  try {
    await (lockHeld ? editConfigLocked(configPath, edit) : updateConfig(configPath, edit));
  } finally {
    // Put back or not, a kept entry is not left lying around once its logout ran.
    await Promise.all(written.map((entry) => (entry.kept ? dropKept(entry.kept) : undefined)));
  }
  return undone;
}

/** A `credsStore` named by the config: the docker CLI reads `auths` secrets from there instead. */
export function credsStoreOf(config: DockerConfig): { credsStore?: string } {
  return typeof config.credsStore === 'string' ? { credsStore: config.credsStore } : {};
}

function authValue(entry: AuthEntry): string {
  return Buffer.from(`${entry.username}:${entry.password}`).toString('base64');
}

/** The fingerprint of an `auths` entry as found: '' when it holds no `auth`. */
function fingerprintOf(entry: unknown): string {
  const auth = (entry as { auth?: unknown } | null)?.auth;
  return typeof auth === 'string' ? digest(auth) : '';
}

async function checkConfigDir(configPath: string): Promise<void> {
  const dir = dirname(configPath);
  const stats = orNothing(() => statSync(dir));
  if (stats && !stats.isDirectory()) {
    throw new LoginError(`the docker config directory ${dir} is a file, not a directory: point DOCKER_CONFIG at a directory`);
  }
}

async function ensureConfigDir(configPath: string): Promise<void> {
  await checkConfigDir(configPath);
  try {
    mkdirSync(dirname(configPath), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new LoginError(`cannot create the docker config directory ${dirname(configPath)}: ${fileErrorText(error)}`);
  }
}

async function readConfig(configPath: string): Promise<DockerConfig> {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new LoginError(`cannot read docker config ${configPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new LoginError(`docker config ${configPath} is not valid JSON; fix or remove it`);
  }
  if (!isObject(parsed)) throw new LoginError(`docker config ${configPath} holds ${kindOf(parsed)}, not a JSON object; fix or remove it`);
  for (const section of ['auths', 'credHelpers']) {
    const value = parsed[section];
    if (value !== undefined && !isObject(value)) {
      throw new LoginError(`docker config ${configPath}: "${section}" is ${kindOf(value)}, not an object; fix or remove it`);
    }
  }
  return parsed as DockerConfig;
}

/** Writes through a symbolic link, as docker does: the link stays, its target gets the new content. */
async function writeConfig(configPath: string, config: DockerConfig): Promise<void> {
  try {
    const target = await linkTarget(configPath);
    // docker and podman end the file without a newline: an edit keeps the file's own ending, so an undone edit leaves it as it was.
    const before = textOrEmpty(target);
    const ending = before === '' || before.endsWith('\n') ? '\n' : '';
    await writeFileAtomic(target, `${JSON.stringify(config, null, '\t')}${ending}`);
  } catch (error) {
    throw new LoginError(`cannot write docker config ${configPath}: ${fileErrorText(error)}`);
  }
}

async function linkTarget(path: string): Promise<string> {
  let current = path;
  for (let hops = 0; hops < 32; hops++) {
    if (!orNothing(() => lstatSync(current))?.isSymbolicLink()) return current;
    current = resolve(dirname(current), readlinkSync(current));
  }
  throw new LoginError(`docker config ${path} is a loop of symbolic links`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
