import { FederatedTokenSource } from '../core';
import { LoginError } from '../lib/errors';
import { parseJson, send } from '../lib/http';
import type { ProxySettings } from '../lib/proxy';
import { subjectHint } from './subject-hint';

export interface AgentOidc {
  /** System.OidcRequestUri */
  requestUri: string;
  /** System.AccessToken */
  accessToken: string;
  serviceConnectionId: string;
  /** The steps after this one will not have System.AccessToken in their environment, which the credential helper needs to renew. */
  helperLacksAccessToken?: boolean;
  proxy: ProxySettings;
}

const HELPER_ACCESS_TOKEN_HINT =
  'the steps that run docker have SYSTEM_ACCESSTOKEN in their environment (env: SYSTEM_ACCESSTOKEN: $(System.AccessToken))';

/**
 * The service connection's OIDC token from Azure DevOps, fetched when Entra ID is about to be asked.
 * Azure DevOps puts the audience in by itself (its request takes none), so the audience asked for is not sent.
 */
export function azureDevOpsFederation(agent: AgentOidc, mask: (secret: string) => void): FederatedTokenSource {
  const { requestUri, accessToken, serviceConnectionId, proxy } = agent;
  const request = async (): Promise<string> => {
    let url: URL;
    try {
      url = new URL(requestUri);
    } catch {
      throw new LoginError(`System.OidcRequestUri '${requestUri}' is not a URL`);
    }
    url.searchParams.set('api-version', '7.1');
    url.searchParams.set('serviceConnectionId', serviceConnectionId);
    const response = await send({
      proxy,
      method: 'POST',
      url: url.toString(),
      headers: {
        Authorization: `Bearer ${accessToken}`,
        'X-TFS-FedAuthRedirect': 'Suppress',
        'Content-Type': 'application/json',
        Accept: 'application/json'
      },
      body: '{}'
    });
    const answer = parseJson(response.body) as { oidcToken?: unknown; message?: unknown } | undefined;
    const token = response.status === 200 ? answer?.oidcToken : undefined;
    if (typeof token !== 'string' || token === '') {
      const said = typeof answer?.message === 'string' ? `: ${answer.message.replace(/\s+/g, ' ').slice(0, 300)}` : '';
      throw new LoginError(
        `Azure DevOps gave no OIDC token for service connection ${serviceConnectionId} (HTTP ${response.status})${said}; ` +
          'check that it is a workload identity federation connection this pipeline may use'
      );
    }
    mask(token);
    return token;
  };

  return {
    available: requestUri !== '' && accessToken !== '',
    unavailableHint: !requestUri
      ? 'the agent provides no System.OidcRequestUri; workload identity federation needs Azure DevOps Services (not Azure DevOps Server) and an up-to-date agent, otherwise use a connection with a secret, a certificate or a managed identity'
      : 'the job has no System.AccessToken; in a classic pipeline enable "Allow scripts to access the OAuth token" on the agent job',
    getToken: request,
    setting: { kind: 'azure-devops', serviceConnectionId },
    subjectHint,
    ...(agent.helperLacksAccessToken ? { renewalHint: HELPER_ACCESS_TOKEN_HINT } : {})
  };
}
