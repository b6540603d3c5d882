import { HELPER_EXECUTABLE, HELPER_NAME, removeCredHelpers, writeCredHelpers } from '../docker/cred-helpers';
import { LoginError } from '../../lib/errors';
import type { RegistryCredential } from '../registry/exchange';
import { installLauncher, pathHint } from './launcher';
import {
  cacheIdentityOf,
  helperSettingsOf,
  HelperSettings,
  joinHelperSettings,
  leaveHelperSettings,
  recordHelperSettings,
  removeHelperSettings
} from './settings';
import { helperSettingsPathFor, keptEntriesDir, tokenCacheDirFor } from './paths';
import { dropKept, keptFileIn, passKept, readKept } from '../docker/kept';
import { dockerConfigPath, withConfigLock } from '../docker/config';
import { randomBytes } from 'node:crypto';
import { clientAuthFiles } from '../clients/auth-files';
import { undoClientFiles, writeClientCredHelpers, writtenAlso } from '../clients/entries';
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
  const settingsPath = helperSettingsPathFor(env, configPath);
  const cacheDir = tokenCacheDirFor(env, configPath);
  const servers = credentials.map((credential) => credential.registry.loginServer);
  const keptDir = keptEntriesDir(env);
  // The fingerprint names this login among the others of the same config (they all write the helper's name).
  const id = `${HELPER_NAME}:${randomBytes(8).toString('hex')}`;
  const otherFiles = await clientAuthFiles(env, configPath);
  const written = servers.map((server) => {
    const kept = options.logout ? keptFileIn(keptDir) : undefined;
    return { server, fingerprint: id, ...(kept ? { kept } : {}), ...writtenAlso(otherFiles, kept) };
  });
  if (options.logout) {
    const state: LoginState = { mode: 'helper', configPath, settingsPath, cacheDir, servers: written };
    await platform.saveState(serializeState(state));
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
  const reach = await installLauncher(host, env);
  if (reach.how === 'added') platform.info(`Put ${reach.dir} on PATH for ${HELPER_EXECUTABLE}`);
  if (reach.how === 'other') platform.info(`docker will run ${reach.path}`);
  if (reach.how === 'unreachable') {
    platform.warning(
      `${HELPER_EXECUTABLE} is not on PATH: add ${reach.dir} to PATH (${pathHint(reach.dir)}) so docker, podman and skopeo find it`
    );
  }
  const shared = await withConfigLock(configPath, async () => {
    // A login only counts itself in when its logout will run; another live login's entry is not kept aside as the user's.
    if (!options.logout) {
      await recordHelperSettings(settingsPath, settings);
      await writeCredHelpers(configPath, written, true);
      return new Set<string>();
    }
    const shared = await joinHelperSettings(
      settingsPath,
      id,
      Object.fromEntries(written.map(({ server, kept }) => [server, { settings: settings[server] as HelperSettings, kept }]))
    );
    await writeCredHelpers(
      configPath,
      written.map(({ server, kept }) => (shared.has(server) ? { server } : { server, kept })),
      true
    );
    return shared;
  });
  platform.info(
    `Wrote credHelpers for ${servers.join(', ')} to ${configPath}; ${HELPER_EXECUTABLE} renews their tokens when less than 10 minutes are left`
  );
  await writeClientCredHelpers(otherFiles, written, shared, platform);
  const hint = renewalHint(Object.values(settings)[0], options.credential, env);
  if (hint) platform.warning(hint);
}

/**
 * Undoes login: helper for these servers: the credHelpers entries that still name the helper, the
 * settings and the cached tokens. Where another live login of the same docker config holds a server
 * too, it is left to it: only this login's settings go, and what this login kept passes to it.
 */
export async function removeHelperLogin(state: LoginState, platform: Platform): Promise<void> {
  const { configPath, settingsPath, cacheDir } = state;
  if (!configPath || !settingsPath) {
    if (settingsPath)
      await removeHelperSettings(
        settingsPath,
        state.servers.map((entry) => entry.server)
      );
    if (cacheDir)
      await removeCachedTokens(
        cacheDir,
        state.servers.map((entry) => entry.server)
      );
    return;
  }
  const holders = await withConfigLock(configPath, async () => {
    const id = state.servers[0]?.fingerprint ?? '';
    const holders = await leaveHelperSettings(
      settingsPath,
      id,
      state.servers.map((entry) => entry.server)
    );
    const lastOut = state.servers.filter((entry) => holders.get(entry.server) === undefined);
    for (const entry of state.servers) {
      const successor = holders.get(entry.server);
      if (!successor || !entry.kept) continue;
      // Only the first login on the entry kept anything (the others found the helper's own entry there).
      if (successor.kept && (await readKept(entry.kept, 'credHelpers', entry.server))) {
        await passKept(entry.kept, successor.kept, 'credHelpers', entry.server);
      } else await dropKept(entry.kept);
      platform.info(`Left credHelpers ${entry.server} in ${configPath} to another login of the helper on it, still running`);
    }
    if (lastOut.length === 0) return holders;
    const { removed, restored, changed } = await removeCredHelpers(configPath, lastOut, true);
    if (removed.length > 0) platform.info(`Removed the credHelpers entries for ${removed.join(', ')} from ${configPath}`);
    if (restored.length > 0) platform.info(`Put back the earlier credHelpers entries for ${restored.join(', ')} in ${configPath}`);
    for (const server of changed) platform.warning(`Left credHelpers ${server} in ${configPath}: it names another helper now`);
    if (cacheDir)
      await removeCachedTokens(
        cacheDir,
        lastOut.map((entry) => entry.server)
      );
    return holders;
  });
  await undoClientFiles(state, platform, holders);
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
