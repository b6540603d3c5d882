// OIDC tokens from the CI platforms, as federated credentials: shared by the adapters and the credential helper.
import { FederatedTokenSource, Platform } from '../core';
import { LoginError } from '../lib/errors';
import { parseJson, send } from '../lib/http';
import { subjectHint } from './subject-hint';

export const GITHUB_OIDC_FAILED = 'check that the job has permissions: id-token: write';

/**
 * A GitHub job's OIDC token as a federated token source, however it is fetched: the Action asks the toolkit,
 * the command line and the credential helper ask the runner's endpoint themselves (githubFederation).
 */
export function githubTokenSource(env: NodeJS.ProcessEnv, getToken: (audience: string) => Promise<string>): FederatedTokenSource {
  return {
    available: (env.ACTIONS_ID_TOKEN_REQUEST_URL ?? '') !== '' && (env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? '') !== '',
    unavailableHint:
      'the job has no GitHub OIDC token; add `permissions: id-token: write` to the job or workflow (for pull requests from forks GitHub never grants it)',
    setting: { kind: 'github' },
    subjectHint,
    getToken
  };
}

/** The job's GitHub OIDC token, fetched when Entra ID is about to be asked (it lives minutes). */
export function githubFederation(env: NodeJS.ProcessEnv, platform: Platform): FederatedTokenSource {
  return githubTokenSource(env, async (audience) => {
    const url = new URL(env.ACTIONS_ID_TOKEN_REQUEST_URL ?? '');
    url.searchParams.set('audience', audience);
    const response = await send({
      proxy: platform.proxy,
      method: 'GET',
      url: url.toString(),
      headers: { Authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? ''}`, Accept: 'application/json' }
    });
    const value = response.status === 200 ? (parseJson(response.body) as { value?: unknown } | undefined)?.value : undefined;
    if (typeof value !== 'string' || value === '') {
      throw new LoginError(`the GitHub OIDC token request failed with HTTP ${response.status}; ${GITHUB_OIDC_FAILED}`);
    }
    platform.mask(value);
    return value;
  });
}
