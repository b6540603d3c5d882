import type { TokenCredential } from '@azure/identity';
import { LoginError } from '../../lib/errors';
import { DEFAULT_RETRY, parseJson, send } from '../../lib/http';
import { readClaims } from './jwt';
import type { Audience, Credential } from '../options';
import { SCOPES, WELL_KNOWN_AUTHORITIES } from './clouds';
import { explainEntraFailure } from './errors';

export type EntraCredential = Exclude<Credential, { kind: 'token' }>;

/** MSAL does not pass an abort signal to its metadata requests, so a silent authority is cut off here. */
const ENTRA_TIMEOUT_MS = 30000;

/** Asks Entra ID (through @azure/identity, loaded only now) for one access token of the chosen audience. */
export async function getEntraToken(credential: EntraCredential, authorityHost: string, audience: Audience): Promise<string> {
  const presented: { assertion?: string; pending?: Promise<string> } = {};
  if (credential.kind === 'oidc') {
    // Needed anyway: ask the platform now, so that its round trip overlaps loading @azure/identity.
    // A failure surfaces when MSAL asks for the assertion (presentOnce), as before.
    presented.pending = credential.source.getToken();
    presented.pending.catch(() => undefined);
  }
  const tokenCredential = await createTokenCredential(credential, authorityHost, presented);
  try {
    const token = await withTimeout(tokenCredential.getToken(SCOPES[audience], { abortSignal: AbortSignal.timeout(ENTRA_TIMEOUT_MS) }));
    if (!token?.token) throw new LoginError('Entra ID returned no access token');
    return token.token;
  } catch (error) {
    if (error instanceof LoginError) throw error;
    const assertionClaims = presented.assertion ? readClaims(presented.assertion) : undefined;
    const cause = (await diagnoseMetadataFailure(error, credential, authorityHost)) ?? error;
    throw new LoginError(explainEntraFailure(cause, { credential, authorityHost, assertionClaims, timeoutMs: ENTRA_TIMEOUT_MS }));
  }
}

async function createTokenCredential(
  credential: EntraCredential,
  authorityHost: string,
  presented: { assertion?: string; pending?: Promise<string> }
): Promise<TokenCredential> {
  const identity = await import('@azure/identity');
  const options = {
    authorityHost,
    disableInstanceDiscovery: !WELL_KNOWN_AUTHORITIES.has(new URL(authorityHost).hostname)
  };
  switch (credential.kind) {
    case 'oidc':
      return new identity.ClientAssertionCredential(
        credential.tenantId,
        credential.clientId,
        () => presentOnce(credential, presented),
        options
      );
    case 'service-principal':
      if ('certificate' in credential) {
        const { certificate, tenantId, clientId } = credential;
        return certificate.includes('-----BEGIN')
          ? new identity.ClientCertificateCredential(tenantId, clientId, { certificate }, options)
          : new identity.ClientCertificateCredential(tenantId, clientId, { certificatePath: certificate }, options);
      }
      return new identity.ClientSecretCredential(credential.tenantId, credential.clientId, credential.secret, options);
    case 'managed-identity':
      return credential.clientId
        ? new identity.ManagedIdentityCredential({ clientId: credential.clientId })
        : new identity.ManagedIdentityCredential();
  }
}

/**
 * MSAL reports any failure to read the tenant's metadata as `endpoints_resolution_error`, hiding
 * Entra's answer (AADSTS90002 for an unknown tenant): ask once more and keep what Entra said.
 */
async function diagnoseMetadataFailure(error: unknown, credential: EntraCredential, authorityHost: string): Promise<Error | undefined> {
  if (!(error instanceof Error) || !error.message.includes('endpoints_resolution_error') || !('tenantId' in credential)) return undefined;
  const url = `${authorityHost}/${encodeURIComponent(credential.tenantId)}/v2.0/.well-known/openid-configuration`;
  try {
    const response = await send({ method: 'GET', url }, { ...DEFAULT_RETRY, retries: 0 });
    const described = (parseJson(response.body) as { error_description?: unknown } | undefined)?.error_description;
    return typeof described === 'string' ? new Error(described) : new Error(`${url} answered HTTP ${response.status}`);
  } catch (probeError) {
    return probeError instanceof Error ? probeError : undefined;
  }
}

/** @azure/identity asks for the assertion more than once per sign-in; the platform is asked once. */
async function presentOnce(
  credential: Extract<EntraCredential, { kind: 'oidc' }>,
  presented: { assertion?: string; pending?: Promise<string> }
): Promise<string> {
  presented.pending ??= credential.source.getToken();
  try {
    presented.assertion = await presented.pending;
    return presented.assertion;
  } catch (error) {
    delete presented.pending;
    throw error;
  }
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })), ENTRA_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
