import { LoginError } from '../../lib/errors';
import { HttpObserver, send } from '../../lib/http';
import type { ProxySettings } from '../../lib/proxy';
import { acrErrorMessage, RegistryCredential } from './exchange';
import type { Registry } from './names';

/**
 * Checks a repository-scoped token or admin user against the registry's token endpoint, so a wrong
 * password fails the login step rather than the first push.
 */
export async function checkBasicCredential(
  registry: Registry,
  username: string,
  password: string,
  proxy: ProxySettings,
  observer?: HttpObserver
): Promise<RegistryCredential> {
  const query = new URLSearchParams({ service: registry.loginServer }).toString();
  const response = await send({
    proxy,
    method: 'GET',
    url: `${registry.baseUrl}/oauth2/token?${query}`,
    headers: { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`, Accept: 'application/json' },
    observer
  });
  if (response.status === 200) return { registry, username, password };
  if (response.status === 401 || response.status === 403) {
    throw new LoginError(
      `${registry.loginServer} rejected the password of '${username}' (HTTP ${response.status})${acrErrorMessage(response.body)}. ` +
        'Check the token or admin user password, and that the token is enabled and not expired'
    );
  }
  throw new LoginError(
    `checking '${username}' at ${registry.loginServer} failed with HTTP ${response.status}${acrErrorMessage(response.body)}`
  );
}
