import { mapLimited } from '../lib/limit';
import { getEntraToken } from './entra/token';
import type { LoginOptions } from './options';
import type { Platform } from './platform';
import { checkBasicCredential } from './registry/basic-auth-check';
import { exchangeForRefreshToken, RegistryCredential } from './registry/exchange';

/** Registries asked at once: enough for any real job, and no flood of connections from a long list. */
export const MAX_IN_FLIGHT = 8;

/** A credential for every registry: one Entra token exchanged at each registry, or the checked username and password. */
export async function obtainCredentials(options: LoginOptions, platform: Platform): Promise<RegistryCredential[]> {
  const { credential, registries } = options;
  const servers = registries.map((registry) => registry.loginServer).join(', ');
  if (credential.kind === 'token') {
    platform.info(`Checking the password of '${credential.username}' at ${servers}`);
    return mapLimited(registries, MAX_IN_FLIGHT, (registry) => checkBasicCredential(registry, credential.username, credential.password));
  }
  platform.info(`Requesting an ${options.audience.toUpperCase()}-audience token from Entra ID (${credential.kind})`);
  const accessToken = await getEntraToken(credential, options.authorityHost, options.audience);
  platform.mask(accessToken);
  platform.info(`Exchanging it for refresh tokens at ${servers}`);
  return mapLimited(registries, MAX_IN_FLIGHT, async (registry) => {
    const exchanged = await exchangeForRefreshToken(registry, accessToken, options.audience);
    platform.mask(exchanged.password);
    return exchanged;
  });
}
