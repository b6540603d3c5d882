import { dockerLogout } from './docker/cli';
import { removeAuths, restoreAfterDockerLogout } from './docker/config';
import { describeError } from '../lib/errors';
import { removeHelperLogin } from './helper/store';
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
      await removeHelperLogin(state, platform);
      return;
    }
    if (state.mode === 'config' && state.configPath) {
      const { removed, restored, changed } = await removeAuths(state.configPath, state.servers);
      if (removed.length > 0) platform.info(`Removed credentials for ${removed.join(', ')} from ${state.configPath}`);
      if (restored.length > 0) platform.info(`Put back the earlier credentials for ${restored.join(', ')} in ${state.configPath}`);
      for (const server of changed)
        platform.warning(`Left ${server} in ${state.configPath}: its credentials changed after this step wrote them`);
      return;
    }
    for (const { server } of state.servers) {
      try {
        await dockerLogout(server, platform.runDocker);
        platform.info(`docker logout ${server} succeeded`);
      } catch (error) {
        platform.warning(`Logout of ${server} failed: ${describeError(error)}`);
      }
    }
    if (state.configPath) {
      const restored = await restoreAfterDockerLogout(state.configPath, state.servers);
      if (restored.length > 0) platform.info(`Put back the earlier credentials for ${restored.join(', ')} in ${state.configPath}`);
    }
  } catch (error) {
    platform.warning(`Logout failed: ${describeError(error)}`);
  } finally {
    await undoClientFiles(state, platform);
  }
}
