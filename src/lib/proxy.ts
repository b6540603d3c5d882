import type { Agent } from 'node:http';
import { isIP } from 'node:net';
import { LoginError } from './errors';

/** How requests leave this process: straight, or through an HTTP proxy. Built by the adapter, used for every request. */
export interface ProxySettings {
  /** The proxy for this URL (it may carry `user:password`), or undefined to connect directly. */
  proxyFor(target: URL): URL | undefined;
  /** The setting that names the proxy for this URL, for messages: `HTTPS_PROXY`, `http_proxy`, `Agent.ProxyUrl`. */
  settingFor(target: URL): string;
  /** Where the proxy's user name and password go, for the advice on a 407. */
  credentialsSetting(target: URL): string;
  /** Where a host can be exempted: `NO_PROXY`, `Agent.ProxyBypassList`. */
  bypassSetting: string;
  /** The proxy passwords as they may appear in text: to be masked before anything is printed. */
  secrets: string[];
}

/** No proxy: every request connects directly. */
export const DIRECT: ProxySettings = {
  proxyFor: () => undefined,
  settingFor: () => 'no proxy',
  credentialsSetting: () => 'no proxy',
  bypassSetting: 'NO_PROXY',
  secrets: []
};

/**
 * The proxy as GitHub runners, CI tools and curl take it from the environment: `https_proxy`/`HTTPS_PROXY`
 * for https URLs, `http_proxy`/`HTTP_PROXY` for http URLs, and `no_proxy`/`NO_PROXY` (comma-separated
 * host names, domain suffixes with or without a leading dot, `host:port`, IP addresses, `*`).
 */
