import { LoginError, describeError } from '../../lib/errors';
import { obtainCredentials } from '../credentials';
import { azureEnvironmentInputs } from '../environment-inputs';
import { parseLoginOptions, type RawInputs } from '../options';
import type { Platform } from '../platform';
import type { RegistryCredential } from '../registry/exchange';
import { parseRegistry } from '../registry/names';
import type { FederatedTokenSource, FederationSetting } from '../token-source';
import { helperSettingsOf, type HelperSettings } from './settings';

/** What a renewal needs from the helper's adapter: a quiet platform, and the federated token source a setting names. */
export interface RenewalHost {
  env: NodeJS.ProcessEnv;
  platform: Platform;
  /** The recorded token source when there is one, else what the environment offers. */
  federation(setting: FederationSetting | undefined): FederatedTokenSource;
}

/**
 * Settings for a server `login: helper` never recorded, from the Azure environment alone (an Azure Container
 * Registry host and a credential the environment names); undefined otherwise.
 */
export function settingsFromEnvironment(server: string, host: RenewalHost): HelperSettings | undefined {
  try {
    const registry = parseRegistry(server);
    if (registry.baseUrl.startsWith('http:')) return undefined;
    const options = parseLoginOptions({ ...azureEnvironmentInputs(host.env), registry: server, login: 'none' }, host.federation(undefined));
    return options.credential.kind === 'token' ? undefined : helperSettingsOf(options, registry);
  } catch {
    return undefined;
  }
}

/** Signs in again as the settings say, with the secret (if any) from the environment, for one registry. */
export async function signInAgain(server: string, settings: HelperSettings, host: RenewalHost): Promise<RegistryCredential> {
  const fromEnv = azureEnvironmentInputs(host.env);
  const raw: RawInputs = {
    registry: settings.baseUrl,
    'auth-type': settings.authType,
    'client-id': settings.clientId ?? (settings.authType === 'managed-identity' ? '' : fromEnv['client-id']),
    'tenant-id': settings.tenantId ?? fromEnv['tenant-id'],
    environment: settings.environment,
    'authority-host': settings.authorityHost,
    'token-audience': settings.audience,
    'oidc-audience': settings.oidcAudience,
    login: 'none'
  };
  if (settings.authType === 'service-principal') {
    if (settings.certificatePath) raw['client-certificate'] = settings.certificatePath;
    else if (fromEnv['client-secret']) raw['client-secret'] = fromEnv['client-secret'];
    else if (fromEnv['client-certificate']) raw['client-certificate'] = fromEnv['client-certificate'];
  }
  let credentials: RegistryCredential[];
  try {
    credentials = await obtainCredentials(parseLoginOptions(raw, host.federation(settings.federation)), host.platform);
  } catch (error) {
    throw new LoginError(`cannot get a new token for ${server}: ${describeError(error)}`);
  }
  const [credential] = credentials;
  if (!credential) throw new LoginError(`cannot get a new token for ${server}: no credential`);
  return credential;
}
