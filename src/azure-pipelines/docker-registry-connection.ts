import { maskableLines, parseRegistry, RawInputs, Registry, registryCloud } from '../core';
import { describeError, LoginError } from '../lib/errors';
import { AgentServices, agentFederation, connectionCloud, NO_FEDERATION, ServiceConnection, TaskInputs } from './service-connection';

const SUPPORTED_SCHEMES =
  'WorkloadIdentityFederation (workload identity federation), ServicePrincipal (service principal with a secret) or ManagedServiceIdentity (managed identity of the agent machine)';

/**
 * A Docker registry connection (`containerRegistry`, what Docker@2 takes) as the core's raw inputs.
 * Type "Azure Container Registry": its login server, and an ACR-audience Entra ID token from its
 * identity, exchanged at the registry. Any other type: its username and password, for an Azure
 * Container Registry login server only.
 */
export function readDockerRegistryConnection(
  connection: ServiceConnection,
  base: RawInputs,
  secrets: string[],
  agent: AgentServices
): TaskInputs {
  return connection.data('registrytype').toLowerCase() === 'acr'
    ? readAcrConnection(connection, base, secrets, agent)
    : readUsernamePasswordConnection(connection, base, secrets);
}

function readAcrConnection(connection: ServiceConnection, base: RawInputs, secrets: string[], agent: AgentServices): TaskInputs {
  const { name, param, required } = connection;
  // Registered whatever fails next, like every secret the connection holds.
  const secret = param('serviceprincipalkey');
  secrets.push(...maskableLines(secret));
  const loginServer = param('loginServer').toLowerCase();
  if (!loginServer) {
    throw new LoginError(`${name} (Azure Container Registry) has no loginServer: edit the connection and choose its registry again`);
  }
  const registry = connectionRegistry(connection, 'loginServer', loginServer);
  if ((base['token-audience'] ?? '').trim().toLowerCase() === 'arm') {
    throw new LoginError(
      `tokenAudience arm is not available with ${name}: AcrLogin exchanges ACR-audience tokens for Docker registry connections; remove tokenAudience`
    );
  }
  // The cloud follows from the login server (Docker registry connections name none); a loopback registry has no suffix.
  const cloud = registryCloud(registry);
  const common: RawInputs = {
    ...base,
    ...(cloud ? { environment: cloud } : connectionCloud(connection)),
    registry: [loginServer, ...alsoInTheSameCloud(connection, registry, cloud, base.registry ?? '')].join('\n'),
    'token-audience': 'acr'
  };
  switch ((connection.scheme || 'ServicePrincipal').toLowerCase()) {
    case 'serviceprincipal': {
      const raw: RawInputs = {
        ...common,
        'auth-type': 'service-principal',
        'client-id': required('serviceprincipalid', param('serviceprincipalid')),
        'tenant-id': required('tenantid', param('tenantid')),
        'client-secret': required('serviceprincipalkey', secret)
      };
      return { raw, federation: NO_FEDERATION };
    }
    case 'workloadidentityfederation': {
      const raw: RawInputs = {
        ...common,
        'auth-type': 'oidc',
        'client-id': required('serviceprincipalid', param('serviceprincipalid')),
        'tenant-id': required('tenantid', param('tenantid'))
      };
      return { raw, federation: agentFederation(connection, secrets, agent) };
    }
    case 'managedserviceidentity':
      // The agent machine's own identity, as Docker@2 uses it; the tenant comes with the token.
      return { raw: { ...common, 'auth-type': 'managed-identity' }, federation: NO_FEDERATION };
    default:
      throw new LoginError(
        `${name} (Azure Container Registry) uses the authorization scheme '${connection.scheme}', which AcrLogin does not support; use ${SUPPORTED_SCHEMES}`
      );
  }
}

/** "Others" and Docker Hub connections: a username and password, accepted only for an Azure Container Registry. */
function readUsernamePasswordConnection(connection: ServiceConnection, base: RawInputs, secrets: string[]): TaskInputs {
  const { name, param, required } = connection;
  const password = param('password');
  secrets.push(...maskableLines(password));
  const server = param('registry');
  if (!server) throw new LoginError(`${name} has no registry: edit the connection and give its Docker Registry URL`);
  connectionRegistry(connection, 'registry', server);
  const raw: RawInputs = {
    ...base,
    registry: [server, ...entries(base.registry ?? '')].join('\n'),
    'auth-type': 'token',
    username: required('username', param('username')),
    password: required('password', password)
  };
  return { raw, federation: NO_FEDERATION };
}

/** The registry the connection names, refused (naming the connection and the host) unless it is an Azure Container Registry. */
function connectionRegistry(connection: ServiceConnection, parameter: string, value: string): Registry {
  try {
    return parseRegistry(value);
  } catch (error) {
    const host = hostOf(value);
    if (host !== undefined && !isRegistryHost(host)) {
      throw new LoginError(
        `${connection.name} is for ${host}, which is not an Azure Container Registry login server (*.azurecr.io, *.azurecr.cn, *.azurecr.us): AcrLogin logs in only to Azure Container Registry; keep Docker@2 for this registry`
      );
    }
    throw new LoginError(`${connection.name} has ${parameter} '${value}', which AcrLogin refuses: ${reason(error)}`);
  }
}

/** The `registry` input's entries, each in the cloud of the connection's login server: one Entra ID token serves them all. */
function alsoInTheSameCloud(connection: ServiceConnection, registry: Registry, cloud: string | undefined, input: string): string[] {
  const listed = entries(input);
  for (const entry of listed) {
    const other = registryCloud(parseRegistry(entry));
    if (cloud && other && other !== cloud) {
      throw new LoginError(
        `registry '${entry}' is in ${other}, but ${connection.name} logs in to ${registry.loginServer} in ${cloud}: log in to each cloud in its own AcrLogin step`
      );
    }
  }
  return listed;
}

function entries(input: string): string[] {
  return input
    .split(/[\n,]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

function hostOf(value: string): string | undefined {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function isRegistryHost(host: string): boolean {
  try {
    parseRegistry(host);
    return true;
  } catch {
    return false;
  }
}

/** parseRegistry's reason, without its own `registry '<entry>' refused:` lead. */
function reason(error: unknown): string {
  return describeError(error).replace(/^registry '.*?' refused: /, '');
}