export function proxyFromEnvironment(env: NodeJS.ProcessEnv): ProxySettings {
  const read = (lower: string, upper: string): { url: URL; name: string } | undefined => {
    const name = env[lower]?.trim() ? lower : env[upper]?.trim() ? upper : undefined;
    return name ? { url: parseProxyUrl(env[name] as string, name), name } : undefined;
  };
  const https = read('https_proxy', 'HTTPS_PROXY');
  const http = read('http_proxy', 'HTTP_PROXY');
  if (!https && !http) return DIRECT;
  const noProxy = parseNoProxy(env.no_proxy?.trim() ? env.no_proxy : (env.NO_PROXY ?? ''));
  const named = (target: URL): { url: URL; name: string } | undefined =>
    target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined;
  const settingFor = (target: URL): string => named(target)?.name ?? (target.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY');
  return {
    proxyFor: (target) => (isLoopbackHost(target.hostname) || noProxy(target) ? undefined : named(target)?.url),
    settingFor,
    credentialsSetting: (target) => `${settingFor(target)} (http://user:password@host:port)`,
    bypassSetting: env.no_proxy?.trim() ? 'no_proxy' : 'NO_PROXY',
    secrets: secretsOf([https?.url, http?.url])
  };
}

/** One proxy for every URL except those `bypass` exempts (and loopback): how the Azure Pipelines agent hands its proxy over. */
export function singleProxy(
  proxyUrl: string,
  bypass: (target: URL) => boolean,
  settings: { setting: string; credentialsSetting: string; bypassSetting: string }
): ProxySettings {
  const url = parseProxyUrl(proxyUrl, settings.setting);
  return {
    proxyFor: (target) => (isLoopbackHost(target.hostname) || bypass(target) ? undefined : url),
    settingFor: () => settings.setting,
    credentialsSetting: () => settings.credentialsSetting,
    bypassSetting: settings.bypassSetting,
    secrets: secretsOf([url])
  };
}

/** `host:port` of a proxy: how messages name it, never with its credentials. */
export function proxyHost(proxy: URL): string {
  return `${proxy.hostname}:${proxy.port || (proxy.protocol === 'https:' ? '443' : '80')}`;
}

/** One line for the debug log: where requests to `target` go. */
export function describeRoute(settings: ProxySettings, target: URL): string {
  const proxy = settings.proxyFor(target);
  return proxy
    ? `${target.host}: through the proxy ${proxyHost(proxy)} (${settings.settingFor(target)}${proxy.username || proxy.password ? ', with credentials' : ''})`
    : `${target.host}: direct`;
}

const agents = new Map<string, Promise<Agent>>();

/**
 * The agent that carries requests for `target` through `proxy`: a CONNECT tunnel for https, absolute-URI
 * forwarding for http. The proxy libraries are loaded only now, when a proxy is configured.
 */
export function proxyAgent(proxy: URL, target: URL): Promise<Agent> {
  const tunnel = target.protocol === 'https:';
  const key = `${tunnel ? 'connect' : 'forward'} ${proxy.href}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = import('./proxy-agents').then(({ HttpsProxyAgent, HttpProxyAgent }) =>
      tunnel ? new HttpsProxyAgent(proxy, { keepAlive: true }) : new HttpProxyAgent(proxy, { keepAlive: true })
    );
    agents.set(key, agent);
  }
  return agent;
}

/** What a proxy answered to a CONNECT (https-proxy-agent's `proxyConnect` event). */
export interface ProxyConnectAnswer {
  statusCode: number;
  statusText?: string;
}

/** The one-line failure for a proxy that answered `status` instead of carrying the request to `target`. */
export function proxyRefusal(settings: ProxySettings, proxy: URL, target: URL, status: number, statusText = ''): LoginError {
  const said = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  const where = `the proxy ${proxyHost(proxy)} (${settings.settingFor(target)})`;
  const to = target.host;
  if (status === 407) {
    const fix =
      proxy.username || proxy.password
        ? `it refused the user name and password; check them in ${settings.credentialsSetting(target)}`
        : `it wants a user name and password: give them in ${settings.credentialsSetting(target)}`;
    return new LoginError(`${where} refused the connection to ${to} (${said}): ${fix}`);
  }
  if (status === 403) {
    return new LoginError(
      `${where} refused the connection to ${to} (${said}): ask for ${target.hostname} to be allowed, ` +
        `or add it to ${settings.bypassSetting} if it is reachable directly`
    );
  }
  if (status >= 500) return new LoginError(`${where} could not reach ${to} (${said})`);
  return new LoginError(`${where} answered ${said} instead of connecting to ${to}`);
}

/** The one-line failure for a proxy this process could not talk to at all. */
export function proxyUnreachable(settings: ProxySettings, proxy: URL, target: URL, why: string): LoginError {
  return new LoginError(`cannot reach the proxy ${proxyHost(proxy)} (${settings.settingFor(target)}) to connect to ${target.host}: ${why}`);
}

function parseProxyUrl(value: string, name: string): URL {
  const text = value.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    // The value may hold a password: never repeat it.
    throw new LoginError(`${name} is not a proxy URL; expected http://host:port or http://user:password@host:port`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LoginError(`${name} names a ${url.protocol.slice(0, -1)} proxy; only http:// and https:// proxies are supported`);
  }
  return url;
}

/** The password of each proxy URL, as written in the URL and decoded, for masking. */
function secretsOf(urls: Array<URL | undefined>): string[] {
  const secrets = new Set<string>();
  for (const url of urls) {
    if (!url?.password) continue;
    secrets.add(url.password);
    secrets.add(safeDecode(url.password));
  }
  return [...secrets];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A NO_PROXY list as a test: `*`, exact hosts and IPs, domain suffixes (`example.com` and `.example.com` both cover subdomains), `host:port`. */
export function parseNoProxy(value: string): (target: URL) => boolean {
  const entries = value
    .split(/[,\s]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean)
    .map((entry) => {
      const hostPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
      const host = (hostPort ? (hostPort[1] as string) : entry).replace(/^\[|\]$/g, '').replace(/^\*?\./, '');
      return { host, port: hostPort ? Number(hostPort[2]) : undefined, all: entry === '*' };
    });
  return (target) => {
    const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '');
    const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
    return entries.some((entry) => {
      if (entry.all) return true;
      if (entry.port !== undefined && entry.port !== port) return false;
      if (host === entry.host) return true;
      return isIP(host) === 0 && host.endsWith(`.${entry.host}`);
    });
  };
}

/** localhost, 127.0.0.0/8 and ::1 never go through a proxy: a proxy elsewhere cannot reach this machine's loopback. */
function isLoopbackHost(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}
