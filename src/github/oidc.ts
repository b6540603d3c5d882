import * as core from '@actions/core';
import type { FederatedTokenSource } from '../core';
import { describeError, LoginError } from '../lib/errors';
import { GITHUB_OIDC_FAILED, githubTokenSource } from '../federation/github';
import { takeTransportFailure } from './toolkit/http-client';

/** The job's OIDC token from the toolkit's getIDToken (the runner's request variables), masked by it. */
export function actionsFederation(env: NodeJS.ProcessEnv): FederatedTokenSource {
  return githubTokenSource(env, async (audience) => {
    try {
      return await core.getIDToken(audience);
    } catch (error) {
      // A proxy's refusal or an unreachable host is reported as every other request's is.
      throw (
        takeTransportFailure() ?? new LoginError(`the GitHub OIDC token request failed: ${describeError(error)}; ${GITHUB_OIDC_FAILED}`)
      );
    }
  });
}
