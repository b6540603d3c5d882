import {
  azureEnvironmentInputs,
  debugSwitchedOn,
  FederatedTokenSource,
  FederationSetting,
  HELPER_EXECUTABLE,
  HelperSettings,
  helperSettingsOf,
  obtainCredentials,
  parseLoginOptions,
  parseRegistry,
  Platform,
  RawInputs,
  RegistryCredential
} from '../core';
import { federatedTokenEnv } from '../federation/env';
import { federatedTokenFile } from '../federation/file';
import { describeError, LoginError } from '../lib/errors';
import { proxyFromEnvironment } from '../lib/proxy';
import { githubFederation } from '../federation/github';
import { azureDevOpsFederation } from '../federation/azure-devops';
import { ambientFederation } from '../federation/ambient';

/** The helper prints nothing but its answer: the core's progress messages go nowhere, its debug lines to stderr when asked. */
function quiet(env: NodeJS.ProcessEnv): Platform {
  return {
    info: () => undefined,
    warning: () => undefined,
    debug: debugSwitchedOn(env) ? (message) => process.stderr.write(`${HELPER_EXECUTABLE}: debug: ${message}\n`) : () => undefined,
    mask: () => undefined,
    setOutput: () => undefined,
    saveState: () => undefined,
    env,
    proxy: proxyFromEnvironment(env)
  };
}

const NO_TOKEN_HINT = 'no federated token: set AZURE_FEDERATED_TOKEN_FILE, or run inside a GitHub job with permissions: id-token: write';

/**
 * Settings for a server `login: helper` never recorded, from the Azure environment alone (an
 * Azure Container Registry host and a credential the environment names); undefined otherwise.
 */
export function settingsFromEnvironment(server: string, env: NodeJS.ProcessEnv): HelperSettings | undefined {
  try {
    const registry = parseRegistry(server);
    if (registry.baseUrl.startsWith('http:')) return undefined;
    const options = parseLoginOptions(
      { ...azureEnvironmentInputs(env), registry: server, login: 'none' },
      environmentFederation(undefined, env, quiet(env))
    );
    return options.credential.kind === 'token' ? undefined : helperSettingsOf(options, registry);
  } catch {
    return undefined;
  }
}

/** Signs in again as the settings say, with the secret (if any) from the environment, for one registry. */
export async function signInAgain(server: string, settings: HelperSettings, env: NodeJS.ProcessEnv): Promise<RegistryCredential> {
  const fromEnv = azureEnvironmentInputs(env);
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
    const platform = quiet(env);
    credentials = await obtainCredentials(parseLoginOptions(raw, environmentFederation(settings.federation, env, platform)), platform);
  } catch (error) {
    throw new LoginError(`cannot get a new token for ${server}: ${describeError(error)}`);
  }
  const [credential] = credentials;
  if (!credential) throw new LoginError(`cannot get a new token for ${server}: no credential`);
  return credential;
}

/** The recorded token source when there is one, else AZURE_FEDERATED_TOKEN_FILE, else a GitHub job's token. */
function environmentFederation(setting: FederationSetting | undefined, env: NodeJS.ProcessEnv, platform: Platform): FederatedTokenSource {
  const mask = (): undefined => undefined;
  switch (setting?.kind) {
    case 'file':
      return federatedTokenFile(setting.path, mask);
    case 'env':
      return federatedTokenEnv(setting.name, env, mask);
    case 'github':
      return githubFederation(env, platform);
    case 'azure-devops':
      return azureDevOpsFederation(
        {
          requestUri: env.SYSTEM_OIDCREQUESTURI?.trim() ?? '',
          accessToken: env.SYSTEM_ACCESSTOKEN?.trim() ?? '',
          serviceConnectionId: setting.serviceConnectionId,
          proxy: platform.proxy
        },
        mask
      );
    default:
      return ambientFederation(env, platform, NO_TOKEN_HINT);
  }
}
