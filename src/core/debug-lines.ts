// What the core tells Platform.debug: the choices it made and why, and every request's host and time. Never a
// secret: ids, hosts, paths and input names only (no query string, header or body of a request).
import type { HttpObserver } from '../lib/http';
import { managedIdentityEndpoint } from './entra/endpoints';
import type { Credential, LoginOptions } from './options';

/** The lines that say how this login will go, before any request. */
export function describeLogin(options: LoginOptions, env: NodeJS.ProcessEnv): string[] {
  const { credential, registries, because } = options;
  const lines = [
    `registries: ${registries.map((registry) => registry.loginServer).join(', ')}`,
    `auth path: ${describeCredential(credential)}, chosen by ${because.credential}`,
    `cloud: ${options.cloud.name}, chosen by ${because.cloud}`
  ];
  if (credential.kind === 'token') {
    lines.push('no Entra ID request: the username and password are checked at each registry');
    return lines;
  }
  if (credential.kind === 'managed-identity') {
    lines.push(`authority: the managed identity endpoint ${new URL(managedIdentityEndpoint(env)).host}`);
  } else {
    lines.push(`authority: ${options.authorityHost}, ${because.authority}`);
  }
  lines.push(`audience: ${options.audience.choice} (${options.audience.resource})`);
  if (credential.kind === 'oidc') lines.push(`federated token audience: ${options.federatedAudience}`);
  return lines;
}

function describeCredential(credential: Credential): string {
  switch (credential.kind) {
    case 'token':
      return `username and password of '${credential.username}'`;
    case 'managed-identity':
      return credential.clientId ? `managed identity, user-assigned (client ${credential.clientId})` : 'managed identity, system-assigned';
    case 'oidc':
      return `OIDC (client ${credential.clientId}, tenant ${credential.tenantId}, federated token from ${credential.source.setting?.kind ?? 'the platform'})`;
    case 'service-principal':
      return `service principal with a ${'certificate' in credential ? 'certificate' : 'client secret'} (client ${credential.clientId}, tenant ${credential.tenantId})`;
  }
}

/** One debug line per HTTP attempt: method, host and path, the status or the failure, the time it took. */
export function requestDebugLines(debug: (message: string) => void): HttpObserver {
  return ({ method, url, attempt, durationMs, outcome }) => {
    const ended = 'status' in outcome ? `HTTP ${outcome.status}` : `failed (${outcome.failure})`;
    debug(`${method} ${url.host}${url.pathname}: ${ended} in ${durationMs} ms${attempt > 0 ? ` (attempt ${attempt + 1})` : ''}`);
  };
}
