import * as tl from 'azure-pipelines-task-lib/task';
import { LoginError } from '../lib/errors';
import { DIRECT, ProxySettings, singleProxy } from '../lib/proxy';
import { quietly } from './quietly';

const SETTINGS = {
  setting: 'Agent.ProxyUrl',
  credentialsSetting: "the agent's proxy settings (Agent.ProxyUsername and Agent.ProxyPassword)",
  bypassSetting: "the agent's proxy bypass list (Agent.ProxyBypassList)"
};

/**
 * The agent's proxy (Agent.ProxyUrl, Agent.ProxyUsername, Agent.ProxyPassword, Agent.ProxyBypassList) as the
 * task library reads it, for every request of the task. The bypass list holds regular expressions matched
 * against the whole URL, as the library matches them.
 */
export function agentProxy(): ProxySettings {
  let config: ReturnType<typeof tl.getHttpProxyConfiguration>;
  try {
    config = quietly(() => tl.getHttpProxyConfiguration());
  } catch {
    throw new LoginError("the agent's proxy settings are unreadable: Agent.ProxyUrl must be a URL and Agent.ProxyBypassList a JSON list");
  }
  if (!config?.proxyUrl) return DIRECT;
  let url: URL;
  try {
    url = new URL(config.proxyUrl);
  } catch {
    throw new LoginError(`Agent.ProxyUrl is not a proxy URL; expected http://host:port`);
  }
  // The library pastes user and password into the URL unencoded; the URL setters encode them.
  if (config.proxyUsername) {
    url.username = config.proxyUsername;
    url.password = config.proxyPassword ?? '';
  }
  const bypass = (config.proxyBypassHosts ?? []).flatMap((pattern) => {
    try {
      return [new RegExp(pattern, 'i')];
    } catch {
      return [];
    }
  });
  const settings = singleProxy(url.href, (target) => bypass.some((pattern) => pattern.test(target.href)), SETTINGS);
  return config.proxyPassword ? { ...settings, secrets: [...new Set([...settings.secrets, config.proxyPassword])] } : settings;
}
