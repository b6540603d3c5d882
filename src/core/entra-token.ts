import type { TokenCredential } from '@azure/identity';
import { LoginError } from './errors';
import { readClaims } from './jwt';
import type { Audience, Credential } from './options';
import { explainEntraFailure } from './entra-errors';

export type EntraCredential = Exclude<Credential, { kind: 'token' }>;

export const SCOPES: Record<Audience, string> = {
  acr: 'https://containerregistry.azure.net/.default',
  arm: 'https://management.azure.com/.default'
};

/** Hosts MSAL already knows; any other authority would make it ask login.microsoftonline.com to vouch for it. */
const WELL_KNOWN_AUTHORITIES = new Set([
  'login.microsoftonline.com',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'login.microsoftonline.us',
  'login.usgovcloudapi.net'
]);

const ENTRA_TIMEOUT_MS = 45000;

/** Asks Entra ID (through @azure/identity, loaded only now) for one access token of the chosen audience. */
export async function getEntraToken(credential: EntraCredential, authorityHost: string, audience: Audience): Promise<string> {
  const presented: { assertion?: string } = {};
  const tokenCredential = await createTokenCredential(credential, authorityHost, presented);
  try {
    const token = await tokenCredential.getToken(SCOPES[audience], { abortSignal: AbortSignal.timeout(ENTRA_TIMEOUT_MS) });
    if (!token?.token) throw new LoginError('Entra ID returned no access token');
    return token.token;
  } catch (error) {
    if (error instanceof LoginError) throw error;
    const assertionClaims = presented.assertion ? readClaims(presented.assertion) : undefined;
    throw new LoginError(explainEntraFailure(error, { credential, authorityHost, assertionClaims, timeoutMs: ENTRA_TIMEOUT_MS }));
  }
}

async function createTokenCredential(
  credential: EntraCredential,
  authorityHost: string,
  presented: { assertion?: string }
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
        async () => (presented.assertion = await credential.assertion()),
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
