import { realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { orNothing } from '../../lib/or-nothing';

/**
 * An auth file another registry client reads before the docker config (or instead of it): a login
 * writes the same entries there, so that client finds them rather than an older entry, or nothing.
 */
export interface ClientAuthFile {
  path: string;
  /** The clients that read it first, for the log line. */
  readers: string;
  /** What says so: the variable naming it, or that the file exists. */
  because: string;
}

const CONTAINERS_CLIENTS = 'podman, buildah and skopeo';
export const HELM_CLIENT = 'helm';

/**
 * The files besides the docker config that this job's clients read first, from the environment alone:
 * - podman, buildah and skopeo (containers-auth.json(5)): `REGISTRY_AUTH_FILE` when set (their only file
 *   from containers/image 5.24, the first before); else the first existing of
 *   `${XDG_RUNTIME_DIR}/containers/auth.json` (`/run/containers/$UID/auth.json` without it) and
 *   `${XDG_CONFIG_HOME:-~/.config}/containers/auth.json`: the first file with an entry for a registry
 *   wins, even a stale one, and an absent file is read as empty;
 * - helm 3.8+: `HELM_REGISTRY_CONFIG` when set, else its default registry config when it exists
 *   (`$HELM_CONFIG_HOME/registry/config.json`), both read before docker's.
 * oras, crane, buildx and kaniko read the docker config itself. A file that is the docker config is left out.
 */
export async function clientAuthFiles(env: NodeJS.ProcessEnv, dockerConfigPath: string): Promise<ClientAuthFile[]> {
  const found: ClientAuthFile[] = [];
  if (env.REGISTRY_AUTH_FILE) {
    found.push({ path: resolve(env.REGISTRY_AUTH_FILE), readers: CONTAINERS_CLIENTS, because: 'REGISTRY_AUTH_FILE names it' });
  } else {
    const existing = await firstExisting(containersAuthFiles(env));
    if (existing) found.push({ path: existing, readers: CONTAINERS_CLIENTS, because: 'it exists' });
  }
  if (env.HELM_REGISTRY_CONFIG) {
    found.push({ path: resolve(env.HELM_REGISTRY_CONFIG), readers: HELM_CLIENT, because: 'HELM_REGISTRY_CONFIG names it' });
  } else {
    const existing = await firstExisting([helmRegistryConfig(env)]);
    if (existing) found.push({ path: existing, readers: HELM_CLIENT, because: 'it exists' });
  }
  const seen = new Set([await canonical(dockerConfigPath)]);
  const files: ClientAuthFile[] = [];
  for (const file of found) {
    const key = await canonical(file.path);
    if (seen.has(key)) continue;
    seen.add(key);
    files.push(file);
  }
  return files;
}

/**
 * Where podman, buildah and skopeo look for credentials when no file is named, before the docker config:
 * on Linux `${XDG_RUNTIME_DIR}/containers/auth.json` (else `/run/containers/$UID/auth.json`), then
 * `${XDG_CONFIG_HOME:-$HOME/.config}/containers/auth.json`; elsewhere `$HOME/.config/containers/auth.json` first.
 */
export function containersAuthFiles(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
  uid: number | undefined = typeof process.getuid === 'function' ? process.getuid() : undefined
): string[] {
  const home = (platform === 'win32' ? env.USERPROFILE : env.HOME) || homedir();
  const underConfigHome = join(env.XDG_CONFIG_HOME || join(home, '.config'), 'containers', 'auth.json');
  let primary: string | undefined;
  if (platform !== 'linux') primary = join(home, '.config', 'containers', 'auth.json');
  else if (env.XDG_RUNTIME_DIR) primary = join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json');
  else if (uid !== undefined) primary = `/run/containers/${uid}/auth.json`;
  return [...new Set([...(primary ? [primary] : []), underConfigHome])];
}

/** helm's default registry config: `$HELM_CONFIG_HOME`, else `$XDG_CONFIG_HOME/helm`, else the platform's, then `registry/config.json`. */
export function helmRegistryConfig(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME || homedir();
  const platformConfigHome =
    platform === 'darwin'
      ? join(home, 'Library', 'Preferences')
      : platform === 'win32'
        ? env.APPDATA || join(home, 'AppData', 'Roaming')
        : join(home, '.config');
  const helmHome = env.HELM_CONFIG_HOME || join(env.XDG_CONFIG_HOME || platformConfigHome, 'helm');
  return join(helmHome, 'registry', 'config.json');
}

async function firstExisting(paths: string[]): Promise<string | undefined> {
  for (const path of paths) {
    if (orNothing(() => statSync(path))?.isFile()) return path;
  }
  return undefined;
}

/** The same file reached through links or another spelling is one file. */
async function canonical(path: string): Promise<string> {
  return orNothing(() => realpathSync(path)) ?? resolve(path);
}
