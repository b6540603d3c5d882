import { describeError } from '../../lib/errors';
import { dockerLogin, dockerLogout, DockerRunner } from './cli';
import { AuthEntry, credsStoreOf, isOurAuth, keepAuthsAside, readConfigFile, Undone, undoEntries, withConfigLock, Written } from './config';
import { dropKept, handOn } from './kept';

/**
 * The docker CLI does not lock its config file: two `docker login` runs on one config at once each
 * write back what they read, and one entry is lost. So the product's own docker runs on a config
 * hold that config's lock, one at a time, as its own writes do; a step may wait for several others.
 */
const DOCKER_RUNS_LOCK = { waitMs: 10 * 60 * 1000, staleMs: 30000 };

/** login: docker — keeps aside what docker login will replace, then runs it for each entry, all under the config's lock. */
export async function dockerLoginsOn(
  configPath: string,
  entries: AuthEntry[],
  written: Written[],
  run: DockerRunner,
  loggedIn: (server: string) => void
): Promise<void> {
  await withConfigLock(
    configPath,
    async () => {
      await keepAuthsAside(configPath, written);
      for (const entry of entries) {
        await dockerLogin(entry, run);
        loggedIn(entry.server);
      }
    },
    DOCKER_RUNS_LOCK
  );
}

export interface DockerLogoutReport extends Undone {
  loggedOut: string[];
  failed: Array<{ server: string; reason: string }>;
}

/**
 * The logout of login: docker, under the config's lock: `docker logout` only where the entry is still
 * the one this login wrote (docker writes `auth` as base64(user:password), so its fingerprint is
 * known), then the kept entries go back; an entry another login replaced meanwhile is left to it,
 * with what this login kept handed on. Where a credsStore or credHelpers entry holds the secret, the
 * entry cannot be told apart and docker logout runs as it always did.
 */
export async function dockerLogoutsOn(configPath: string, written: Written[], run: DockerRunner): Promise<DockerLogoutReport> {
  const report: DockerLogoutReport = { removed: [], restored: [], changed: [], handedOn: [], loggedOut: [], failed: [] };
  await withConfigLock(
    configPath,
    async () => {
      for (const entry of written) {
        const { server, fingerprint, kept } = entry;
        const config = await readConfigFile(configPath);
        const inStore = credsStoreOf(config).credsStore !== undefined || config.credHelpers?.[server] !== undefined;
        const current = config.auths?.[server];
        if (!inStore && current !== undefined && !isOurAuth(current, fingerprint)) {
          report.changed.push(server);
          if (kept && (await handOn(configPath, 'auths', server, fingerprint, kept))) report.handedOn.push(server);
          if (kept) await dropKept(kept);
          continue;
        }
        if (inStore || current !== undefined) {
          try {
            await dockerLogout(server, run);
            report.loggedOut.push(server);
          } catch (error) {
            report.failed.push({ server, reason: describeError(error) });
          }
        }
        if (kept) {
          const { restored } = await undoEntries(configPath, 'auths', [entry], isOurAuth, true, true);
          report.restored.push(...restored);
        }
      }
    },
    DOCKER_RUNS_LOCK
  );
  return report;
}
