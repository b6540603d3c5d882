import { HELPER_EXECUTABLE, HELPER_NAME, removeCredHelpers, writeCredHelpers } from '../docker/cred-helpers';
import { dockerConfigPath } from '../docker/config';
import { LoginError } from '../../lib/errors';
import type { RegistryCredential } from '../registry/exchange';
import { installLauncher } from './launcher';
import { cacheIdentityOf, helperSettingsOf, HelperSettings, recordHelperSettings, removeHelperSettings } from './settings';
import { helperSettingsPath, keptEntriesDir, tokenCacheDir } from './paths';
import { keptFileIn } from '../docker/kept';
import { clientAuthFiles } from '../clients/auth-files';
import { writeClientCredHelpers, writtenAlso } from '../clients/entries';
import { LoginState, serializeState } from '../state';
import type { Credential, LoginOptions } from '../options';
import type { Platform } from '../platform';
import { removeCachedTokens, storeRefreshToken } from './token-cache';

/**
 * login: helper — seeds the helper's cache with the tokens just obtained, records how to sign in
 * again (no secret), puts the helper's launcher on PATH and points `credHelpers` at it.
 */
export async function storeForHelper(credentials: RegistryCredential[], options: LoginOptions, platform: Platform): Promise<void> {
  const { env } = platform;
  const host = platform.credentialHelper;
  if (!host) throw new LoginError('login helper is not available here');
  const configPath = dockerConfigPath(env);
  const settingsPath = helperSettingsPath(env);
  const cacheDir = tokenCacheDir(env);
  const servers = credentials.map((credential) => credential.registry.loginServer);
  const keptDir = keptEntriesDir(env);
  const otherFiles = await clientAuthFiles(env, configPath);
  const written = servers.map((server) => ({
    server,
    fingerprint: HELPER_NAME,
    ...(options.logout ? { kept: keptFileIn(keptDir) } : {}),
    ...writtenAlso(otherFiles, options.logout, keptDir)
  }));
  if (options.logout) {
    const state: LoginState = { mode: 'helper', configPath, settingsPath, cacheDir, servers: written };
    platform.saveState(serializeState(state));
  }
  const settings: Record<string, HelperSettings> = {};
  for (const credential of credentials) {
    const recorded = helperSettingsOf(options, credential.registry);
    settings[credential.registry.loginServer] = recorded;
    await storeRefreshToken(
      cacheDir,
      credential.registry.loginServer,
      cacheIdentityOf(recorded),
      credential.password,
      credential.expiresOn
    );
  }
  await recordHelperSettings(settingsPath, settings);
  const reach = await installLauncher(host, env);
  if (reach.how === 'added') platform.info(`Put ${reach.dir} on PATH for ${HELPER_EXECUTABLE}`);
  if (reach.how === 'other') platform.info(`docker will run ${reach.path}`);
  if (reach.how === 'unreachable') {
    platform.warning(
      `${HELPER_EXECUTABLE} is not on PATH: add ${reach.dir} to PATH (export PATH="${reach.dir}:$PATH") so docker, podman and skopeo find it`
    );
  }
  await writeCredHelpers(configPath, written);
  platform.info(
    `Wrote credHelpers for ${servers.join(', ')} to ${configPath}; ${HELPER_EXECUTABLE} renews their tokens when less than 10 minutes are left`
  );
  await writeClientCredHelpers(otherFiles, written, platform);
  const hint = renewalHint(Object.values(settings)[0], options.credential, env);
  if (hint) platform.warning(hint);
}

/** Undoes login: helper for these servers: the credHelpers entries that still name the helper, the settings and the cached tokens. */
export async function removeHelperLogin(state: LoginState, platform: Platform): Promise<void> {
  const servers = state.servers.map((entry) => entry.server);
  if (state.configPath) {
    const { removed, restored, changed } = await removeCredHelpers(state.configPath, state.servers);
    if (removed.length > 0) platform.info(`Removed the credHelpers entries for ${removed.join(', ')} from ${state.configPath}`);
    if (restored.length > 0) platform.info(`Put back the earlier credHelpers entries for ${restored.join(', ')} in ${state.configPath}`);
    for (const server of changed) platform.warning(`Left credHelpers ${server} in ${state.configPath}: it names another helper now`);
  }
  if (state.settingsPath) await removeHelperSettings(state.settingsPath, servers);
  if (state.cacheDir) await removeCachedTokens(state.cacheDir, servers);
}

/** Why the helper may be unable to renew a token after about 3 hours, when the environment lacks what it needs. */
function renewalHint(settings: HelperSettings | undefined, credential: Credential, env: NodeJS.ProcessEnv): string | undefined {
  if (!settings) return undefined;
  const after = 'the credential helper renews the tokens (valid about 3 hours) only';
  if (
    settings.authType === 'service-principal' &&
    !settings.certificatePath &&
    !env.AZURE_CLIENT_SECRET &&
    !env.AZURE_CLIENT_CERTIFICATE_PATH
  ) {
    return `${after} if AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH) is set where docker runs`;
  }
  if (settings.authType === 'oidc' && !settings.federation) return `${after} if AZURE_FEDERATED_TOKEN_FILE is set where docker runs`;
  if (credential.kind === 'oidc' && credential.source.renewalHint) return `${after} if ${credential.source.renewalHint}`;
  return undefined;
}
