import { removeAuths } from './docker/config';
import { describeError } from '../lib/errors';
import { undoClientFiles } from './clients/entries';
import { parseState } from './state';
import type { Platform } from './platform';

/** Undoes exactly what the login step wrote. Never throws: a cleanup problem is a warning. */
export async function logout(stateText: string, platform: Platform): Promise<void> {
  const state = parseState(stateText);
  if (!state || state.servers.length === 0) {
    platform.info('Nothing to log out of');
    return;
  }
  platform.debug(`logout: undoing the ${state.mode} login of ${state.servers.map((entry) => entry.server).join(', ')}`);
  try {
    if (state.mode === 'helper') {
      await (await import('./helper/store')).removeHelperLogin(state, platform);
      return;
    }
    if (state.mode === 'config' && state.configPath) {
      const { removed, restored, changed, handedOn } = await removeAuths(state.configPath, state.servers);
      if (removed.length > 0) platform.info(`Removed credentials for ${removed.join(', ')} from ${state.configPath}`);
      if (restored.length > 0) platform.info(`Put back the earlier credentials for ${restored.join(', ')} in ${state.configPath}`);
      reportChanged(state.configPath, changed, handedOn, platform);
      return;
    }
    if (!state.configPath) return;
    const { logoutWithDocker } = await import('./docker/docker-login');
    const { report, storesPutBack: putBack } = await logoutWithDocker(state.configPath, state.servers, platform);
    for (const server of report.loggedOut) platform.info(`docker logout ${server} succeeded`);
    for (const { server, reason } of report.failed) platform.warning(`Logout of ${server} failed: ${reason}`);
    if (report.restored.length > 0)
      platform.info(`Put back the earlier credentials for ${report.restored.join(', ')} in ${state.configPath}`);
    reportChanged(state.configPath, report.changed, report.handedOn, platform);
    if (putBack.length > 0) platform.info(`Put back the earlier credential store entries of ${putBack.join(', ')}`);
  } catch (error) {
    platform.warning(`Logout failed: ${describeError(error)}`);
  } finally {
    // login: helper undoes them with the docker config's entries, as it may leave them to another login.
    if (state.mode !== 'helper') await undoClientFiles(state, platform);
  }
}

/** Entries another writer replaced after this step: left alone (another job's login is never logged out). */
function reportChanged(configPath: string, changed: string[], handedOn: string[], platform: Platform): void {
  for (const server of changed) {
    if (handedOn.includes(server)) {
      platform.info(
        `Left ${server} in ${configPath} to the later login that replaced it; it puts back the earlier credentials when it logs out`
      );
    } else platform.warning(`Left ${server} in ${configPath}: its credentials changed after this step wrote them`);
  }
}
