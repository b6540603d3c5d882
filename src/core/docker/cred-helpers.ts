import { credsStoreOf, removeOwnEntries, updateConfig } from './config';

/** The `credHelpers` value naming this product's helper: docker runs `docker-credential-<name>`. */
export const HELPER_NAME = 'acr-login';
export const HELPER_EXECUTABLE = `docker-credential-${HELPER_NAME}`;

/** Points `credHelpers` of each server at the helper, keeping every other entry; reports a `credsStore` that other tools may prefer. */
export async function writeCredHelpers(configPath: string, servers: string[]): Promise<{ credsStore?: string }> {
  return updateConfig(configPath, (config) => {
    const helpers = (config.credHelpers ??= {});
    const changed = servers.some((server) => helpers[server] !== HELPER_NAME);
    for (const server of servers) helpers[server] = HELPER_NAME;
    return { changed, result: credsStoreOf(config) };
  });
}

/** Removes the `credHelpers` entries that still name the helper; reports those changed since. */
export async function removeCredHelpers(configPath: string, servers: string[]): Promise<{ removed: string[]; changed: string[] }> {
  return updateConfig(configPath, (config) => {
    const { removed, changed } = removeOwnEntries(config.credHelpers, servers, (_server, helper) => helper === HELPER_NAME);
    if (removed.length > 0 && config.credHelpers && Object.keys(config.credHelpers).length === 0) delete config.credHelpers;
    return { changed: removed.length > 0, result: { removed, changed } };
  });
}
