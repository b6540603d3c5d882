import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { LoginError } from './errors';

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`, as docker, skopeo, podman and oras look for it. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'), 'config.json');
}

export interface AuthEntry {
  server: string;
  username: string;
  password: string;
}

/** A short digest of what was written for a server: lets logout recognise its own entry without keeping the secret. */
export function fingerprint(entry: AuthEntry): string {
  return createHash('sha256').update(authValue(entry)).digest('hex').slice(0, 32);
}

interface DockerConfig {
  auths?: Record<string, { auth?: string } & Record<string, unknown>>;
  [key: string]: unknown;
}

/** Adds or replaces `auths` entries, keeping everything else, under a lock and by atomic rename, mode 0600. */
export async function writeAuths(configPath: string, entries: AuthEntry[]): Promise<{ credsStore?: string }> {
  return withLock(configPath, async () => {
    const config = await readConfig(configPath);
    const auths = (config.auths ??= {});
    for (const entry of entries) auths[entry.server] = { auth: authValue(entry) };
    await writeConfig(configPath, config);
    return typeof config.credsStore === 'string' ? { credsStore: config.credsStore } : {};
  });
}

/** Removes the entries whose content is still what this step wrote; reports those left alone. */
export async function removeAuths(
  configPath: string,
  written: Array<{ server: string; fingerprint: string }>
): Promise<{ removed: string[]; changed: string[] }> {
  return withLock(configPath, async () => {
    const config = await readConfig(configPath);
    const removed: string[] = [];
    const changed: string[] = [];
    for (const { server, fingerprint: expected } of written) {
      const auth = config.auths?.[server]?.auth;
      if (auth === undefined) continue;
      if (createHash('sha256').update(auth).digest('hex').slice(0, 32) !== expected) {
        changed.push(server);
        continue;
      }
      delete config.auths?.[server];
      removed.push(server);
    }
    if (removed.length > 0) await writeConfig(configPath, config);
    return { removed, changed };
  });
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
  const temporary = `${configPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(temporary, `${JSON.stringify(config, null, '\t')}\n`, { mode: 0o600, flag: 'wx' });
    await fs.rename(temporary, configPath);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw new LoginError(`cannot write docker config ${configPath}: ${(error as Error).message}`);
  }
}

const LOCK_WAIT_MS = 20000;
const LOCK_STALE_MS = 30000;

/** An exclusive lock file next to the config, shared with any parallel step writing the same file. */
async function withLock<T>(configPath: string, work: () => Promise<T>): Promise<T> {
  await fs.mkdir(dirname(configPath), { recursive: true, mode: 0o700 });
  const lockPath = `${configPath}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await fs.open(lockPath, 'wx', 0o600);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new LoginError(`cannot lock docker config ${configPath}: ${(error as Error).message}`);
      }
      if (await isStale(lockPath)) {
        await fs.rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new LoginError(`docker config ${configPath} stayed locked by ${lockPath} for ${LOCK_WAIT_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
    }
  }
  try {
    return await work();
  } finally {
    await fs.rm(lockPath, { force: true });
  }
}

async function isStale(lockPath: string): Promise<boolean> {
  try {
    return Date.now() - (await fs.stat(lockPath)).mtimeMs > LOCK_STALE_MS;
  } catch {
    return false;
  }
}
