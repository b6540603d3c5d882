import { credsStoreOf, editConfigLocked, Undone, undoEntries, updateConfig, Written } from './config';
import { keepAside } from './kept';

/** The `credHelpers` value naming this product's helper: docker runs `docker-credential-<name>`. */
export const HELPER_NAME = 'acr-login';
export const HELPER_EXECUTABLE = `docker-credential-${HELPER_NAME}`;

/**
 * Points `credHelpers` of each server at the helper, keeping every other entry; an entry it replaces
 * is kept aside first for the logout to put back. Reports a `credsStore` that other tools may prefer.
 * With `lockHeld`, the caller holds the config's lock already (withConfigLock).
 */
export async function writeCredHelpers(
  configPath: string,
  servers: Array<{ server: string; kept?: string }>,
  lockHeld = false
): Promise<{ credsStore?: string }> {
  return (lockHeld ? editConfigLocked<{ credsStore?: string }> : updateConfig<{ credsStore?: string }>)(configPath, async (config) => {
    const helpers = (config.credHelpers ??= {});
    for (const { server, kept } of servers) {
      const earlier = helpers[server];
      if (earlier !== undefined && kept) {
        await keepAside(kept, {
          section: 'credHelpers',
          server,
          entry: earlier,
          fingerprint: typeof earlier === 'string' ? earlier : '',
          configPath
        });
      }
    }
    const changed = servers.some(({ server }) => helpers[server] !== HELPER_NAME);
    for (const { server } of servers) helpers[server] = HELPER_NAME;
    return { changed, result: credsStoreOf(config) };
  });
}

/** Removes the `credHelpers` entries that still name the helper, putting back those they replaced; reports those changed since. */
export async function removeCredHelpers(configPath: string, servers: Written[], lockHeld = false): Promise<Undone> {
  return undoEntries(configPath, 'credHelpers', servers, (helper) => helper === HELPER_NAME, false, lockHeld);
}
