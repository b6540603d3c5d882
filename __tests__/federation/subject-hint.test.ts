// The advice for AADSTS700213 (no federated credential for the presented subject) follows the form the token
// actually carries: GitHub's names or its owner and repository ids, Azure DevOps' own issuer or the Entra one, GitLab.
import { PUBLIC_CLOUD } from '../../src/core/entra/clouds';
import { explainEntraFailure, type FailureContext } from '../../src/core/entra/errors';
import type { FederatedTokenSource } from '../../src/core/token-source';
import { azureDevOpsFederation } from '../../src/federation/azure-devops';
import { federatedTokenEnv } from '../../src/federation/env';
import { federatedTokenFile } from '../../src/federation/file';
import { githubTokenSource } from '../../src/federation/github';
import { proxyFromEnvironment } from '../../src/lib/proxy';

const sources: Record<string, FederatedTokenSource> = {
  github: githubTokenSource({}, () => Promise.resolve('')),
  'azure-devops': azureDevOpsFederation(
    { requestUri: '', accessToken: '', serviceConnectionId: 'sc-1', proxy: proxyFromEnvironment({}) },
    () => undefined
  ),
  env: federatedTokenEnv('AZURE_ID_TOKEN', {}, () => undefined),
  file: federatedTokenFile('/var/run/secrets/token', () => undefined)
};

function advice700213(source: FederatedTokenSource, sub: string, iss: string): string {
  const context: FailureContext = {
    cloud: PUBLIC_CLOUD,
    audience: { choice: 'acr', resource: 'https://containerregistry.azure.net' },
    federatedAudience: 'api://AzureADTokenExchange',
    credential: { kind: 'oidc', tenantId: 'tenant-1', clientId: 'app-1', source },
    authorityHost: 'https://login.microsoftonline.com',
    assertionClaims: { sub, iss, aud: 'api://AzureADTokenExchange' },
    timeoutMs: 30000
  };
  const error = Object.assign(
    new Error(`AADSTS700213: No matching federated identity record found for presented assertion subject '${sub}'.`),
    {
      name: 'AuthenticationError'
    }
  );
  return explainEntraFailure(error, context);
}

const GITHUB = 'https://token.actions.githubusercontent.com';
const ENTRA = 'https://login.microsoftonline.com/66666666-7777-8888-9999-000000000000/v2.0';
const EID1 =
  '/eid1/c/pub/t/gqhmZnd3iIiZmQAAAAAAAA/a/qGm1ZUlxp0mJ6u1nW7IqMw/sc/11111111-2222-3333-4444-555555555555/22222222-3333-4444-5555-666666666666';

describe('AADSTS700213 names the subject the token carries, and what that form depends on', () => {
  it.each([
    [
      'github',
      'repo:octo-org@65432/octo-repo@123456:ref:refs/heads/main',
      GITHUB,
      /GitHub's form with the owner and repository ids, .*without the ids does not match it/
    ],
    [
      'github',
      'repo:octo-org/octo-repo:pull_request',
      GITHUB,
      /GitHub: the branch, tag, environment or pull_request .*repo:OWNER@ID\/REPO@ID instead/
    ],
    ['azure-devops', EID1, ENTRA, /Azure DevOps with the Entra issuer generates this subject: copy the issuer and subject identifier/],
    [
      'azure-devops',
      'sc://contoso/web/acr-push',
      'https://vstoken.dev.azure.com/11111111-2222-3333-4444-555555555555',
      /sc:\/\/<organization>\/<project>\/<service connection name>; this Azure DevOps issuer retires on 2027-07-01/
    ],
    [
      'env',
      'project_path:contoso/app:ref_type:branch:ref:feature',
      'https://gitlab.com',
      /GitLab: project_path:<group>\/<project>:ref_type:<branch\|tag>:ref:<name>/
    ],
    [
      'file',
      'system:serviceaccount:ci:jenkins',
      'https://westeurope.oic.prod-aks.azure.com/t/u/',
      /Kubernetes: system:serviceaccount:<namespace>:<service account>/
    ],
    ['env', EID1, ENTRA, /Entra issuer generates this subject/]
  ])('%s source, subject %s', (source, sub, iss, hint) => {
    const message = advice700213(sources[source]!, sub, iss);
    expect(message).toContain(`app app-1 has no federated credential for subject '${sub}' from issuer '${iss}'`);
    expect(message).toMatch(hint);
    expect(message).not.toMatch(/\n/);
  });

  it('a subject of no known form gets the subject alone', () => {
    const message = advice700213(sources['env']!, 'spiffe://example.org/ns/ci', 'https://issuer.example');
    expect(message).toContain(
      "subject 'spiffe://example.org/ns/ci' from issuer 'https://issuer.example'; add one with exactly this subject, or run"
    );
  });
});
