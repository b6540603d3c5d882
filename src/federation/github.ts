// OIDC tokens from the CI platforms, as federated credentials: shared by the adapters and the credential helper.
import { FederatedTokenSource, Platform } from '../core';
import { LoginError } from '../lib/errors';
import { parseJson, send } from '../lib/http';

const AUDIENCE = 'api://AzureADTokenExchange';

/** The job's GitHub OIDC token, fetched when Entra ID is about to be asked (it lives minutes). */
export function githubFederation(env: NodeJS.ProcessEnv, platform: Platform): FederatedTokenSource {
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL ?? '';
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? '';
  return {
    available: requestUrl !== '' && requestToken !== '',
    unavailableHint:
      'the job has no GitHub OIDC token; add `permissions: id-token: write` to the job or workflow (for pull requests from forks GitHub never grants it)',
    setting: { kind: 'github' },
    subjectHint: 'branch, tag, environment or pull_request as the job runs',
    async getToken() {
      const url = new URL(requestUrl);
      url.searchParams.set('audience', AUDIENCE);
      const response = await send({
        method: 'GET',
        url: url.toString(),
        headers: { Authorization: `Bearer ${requestToken}`, Accept: 'application/json' }
      });
      const value = response.status === 200 ? (parseJson(response.body) as { value?: unknown } | undefined)?.value : undefined;
      if (typeof value !== 'string' || value === '') {
        throw new LoginError(
          `the GitHub OIDC token request failed with HTTP ${response.status}; check that the job has permissions: id-token: write`
        );
      }
      platform.mask(value);
      return value;
    }
  };
}
