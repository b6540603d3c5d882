import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** An XDG base directory: the variable when it holds an absolute path (the spec ignores relative ones), else the default under HOME. */
function xdgDir(env: NodeJS.ProcessEnv, variable: string, fallback: string): string {
  const value = env[variable];
  return value && isAbsolute(value) ? value : join(env.HOME || homedir(), fallback);
}

/** `$XDG_CACHE_HOME/acr-login`, else `~/.cache/acr-login`: the helper's refresh tokens (0700). */
export function tokenCacheDir(env: NodeJS.ProcessEnv): string {
  return join(xdgDir(env, 'XDG_CACHE_HOME', '.cache'), 'acr-login');
}

/** `$XDG_CONFIG_HOME/acr-login/helper.json`, else `~/.config/...`: the helper's non-secret settings per registry. */
export function helperSettingsPath(env: NodeJS.ProcessEnv): string {
  return join(xdgDir(env, 'XDG_CONFIG_HOME', '.config'), 'acr-login', 'helper.json');
}

/** `$XDG_STATE_HOME/acr-login/logins.json`, else `~/.local/state/...`: what the command line wrote, for its logout. */
export function loginRecordsPath(env: NodeJS.ProcessEnv): string {
  return join(xdgDir(env, 'XDG_STATE_HOME', join('.local', 'state')), 'acr-login', 'logins.json');
}

/** `$XDG_DATA_HOME/acr-login/bin`, else `~/.local/share/...`: where the command line puts the helper's launcher. */
export function launcherDir(env: NodeJS.ProcessEnv): string {
  return join(xdgDir(env, 'XDG_DATA_HOME', join('.local', 'share')), 'acr-login', 'bin');
}

/**
 * `$XDG_STATE_HOME/acr-login/kept`, else `~/.local/state/...`: a docker config entry a login replaced,
 * kept aside (0600, in this private directory) until its logout puts it back.
 */
export function keptEntriesDir(env: NodeJS.ProcessEnv): string {
  return join(xdgDir(env, 'XDG_STATE_HOME', join('.local', 'state')), 'acr-login', 'kept');
}

/**
 * The helper's settings and tokens are kept per docker config: two jobs sharing HOME, each with its
 * own DOCKER_CONFIG, keep their own identity, and one's logout leaves the other's alone. docker (and
 * podman, skopeo) run the helper with the job's environment, DOCKER_CONFIG included, so the helper
 * finds the same place the login used. A short digest of the config's absolute path names it.
 */
export function helperPlace(configPath: string): string {
  return createHash('sha256').update(resolve(configPath)).digest('hex').slice(0, 16);
}

/** `…/acr-login/helper-<place>.json`: the helper's settings for the logins made on one docker config. */
export function helperSettingsPathFor(env: NodeJS.ProcessEnv, configPath: string): string {
  return join(dirname(helperSettingsPath(env)), `helper-${helperPlace(configPath)}.json`);
}

/** `…/acr-login/<place>`: the helper's cached tokens for the logins made on one docker config (0700). */
export function tokenCacheDirFor(env: NodeJS.ProcessEnv, configPath: string): string {
  return join(tokenCacheDir(env), helperPlace(configPath));
}
