import { describeError } from '../../lib/errors';
import type { Platform } from '../platform';
import type { ServerWritten } from '../state';
import { dockerRunner } from './cli';
import type { AuthEntry } from './config';
import { keepStoreEntries, refusedByStore, restoreStoreEntries } from './credential-store';
import { DockerLogoutReport, dockerLoginsOn, dockerLogoutsOn } from './docker-runs';

// login: docker and its logout, loaded only by the logins that ask for it: the other modes start no docker.

/** `docker login` for each entry, a credential store's earlier entry for each registry kept aside first. */
export async function loginWithDocker(
  configPath: string,
  entries: AuthEntry[],
  written: ServerWritten[],
  logout: boolean,
  platform: Platform
): Promise<void> {
  const stores = await keepStoreEntries(configPath, written, platform.env);
  // One at a time, under the config's lock: the docker CLI does not lock its config file.
  await dockerLoginsOn(configPath, entries, logout ? written : [], platform.runDocker ?? dockerRunner(platform.env), (server) =>
    platform.info(`docker login ${server} succeeded`)
  ).catch((error: unknown) => {
    throw refusedByStore(describeError(error), stores) ?? error;
  });
}

/** `docker logout` of the entries still this login's, then the credential stores' earlier entries put back. */
export async function logoutWithDocker(
  configPath: string,
  servers: ServerWritten[],
  platform: Platform
): Promise<{ report: DockerLogoutReport; storesPutBack: string[] }> {
  const report = await dockerLogoutsOn(configPath, servers, platform.runDocker ?? dockerRunner(platform.env));
  const storesPutBack = await restoreStoreEntries(configPath, servers, platform.env);
  return { report, storesPutBack };
}
