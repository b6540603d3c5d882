import { dockerLogin, dockerOnPath } from './docker/cli';
import { AuthEntry, dockerConfigPath, fingerprint, writeAuths } from './docker/config';
import { obtainCredentials } from './credentials';
import type { RegistryCredential } from './registry/exchange';
import { storeForHelper } from './helper/store';
import { LoginState, serializeState } from './state';
import type { LoginOptions } from './options';
import type { Platform } from './platform';

/** The whole login: credentials for every registry, then docker or the config file, then the outputs. */
export async function login(options: LoginOptions, platform: Platform): Promise<RegistryCredential[]> {
  const credentials = await obtainCredentials(options, platform);
  const mode = options.login === 'auto' ? (dockerOnPath(platform.env) ? 'docker' : 'config') : options.login;
  if (mode === 'helper') await storeForHelper(credentials, options, platform);
  else if (mode !== 'none') await store(credentials.map(toAuthEntry), mode, options.logout, platform);
  setOutputs(credentials, platform);
  return credentials;
}

async function store(entries: AuthEntry[], mode: 'docker' | 'config', logout: boolean, platform: Platform): Promise<void> {
  const configPath = mode === 'config' ? dockerConfigPath(platform.env) : undefined;
  if (logout) {
    const state: LoginState = { mode, servers: entries.map((entry) => ({ server: entry.server, fingerprint: fingerprint(entry) })) };
    if (configPath) state.configPath = configPath;
    platform.saveState(serializeState(state));
  }
  if (configPath) {
    const { credsStore } = await writeAuths(configPath, entries);
    if (credsStore) {
      platform.warning(
        `${configPath} names credsStore '${credsStore}': the docker CLI reads credentials from there, not from auths; use login: docker for the docker CLI`
      );
    }
    platform.info(`Wrote credentials for ${entries.map((entry) => entry.server).join(', ')} to ${configPath}`);
    return;
  }
  // One at a time: the docker CLI does not lock its config file.
  for (const entry of entries) {
    await dockerLogin(entry, platform.runDocker);
    platform.info(`docker login ${entry.server} succeeded`);
  }
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
    column((c) => c.expiresOn?.toISOString() ?? ''),
    false
  );
  for (const credential of credentials) {
    const until = credential.expiresOn ? `, valid until ${credential.expiresOn.toISOString()}` : '';
    platform.info(`Logged in to ${credential.registry.loginServer} as ${credential.username}${until}`);
  }
}

function toAuthEntry(credential: RegistryCredential): AuthEntry {
  return { server: credential.registry.loginServer, username: credential.username, password: credential.password };
}
