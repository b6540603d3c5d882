import * as core from '@actions/core';
import type { FederatedTokenSource } from '../core';
import { describeError, LoginError } from '../lib/errors';
import { proxyRefusal, type ProxySettings, proxyUnreachable } from '../lib/proxy';
import { GITHUB_OIDC_FAILED, githubTokenSource } from '../federation/github';

/**
 * The job's OIDC token from the toolkit's getIDToken (the runner's request variables and proxy settings), masked by it.
 * `proxy` is the step's own reading of the same proxy variables: a proxy's refusal is reported as every other one is.
 */
export function actionsFederation(env: NodeJS.ProcessEnv, proxy: () => ProxySettings): FederatedTokenSource {
  return githubTokenSource(env, async (audience) => {
    try {
      return await core.getIDToken(audience);
    } catch (error) {
      throw (
        proxyFailure(env, proxy(), describeError(error)) ??
        new LoginError(`the GitHub OIDC token request failed: ${describeError(error)}; ${GITHUB_OIDC_FAILED}`)
      );
    }
  });
}

/** The toolkit says `tunneling socket could not be established, statusCode=407` (or a socket error) when the proxy was in the way. */
function proxyFailure(env: NodeJS.ProcessEnv, settings: ProxySettings, said: string): LoginError | undefined {
  let target: URL;
  try {
    target = new URL(env.ACTIONS_ID_TOKEN_REQUEST_URL ?? '');
  } catch {
    return undefined;
  }
  const proxy = settings.proxyFor(target);
  if (!proxy || !/tunneling socket|proxy/i.test(said)) return undefined;
  const status = /statusCode=(\d{3})/.exec(said)?.[1];
  if (status) return proxyRefusal(settings, proxy, target, Number(status));
  const network = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND)\b/.exec(said)?.[1];
  return network ? proxyUnreachable(settings, proxy, target, network) : undefined;
}
