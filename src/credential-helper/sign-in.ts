import { CredentialHelperHost, debugSwitchedOn, FederatedTokenSource, FederationSetting, HELPER_EXECUTABLE, Platform } from '../core';
import { federatedTokenEnv } from '../federation/env';
import { federatedTokenFile } from '../federation/file';
import { proxyFromEnvironment, type ProxySettings } from '../lib/proxy';
import { githubFederation } from '../federation/github';
import { azureDevOpsFederation } from '../federation/azure-devops';
import { ambientFederation } from '../federation/ambient';

/** The helper prints nothing but its answer: the core's progress messages go nowhere, its debug lines to stderr when asked. */
function quiet(env: NodeJS.ProcessEnv): Platform {
  let proxy: ProxySettings | undefined;
  return {
    info: () => undefined,
    warning: () => undefined,
    debug: debugSwitchedOn(env) ? (message) => process.stderr.write(`${HELPER_EXECUTABLE}: debug: ${message}\n`) : () => undefined,
    mask: () => undefined,
    setOutput: () => undefined,
    saveState: () => undefined,
    env,
    // Read when a request first needs it, so that a malformed HTTPS_PROXY fails the renewal with its one line.
    get proxy() {
      return (proxy ??= proxyFromEnvironment(env));
    }
  };
}

const NO_TOKEN_HINT = 'no federated token: set AZURE_FEDERATED_TOKEN_FILE, or run inside a GitHub job with permissions: id-token: write';

/** What the core's credential-helper use case needs here: a quiet platform and the federated token sources. */
export function helperHost(env: NodeJS.ProcessEnv): CredentialHelperHost {
  const platform = quiet(env);
  return {
    env,
    platform,
    federation: (setting) => environmentFederation(setting, env, platform),
    // Only the cache is unusable (a full disk): the answer still goes out, the reason on stderr.
    warning: (message) => process.stderr.write(`${HELPER_EXECUTABLE}: warning: ${message.replace(/[\r\n]+/g, ' ')}\n`)
  };
}

/** The recorded token source when there is one, else AZURE_FEDERATED_TOKEN_FILE, else a GitHub job's token. */
function environmentFederation(setting: FederationSetting | undefined, env: NodeJS.ProcessEnv, platform: Platform): FederatedTokenSource {
  const mask = (): undefined => undefined;
  switch (setting?.kind) {
    case 'file':
      return federatedTokenFile(setting.path, mask);
    case 'env':
      return federatedTokenEnv(setting.name, env, mask);
    case 'github':
      return githubFederation(env, platform);
    case 'azure-devops':
      return azureDevOpsFederation(
        {
          requestUri: env.SYSTEM_OIDCREQUESTURI?.trim() ?? '',
          accessToken: env.SYSTEM_ACCESSTOKEN?.trim() ?? '',
          serviceConnectionId: setting.serviceConnectionId,
          proxy: platform.proxy
        },
        mask
      );
    default:
      return ambientFederation(env, platform, NO_TOKEN_HINT);
  }
}
