import * as core from '@actions/core';
import type { FederatedTokenSource } from '../core';
import { describeError, LoginError } from '../lib/errors';
import { GITHUB_OIDC_FAILED, githubTokenSource } from '../federation/github';

/** The job's OIDC token from the toolkit's getIDToken (the runner's request variables and proxy settings), masked by it. */
export function actionsFederation(env: NodeJS.ProcessEnv): FederatedTokenSource {
  return githubTokenSource(env, async (audience) => {
    try {
      return await core.getIDToken(audience);
    } catch (error) {
      throw new LoginError(`the GitHub OIDC token request failed: ${describeError(error)}; ${GITHUB_OIDC_FAILED}`);
    }
  });
}
