import { AuthEntry, dockerConfigPath, fingerprint, readConfigFile, writeAuths } from './docker/config';
import { chooseAutoLoginMode } from './docker/login-mode';
import { clientAuthFiles } from './clients/auth-files';
import { writeClientAuths, writtenAlso } from './clients/entries';
import { keptFileIn } from './docker/kept';
import { keptEntriesDir } from './helper/paths';
import { obtainCredentials } from './credentials';
import type { RegistryCredential } from './registry/exchange';
import { LoginState, serializeState, ServerWritten } from './state';
import type { LoginMode, LoginOptions } from './options';
import type { Platform } from './platform';

/** What a login did: the credential of each registry, and where it went. */
export interface LoginResult {
  credentials: RegistryCredential[];
  mode: Exclude<LoginMode, 'auto'>;
}

/** The whole login: credentials for every registry, then docker or the config file, then the outputs. */
export async function login(options: LoginOptions, platform: Platform): Promise<LoginResult> {
  const credentials = await obtainCredentials(options, platform);
  const mode = options.login === 'auto' ? await autoLoginMode(credentials, platform) : options.login;
  if (options.login !== 'auto') platform.debug(`login: ${mode}`);
  if (mode === 'helper') await (await import('./helper/store')).storeForHelper(credentials, options, platform);
  else if (mode !== 'none') await store(credentials.map(toAuthEntry), mode, options.logout, platform);
  setOutputs(credentials, platform);
  return { credentials, mode };
}

async function autoLoginMode(credentials: RegistryCredential[], platform: Platform): Promise<'helper' | 'config'> {
  const config = await readConfigFile(dockerConfigPath(platform.env));
  const { mode, because } = chooseAutoLoginMode(
    config,
    credentials.map((credential) => credential.registry.loginServer)
  );
  platform.debug(`login: ${mode}, as login is auto and ${because}`);
  return mode;
}

async function store(entries: AuthEntry[], mode: 'docker' | 'config', logout: boolean, platform: Platform): Promise<void> {
  const configPath = dockerConfigPath(platform.env);
  // The state is saved before anything is written: it names where a replaced entry will be kept, never the entry.
  const keptDir = keptEntriesDir(platform.env);
  const otherFiles = await clientAuthFiles(platform.env, configPath);
  const written: ServerWritten[] = entries.map((entry) => {
    const kept = logout ? keptFileIn(keptDir) : undefined;
    return { server: entry.server, fingerprint: fingerprint(entry), ...(kept ? { kept } : {}), ...writtenAlso(otherFiles, kept) };
  });
  if (logout) {
    const state: LoginState = { mode, configPath, servers: written };
    await platform.saveState(serializeState(state));
  }
  if (mode === 'config') {
    const { credsStore, overriddenBy } = await writeAuths(
      configPath,
      entries.map((entry, i) => ({ ...entry, kept: written[i]?.kept }))
    );
    if (credsStore) {
      platform.warning(
        `${configPath} names credsStore '${credsStore}': the docker CLI reads credentials from there, not from auths; use login: auto or login: helper (a credHelpers entry docker asks before the store, for any token length)`
      );
    }
    for (const [server, helper] of Object.entries(overriddenBy)) {
      platform.warning(
        `${configPath} names credHelpers '${helper}' for ${server}: docker asks docker-credential-${helper} and ignores the auths entry just written; remove that credHelpers entry, or use login: helper`
      );
    }
    platform.info(`Wrote credentials for ${entries.map((entry) => entry.server).join(', ')} to ${configPath}`);
    await writeClientAuths(otherFiles, entries, written, platform);
    return;
  }
  await (await import('./docker/docker-login')).loginWithDocker(configPath, entries, written, logout, platform);
  await writeClientAuths(otherFiles, entries, written, platform);
}

function setOutputs(credentials: RegistryCredential[], platform: Platform): void {
  const column = (pick: (credential: RegistryCredential) => string): string => credentials.map(pick).join('\n');
  platform.setOutput(
    'login-server',
    column((c) => c.registry.loginServer),
    false
  );
  platform.setOutput(
    'username',
    column((c) => c.username),
    false
  );
  platform.setOutput(
    'password',
    column((c) => c.password),
    true
  );
  platform.setOutput(
    'expires-on',
    column((c) => isoDate(c.expiresOn)),
    false
  );
  for (const credential of credentials) {
    const until = isoDate(credential.expiresOn) ? `, valid until ${isoDate(credential.expiresOn)}` : '';
    platform.info(`Logged in to ${credential.registry.loginServer} as ${credential.username}${until}`);
  }
}

function toAuthEntry(credential: RegistryCredential): AuthEntry {
  return { server: credential.registry.loginServer, username: credential.username, password: credential.password };
}

/** A valid date as ISO 8601, else nothing: a date out of range never throws here. */
function isoDate(date: Date | undefined): string {
  return date && Number.isFinite(date.getTime()) ? date.toISOString() : '';
}
