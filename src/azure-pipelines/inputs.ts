import { Writable } from 'node:stream';
import * as tl from 'azure-pipelines-task-lib/task';
import { FederatedTokenSource, maskableLines, noFederation, RawInputs, secretValues } from '../core';
import { LoginError } from '../lib/errors';
import { azureDevOpsFederation } from '../federation/azure-devops';

export interface TaskInputs {
  raw: RawInputs;
  federation: FederatedTokenSource;
}

const NO_FEDERATION = noFederation('only a workload identity federation service connection gives an OIDC token');

const SUPPORTED_SCHEMES =
  'WorkloadIdentityFederation (workload identity federation), ServicePrincipal (secret or certificate) or ManagedServiceIdentity (managed identity)';

/**
 * Reads the inputs, the service connection and the agent's token into the core's RawInputs.
 * The task library echoes every value it reads as a debug line, so reading happens with its
 * output switched off; every secret found is registered with `mask` afterwards, even on failure.
 */
export function readTaskInputs(mask: (secret: string) => void): TaskInputs {
  const secrets: string[] = [];
  tl.setStdStream(new Writable({ write: (_chunk, _encoding, done) => done() }));
  try {
    return read(secrets, mask);
  } finally {
    tl.setStdStream(process.stdout);
    for (const secret of new Set(secrets)) mask(secret);
  }
}

function read(secrets: string[], mask: (secret: string) => void): TaskInputs {
  const input = (name: string): string => tl.getInput(name, false) ?? '';
  const raw: RawInputs = {
    registry: input('registry'),
    'token-audience': input('tokenAudience'),
    login: input('loginMode'),
    logout: input('logout'),
    username: input('username'),
    password: input('password')
  };
  secrets.push(...secretValues(raw));
  if (raw.username?.trim() || raw.password?.trim()) {
    return { raw: { ...raw, 'auth-type': 'token' }, federation: NO_FEDERATION };
  }
  const connection = input('azureSubscription').trim();
  if (!connection) {
    throw new LoginError(
      'azureSubscription is empty: name an Azure Resource Manager service connection, or give username and password of a repository-scoped token'
    );
  }
  const result = readServiceConnection(connection, raw, secrets, mask);
  secrets.push(...secretValues(result.raw));
  return result;
}

function readServiceConnection(id: string, base: RawInputs, secrets: string[], mask: (secret: string) => void): TaskInputs {
  const authorization = endpointAuthorization(id);
  const scheme = tl.getEndpointAuthorizationScheme(id, true) || authorization?.scheme || '';
  if (!authorization && !scheme && !tl.getEndpointUrl(id, true)) {
    throw new LoginError(
      `service connection '${id}' is not available to this job: check that azureSubscription names an Azure Resource Manager service connection and that this pipeline is authorized to use it`
    );
  }
  const param = (name: string): string =>
    (tl.getEndpointAuthorizationParameter(id, name, true) || caseless(authorization?.parameters, name) || '').trim();
  const data = (name: string): string => (tl.getEndpointDataParameter(id, name, true) ?? '').trim();
  const required = (name: string, value: string): string => {
    if (!value) throw new LoginError(`service connection '${id}' (${scheme || 'ServicePrincipal'}) has no ${name}`);
    return value;
  };
  const cloud = (): RawInputs => {
    const authority = data('activeDirectoryAuthority');
    if (authority) return { 'authority-host': authority };
    const environment = data('environment');
    return environment ? { environment } : {};
  };

  // An AzureRM connection without a scheme is a service principal, as the Azure tasks read it.
  switch ((scheme || 'ServicePrincipal').toLowerCase()) {
    case 'workloadidentityfederation': {
      const accessToken = (
        tl.getVariable('System.AccessToken') ||
        tl.getEndpointAuthorizationParameter('SystemVssConnection', 'AccessToken', true) ||
        ''
      ).trim();
      secrets.push(...maskableLines(accessToken));
      const federation = azureDevOpsFederation(
        {
          requestUri: (tl.getVariable('System.OidcRequestUri') ?? '').trim(),
          accessToken,
          serviceConnectionId: id,
          helperLacksAccessToken: !process.env.SYSTEM_ACCESSTOKEN
        },
        mask
      );
      if (!federation.available) {
        throw new LoginError(`service connection '${id}' uses workload identity federation, but ${federation.unavailableHint}`);
      }
      const raw: RawInputs = {
        ...base,
        ...cloud(),
        'auth-type': 'oidc',
        'client-id': required('serviceprincipalid', param('serviceprincipalid')),
        'tenant-id': required('tenantid', param('tenantid'))
      };
      return { raw, federation };
    }
    case 'serviceprincipal': {
      const authenticationType = param('authenticationType') || 'spnKey';
      const raw: RawInputs = {
        ...base,
        ...cloud(),
        'auth-type': 'service-principal',
        'client-id': param('serviceprincipalid'),
        'tenant-id': param('tenantid')
      };
      if (authenticationType.toLowerCase() === 'spncertificate') {
        raw['client-certificate'] = param('servicePrincipalCertificate');
        secrets.push(...maskableLines(raw['client-certificate']));
        required('servicePrincipalCertificate', raw['client-certificate']);
      } else if (authenticationType.toLowerCase() === 'spnkey') {
        raw['client-secret'] = param('serviceprincipalkey');
        secrets.push(...maskableLines(raw['client-secret']));
        required('serviceprincipalkey', raw['client-secret']);
      } else {
        throw new LoginError(
          `service connection '${id}' uses the service principal authentication type '${authenticationType}'; AcrLogin supports spnKey (secret) and spnCertificate (certificate)`
        );
      }
      required('serviceprincipalid', raw['client-id'] ?? '');
      required('tenantid', raw['tenant-id'] ?? '');
      return { raw, federation: NO_FEDERATION };
    }
    case 'managedserviceidentity': {
      const raw: RawInputs = { ...base, 'auth-type': 'managed-identity', 'client-id': data('msiclientId') };
      return { raw, federation: NO_FEDERATION };
    }
    default:
      throw new LoginError(
        `service connection '${id}' uses the authorization scheme '${scheme}', which AcrLogin does not support; use ${SUPPORTED_SCHEMES}`
      );
  }
}

/** The ENDPOINT_AUTH_<id> JSON; its text is never echoed, as the library's own parse error would do. */
function endpointAuthorization(id: string): { scheme?: string; parameters?: Record<string, string> } | undefined {
  try {
    return tl.getEndpointAuthorization(id, true) as { scheme?: string; parameters?: Record<string, string> } | undefined;
  } catch {
    throw new LoginError(`service connection '${id}' has unreadable authorization data`);
  }
}

function caseless(parameters: Record<string, string> | undefined, name: string): string | undefined {
  if (!parameters || typeof parameters !== 'object') return undefined;
  const key = Object.keys(parameters).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : parameters[key];
  return typeof value === 'string' ? value : undefined;
}
