import type { LoginOptions } from '../options';
import type { EntraCredential } from './token';

export interface FailureContext extends Pick<LoginOptions, 'cloud' | 'audience' | 'federatedAudience'> {
  credential: EntraCredential;
  authorityHost: string;
  /** Claims of the OIDC assertion that was presented, when there was one. */
  assertionClaims: Record<string, unknown> | undefined;
  timeoutMs: number;
}

/** One line saying why Entra ID (or the managed-identity endpoint) gave no token, and what to change. */
export function explainEntraFailure(error: unknown, context: FailureContext): string {
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : '';
  const code = /AADSTS(\d+)/.exec(message)?.[1];
  if (code)
    return `Entra ID refused the token request (AADSTS${code}): ${advice(code, context)}. Entra said: ${firstSentence(message, code)}`;
  if (name === 'AbortError' || /aborted/i.test(message)) {
    return `no token from ${where(context)} within ${context.timeoutMs / 1000} s: the endpoint did not answer`;
  }
  if (context.credential.kind === 'managed-identity') {
    return `managed identity gave no token: ${oneLine(message)}. This needs an Azure VM, scale set, App Service or similar with an identity assigned${
      context.credential.clientId ? ` (client-id ${context.credential.clientId} must be assigned to it)` : ''
    }`;
  }
  return `no token from ${where(context)}: ${oneLine(message)}`;
}

function advice(code: string, context: FailureContext): string {
  const { credential } = context;
  const app = 'clientId' in credential && credential.clientId ? `app ${credential.clientId}` : 'the identity';
  const tenant = 'tenantId' in credential ? credential.tenantId : 'the tenant';
  const claim = (name: string): string => {
    const value = context.assertionClaims?.[name];
    return typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : 'unknown';
  };
  switch (code) {
    case '700213': {
      const hint = credential.kind === 'oidc' ? credential.source.subjectHint?.(context.assertionClaims ?? {}) : undefined;
      const dependsOn = hint ? ` (${hint})` : '';
      return (
        `${app} has no federated credential for subject '${claim('sub')}' from issuer '${claim('iss')}'; ` +
        `add one with exactly this subject${dependsOn}, or run from what an existing one names`
      );
    }
    case '700212':
      if (credential.kind !== 'oidc') {
        return `the client assertion signed with the certificate of ${app} names another token endpoint than ${context.authorityHost}; check authority-host and environment`;
      }
      return (
        `the OIDC token's audience '${claim('aud')}' is not the one the federated credential of ${app} expects; ` +
        `in ${context.cloud.name} federated credentials use ${context.cloud.federatedTokenAudience} ` +
        `(this login asked for ${context.federatedAudience}; oidc-audience sets another)`
      );
    case '700211':
      return `the OIDC token's issuer '${claim('iss')}' matches no federated credential of ${app}`;
    case '700024':
      if (credential.kind !== 'oidc') {
        return `the client assertion signed with the certificate of ${app} is dated by this machine's clock, which Entra ID finds outside its valid time range: check the runner's clock (date -u) and sync it`;
      }
      return 'the OIDC token had expired when Entra ID checked it; it is fetched right before use, so check the runner clock';
    case '7000215':
      return `the client secret of ${app} is wrong; use the secret's value, not its ID`;
    case '7000222':
      return `the client secret of ${app} has expired; create a new one`;
    case '700027':
      return `the certificate is not registered on ${app}, or its key does not match; upload the certificate's public part to the app`;
    case '700016':
      return `${app} was not found in tenant ${tenant}; check client-id and tenant-id`;
    case '90002':
      return `tenant ${tenant} was not found at ${context.authorityHost}; check tenant-id and the cloud (authority-host or environment)`;
    case '500011':
      return (
        `the resource ${context.audience.resource} does not exist where tenant ${tenant} signs in (${context.authorityHost}); ` +
        `in ${context.cloud.name} ACR's audience is ${context.cloud.acrAudience}: check environment, the registry's cloud and token-audience`
      );
    default:
      return `${app} could not sign in to tenant ${tenant}`;
  }
}

function where(context: FailureContext): string {
  return context.credential.kind === 'managed-identity' ? 'the managed identity endpoint' : `Entra ID at ${context.authorityHost}`;
}

function firstSentence(message: string, code: string): string {
  const start = message.indexOf(`AADSTS${code}`);
  const text = oneLine(message.slice(start >= 0 ? start : 0));
  const end = text.search(/\. (Trace ID|Correlation ID|Timestamp)/);
  return (end >= 0 ? text.slice(0, end + 1) : text).slice(0, 400);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 400);
}
