import { CLOUDS, PUBLIC_CLOUD } from '../../../src/core/entra/clouds';
import { explainEntraFailure, FailureContext } from '../../../src/core/entra/errors';
import { noFederation } from '../../../src/core/token-source';

const oidc: FailureContext = {
  cloud: PUBLIC_CLOUD,
  audience: { choice: 'acr', resource: 'https://containerregistry.azure.net' },
  federatedAudience: 'api://AzureADTokenExchange',
  credential: { kind: 'oidc', tenantId: 'tenant-1', clientId: 'app-1', source: noFederation('') },
  authorityHost: 'https://login.microsoftonline.com',
  assertionClaims: { sub: 'repo:o/r:environment:prod', iss: 'https://token.actions.githubusercontent.com', aud: 'api://Other' },
  timeoutMs: 30000
};

const entraError = (code: string, text: string): Error =>
  Object.assign(
    new Error(`invalid_client: AADSTS${code}: ${text}\r\nTrace ID: 1\r\nCorrelation ID: 2\r\nTimestamp: 2026-11-23 00:00:00Z`),
    { name: 'AuthenticationError' }
  );

describe('explainEntraFailure', () => {
  it.each([
    [
      '700213',
      /app app-1 has no federated credential for subject 'repo:o\/r:environment:prod' from issuer 'https:\/\/token\.actions\.githubusercontent\.com'/
    ],
    ['700212', /the OIDC token's audience 'api:\/\/Other' is not the one the federated credential of app app-1 expects/],
    ['700211', /issuer 'https:\/\/token\.actions\.githubusercontent\.com' matches no federated credential of app app-1/],
    ['700024', /the OIDC token had expired/],
    ['7000222', /client secret of app app-1 has expired/],
    ['700027', /certificate is not registered on app app-1/],
    ['90002', /tenant tenant-1 was not found at https:\/\/login\.microsoftonline\.com/]
  ])('AADSTS%s names the cause', (code, advice) => {
    const message = explainEntraFailure(entraError(code, 'Entra text.'), oidc);
    expect(message).toMatch(new RegExp(`^Entra ID refused the token request \\(AADSTS${code}\\): `));
    expect(message).toMatch(advice);
    expect(message).toContain(`Entra said: AADSTS${code}: Entra text.`);
    expect(message).not.toMatch(/Trace ID|\n/);
  });

  it('AADSTS500011 and 700212 name the cloud and its audiences', () => {
    const china = CLOUDS.find((cloud) => cloud.name === 'AzureChinaCloud')!;
    const context = { ...oidc, cloud: china, authorityHost: china.authorityHost, federatedAudience: china.federatedTokenAudience };
    expect(explainEntraFailure(entraError('500011', 'Not found.'), context)).toMatch(
      /the resource https:\/\/containerregistry\.azure\.net does not exist where tenant tenant-1 signs in \(https:\/\/login\.chinacloudapi\.cn\); in AzureChinaCloud ACR's audience is https:\/\/containerregistry\.azure\.cn/
    );
    expect(explainEntraFailure(entraError('700212', 'No match.'), context)).toMatch(
      /in AzureChinaCloud federated credentials use api:\/\/AzureADTokenExchangeChina \(this login asked for api:\/\/AzureADTokenExchangeChina; oidc-audience sets another\)/
    );
  });

  it('a managed identity that is not there says where it must run', () => {
    const message = explainEntraFailure(new Error('ManagedIdentityCredential: no response'), {
      ...oidc,
      credential: { kind: 'managed-identity', clientId: 'uami' }
    });
    expect(message).toMatch(
      /^managed identity gave no token: ManagedIdentityCredential: no response\. This needs an Azure VM.*client-id uami must be assigned/
    );
  });

  it('a timeout names the authority', () => {
    const message = explainEntraFailure(Object.assign(new Error('aborted'), { name: 'AbortError' }), oidc);
    expect(message).toBe('no token from Entra ID at https://login.microsoftonline.com within 30 s: the endpoint did not answer');
  });
});

describe('a certificate assertion out of its time range', () => {
  it("AADSTS700024 for a certificate says to check this runner's clock", () => {
    const certificate: FailureContext = {
      ...oidc,
      credential: { kind: 'service-principal', tenantId: 'tenant-1', clientId: 'app-1', certificate: 'PEM' }
    };
    expect(explainEntraFailure(entraError('700024', 'Client assertion is not within its valid time range.'), certificate)).toMatch(
      /^Entra ID refused the token request \(AADSTS700024\): the client assertion signed with the certificate of app app-1 is dated by this machine's clock, .*check the runner's clock/
    );
  });
});
