import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { dirname, join, posix, resolve, win32 } from 'node:path';

// Where the product keeps its own files, per platform, as each platform's tools expect them:
// - Linux and others: the XDG base directories (~/.cache, ~/.config, ~/.local/state, ~/.local/share).
// - Windows: everything under %LOCALAPPDATA%\acr-login (the profile's local application data: private to the user
//   by the profile's ACLs, never roamed); the home is %USERPROFILE%, as docker's, whatever HOME MSYS2 or Git Bash set.
// - macOS: ~/Library/Caches/acr-login for the token cache, ~/Library/Application Support/acr-login for the rest.
// An XDG variable set to an absolute path wins on every platform: whoever sets it means it.

type Os = NodeJS.Platform;

function pathOf(os: Os): typeof posix {
  return os === 'win32' ? win32 : posix;
}

/** The user's home as docker and the other registry clients find it: %USERPROFILE% on Windows, else HOME. */
export function userHome(env: NodeJS.ProcessEnv, os: Os = process.platform): string {
  return (os === 'win32' ? env.USERPROFILE : env.HOME) || homedir();
}

/** An XDG base directory when its variable holds an absolute path (the spec ignores relative ones). */
function xdgDir(env: NodeJS.ProcessEnv, variable: string, os: Os): string | undefined {
  const value = env[variable];
  return value && pathOf(os).isAbsolute(value) ? value : undefined;
}

/** %LOCALAPPDATA%\acr-login on Windows, ~/Library/<folder>/acr-login on macOS; undefined elsewhere. */
function platformDir(env: NodeJS.ProcessEnv, os: Os, macFolder: 'Caches' | 'Application Support'): string | undefined {
  const path = pathOf(os);
  if (os === 'win32') {
    const local =
      env.LOCALAPPDATA && path.isAbsolute(env.LOCALAPPDATA) ? env.LOCALAPPDATA : path.join(userHome(env, os), 'AppData', 'Local');
    return path.join(local, 'acr-login');
  }
  if (os === 'darwin') return path.join(userHome(env, os), 'Library', macFolder, 'acr-login');
  return undefined;
}

function productDir(
  env: NodeJS.ProcessEnv,
  os: Os,
  variable: string,
  xdgDefault: string,
  macFolder: 'Caches' | 'Application Support'
): string {
  const path = pathOf(os);
  const xdg = xdgDir(env, variable, os);
  if (xdg) return path.join(xdg, 'acr-login');
  return platformDir(env, os, macFolder) ?? path.join(userHome(env, os), xdgDefault, 'acr-login');
}

/** The helper's refresh tokens (a private directory): `$XDG_CACHE_HOME/acr-login`, else ~/.cache, %LOCALAPPDATA%\acr-login\cache, ~/Library/Caches. */
export function tokenCacheDir(env: NodeJS.ProcessEnv, os: Os = process.platform): string {
  const dir = productDir(env, os, 'XDG_CACHE_HOME', '.cache', 'Caches');
  return os === 'win32' && !xdgDir(env, 'XDG_CACHE_HOME', os) ? pathOf(os).join(dir, 'cache') : dir;
}

/** The helper's non-secret settings per registry: `$XDG_CONFIG_HOME/acr-login/helper.json`, else ~/.config/..., or the platform's folder. */
export function helperSettingsPath(env: NodeJS.ProcessEnv, os: Os = process.platform): string {
  return pathOf(os).join(productDir(env, os, 'XDG_CONFIG_HOME', '.config', 'Application Support'), 'helper.json');
}

/** What the command line wrote, for its logout: `$XDG_STATE_HOME/acr-login/logins.json`, else ~/.local/state/..., or the platform's folder. */
export function loginRecordsPath(env: NodeJS.ProcessEnv, os: Os = process.platform): string {
  return pathOf(os).join(productDir(env, os, 'XDG_STATE_HOME', '.local/state', 'Application Support'), 'logins.json');
}

/** Where the command line puts the helper's launcher: `$XDG_DATA_HOME/acr-login/bin`, else ~/.local/share/..., or the platform's folder. */
export function launcherDir(env: NodeJS.ProcessEnv, os: Os = process.platform): string {
  return pathOf(os).join(productDir(env, os, 'XDG_DATA_HOME', '.local/share', 'Application Support'), 'bin');
}

/**
 * A docker config entry a login replaced, kept aside (a private file in this private directory) until its logout
 * puts it back: `$XDG_STATE_HOME/acr-login/kept`, else ~/.local/state/..., or the platform's folder.
 */
export function keptEntriesDir(env: NodeJS.ProcessEnv, os: Os = process.platform): string {
  return pathOf(os).join(productDir(env, os, 'XDG_STATE_HOME', '.local/state', 'Application Support'), 'kept');
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
