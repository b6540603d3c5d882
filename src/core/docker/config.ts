import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LoginError } from '../../lib/errors';
import { withFileLock, writeFileAtomic } from '../../lib/locked-file';

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`, as docker, skopeo, podman and oras look for it. */
export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  return join(env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'), 'config.json');
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

/** Reads, edits and writes back the config under its lock; `edit` returns whether it changed anything. */
export async function updateConfig<T>(configPath: string, edit: (config: DockerConfig) => { changed: boolean; result: T }): Promise<T> {
  // The lock file is shared with any parallel step editing the same config.
  return withFileLock(configPath, 'docker config', async () => {
    const config = await readConfig(configPath);
    const { changed, result } = edit(config);
    if (changed) await writeConfig(configPath, config);
    return result;
  });
}

/** Adds or replaces `auths` entries, keeping everything else, under a lock and by atomic rename, mode 0600. */
export async function writeAuths(configPath: string, entries: AuthEntry[]): Promise<{ credsStore?: string }> {
  return updateConfig(configPath, (config) => {
    const auths = (config.auths ??= {});
    for (const entry of entries) auths[entry.server] = { auth: authValue(entry) };
    return { changed: true, result: credsStoreOf(config) };
  });
}

/** Removes the entries whose content is still what this step wrote; reports those left alone. */
export async function removeAuths(
  configPath: string,
  written: Array<{ server: string; fingerprint: string }>
): Promise<{ removed: string[]; changed: string[] }> {
  const expected = new Map(written.map((entry) => [entry.server, entry.fingerprint]));
  return updateConfig(configPath, (config) => {
    const result = removeOwnEntries(
      config.auths,
      [...expected.keys()],
      (server, entry) => entry.auth !== undefined && digest(entry.auth) === expected.get(server)
    );
    return { changed: result.removed.length > 0, result };
  });
}

/**
 * Deletes the entries of `servers` that `isOurs` recognises as this product's, and lists those that
 * something else has replaced since; absent servers are neither.
 */
export function removeOwnEntries<V>(
  entries: Record<string, V> | undefined,
  servers: string[],
  isOurs: (server: string, entry: V) => boolean
): { removed: string[]; changed: string[] } {
  const removed: string[] = [];
  const changed: string[] = [];
  for (const server of servers) {
    const entry = entries?.[server];
    if (entry === undefined) continue;
    if (!isOurs(server, entry)) {
      changed.push(server);
      continue;
    }
    delete entries?.[server];
    removed.push(server);
  }
  return { removed, changed };
}

/** A `credsStore` named by the config: the docker CLI reads `auths` secrets from there instead. */
export function credsStoreOf(config: DockerConfig): { credsStore?: string } {
  return typeof config.credsStore === 'string' ? { credsStore: config.credsStore } : {};
}

function authValue(entry: AuthEntry): string {
  return Buffer.from(`${entry.username}:${entry.password}`).toString('base64');
}

async function readConfig(configPath: string): Promise<DockerConfig> {
  let text: string;
  try {
    text = await fs.readFile(configPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new LoginError(`cannot read docker config ${configPath}: ${(error as Error).message}`);
  }
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as DockerConfig;
  } catch {
    // reported below
  }
  throw new LoginError(`docker config ${configPath} is not a JSON object; fix or remove it`);
}

async function writeConfig(configPath: string, config: DockerConfig): Promise<void> {
  try {
    await writeFileAtomic(configPath, `${JSON.stringify(config, null, '\t')}\n`);
  } catch (error) {
    throw new LoginError(`cannot write docker config ${configPath}: ${(error as Error).message}`);
  }
}
