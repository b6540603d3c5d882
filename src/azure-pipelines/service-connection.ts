import * as tl from 'azure-pipelines-task-lib/task';
import { FederatedTokenSource, maskableLines, noFederation, RawInputs } from '../core';
import { LoginError } from '../lib/errors';
import type { ProxySettings } from '../lib/proxy';
import { azureDevOpsFederation } from '../federation/azure-devops';

/** What the task's inputs and its service connection give the core. */
export interface TaskInputs {
  raw: RawInputs;
  federation: FederatedTokenSource;
}

/** What reading a connection may need from the task: where secrets are registered, and the agent's proxy for the OIDC request. */
export interface AgentServices {
  mask(secret: string): void;
  proxy: ProxySettings;
}

export const NO_FEDERATION = noFederation('only a workload identity federation service connection gives an OIDC token');

/** A service connection as the agent hands it to the task, read through the task library only, never failing on absence. */
export interface ServiceConnection {
  id: string;
  /** How messages name it: `service connection '<id>'` or `Docker registry service connection '<id>'`. */
  name: string;
  /** The authorization scheme as given ('' when the connection gives none). */
  scheme: string;
  /** An authorization parameter, trimmed; '' when absent. */
  param(name: string): string;
  /** An endpoint data parameter, trimmed; '' when absent. */
  data(name: string): string;
  /** The value, or a one-line error naming the connection and the missing parameter. */
  required(name: string, value: string): string;
}

export interface ConnectionKind {
  /** The task input that names it. */
  input: 'azureSubscription' | 'containerRegistry';
  /** The connection type as the Azure DevOps service connection page names it. */
  type: 'Azure Resource Manager' | 'Docker registry';
}

export function readServiceConnection(id: string, kind: ConnectionKind): ServiceConnection {
  const name = kind.type === 'Docker registry' ? `Docker registry service connection '${id}'` : `service connection '${id}'`;
  const authorization = endpointAuthorization(id, name);
  const scheme = (tl.getEndpointAuthorizationScheme(id, true) || authorization?.scheme || '').trim();
  if (!authorization && !scheme && !tl.getEndpointUrl(id, true)) {
    throw new LoginError(
      `${name} is not available to this job: check that ${kind.input} names ${kind.type === 'Docker registry' ? 'a' : 'an'} ${kind.type} service connection and that this pipeline is authorized to use it`
    );
  }
  return {
    id,
    name,
    scheme,
    param: (parameter) =>
      (tl.getEndpointAuthorizationParameter(id, parameter, true) || caseless(authorization?.parameters, parameter) || '').trim(),
    data: (parameter) => (tl.getEndpointDataParameter(id, parameter, true) ?? '').trim(),
    required: (parameter, value) => {
      if (!value) throw new LoginError(`${name} (${scheme || 'ServicePrincipal'}) has no ${parameter}`);
      return value;
    }
  };
}

/** The cloud the connection names in its data, its `environment` and `activeDirectoryAuthority`: the core checks them against the registries' suffix. */
export function connectionCloud(connection: ServiceConnection): RawInputs {
  const raw: RawInputs = {};
  const environment = connection.data('environment');
  const authority = connection.data('activeDirectoryAuthority');
  if (environment) raw.environment = environment;
  if (authority) raw['authority-host'] = authority;
  return raw;
}

/**
 * This connection's OIDC token from the agent (System.OidcRequestUri with the connection's id), the
 * job's access token registered as a secret; fails at once when the agent cannot give one.
 */
export function agentFederation(connection: ServiceConnection, secrets: string[], agent: AgentServices): FederatedTokenSource {
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
      serviceConnectionId: connection.id,
      helperLacksAccessToken: !process.env.SYSTEM_ACCESSTOKEN,
      proxy: agent.proxy
    },
    (secret) => agent.mask(secret)
  );
  if (!federation.available) {
    throw new LoginError(`${connection.name} uses workload identity federation, but ${federation.unavailableHint}`);
  }
  return federation;
}

/** The ENDPOINT_AUTH_<id> JSON; its text is never echoed, as the library's own parse error would do. */
function endpointAuthorization(id: string, name: string): { scheme?: string; parameters?: Record<string, string> } | undefined {
  try {
    return tl.getEndpointAuthorization(id, true) as { scheme?: string; parameters?: Record<string, string> } | undefined;
  } catch {
    throw new LoginError(`${name} has unreadable authorization data`);
  }
}

function caseless(parameters: Record<string, string> | undefined, name: string): string | undefined {
  if (!parameters || typeof parameters !== 'object') return undefined;
  const key = Object.keys(parameters).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : parameters[key];
  return typeof value === 'string' ? value : undefined;
}
