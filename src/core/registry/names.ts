import { isIP } from 'node:net';
import { LoginError } from '../../lib/errors';

/** A registry the step may log in to, already checked to be an Azure Container Registry or a loopback registry. */
export interface Registry {
  /** `host` or `host:port`, lower case: the key docker and the exchange use. */
  loginServer: string;
  /** `https://<loginServer>`, or `http://` for a loopback registry. */
  baseUrl: string;
}

/** Each login server suffix and the cloud (its `environment` name) whose registries have it. */
const REGISTRY_CLOUDS: Record<string, string> = {
  '.azurecr.io': 'AzureCloud',
  '.azurecr.cn': 'AzureChinaCloud',
  '.azurecr.us': 'AzureUSGovernment'
};

const REGISTRY_SUFFIXES = Object.keys(REGISTRY_CLOUDS);

const BARE_NAME = /^[a-z0-9]{5,50}$/i;

/** Splits the `registry` input (newlines or commas) and validates every entry before any token is asked for. */
export function parseRegistries(raw: string): Registry[] {
  const entries = raw
    .split(/[\n,]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) {
    throw new LoginError('registry: no registry given; name one, e.g. `myregistry` or `myregistry.azurecr.io`');
  }
  const registries: Registry[] = [];
  for (const entry of entries) {
    const registry = parseRegistry(entry);
    if (!registries.some((known) => known.loginServer === registry.loginServer)) registries.push(registry);
  }
  return registries;
}

export function parseRegistry(entry: string): Registry {
  const refuse = (why: string): never => {
    throw new LoginError(`registry '${entry}' refused: ${why}`);
  };
  if (BARE_NAME.test(entry)) {
    const loginServer = `${entry.toLowerCase()}.azurecr.io`;
    return { loginServer, baseUrl: `https://${loginServer}` };
  }
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(entry);
  let url: URL;
  try {
    url = new URL(hasScheme ? entry : `https://${entry}`);
  } catch {
    return refuse('not a registry name, login server or URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') refuse(`scheme ${url.protocol} is not supported`);
  if (url.username || url.password || entry.includes('@')) refuse('user information is not allowed in a registry');
  if (url.search || entry.includes('?')) refuse('a query is not allowed in a registry');
  if (url.hash || entry.includes('#')) refuse('a fragment is not allowed in a registry');
  if (url.pathname !== '/' || /^[a-z][a-z0-9+.-]*:\/\/[^/]+\/./i.test(hasScheme ? entry : `https://${entry}`)) {
    refuse('a path is not allowed; give only the login server');
  }
  const hostname = url.hostname.toLowerCase();
  const loopback = isLoopback(hostname);
  if (url.protocol === 'http:' && !loopback) refuse('http:// is only accepted for loopback registries; use https://');
  if (!loopback && !isAcrHost(hostname)) {
    refuse(`${hostname} is not an Azure Container Registry login server (it must end in ${REGISTRY_SUFFIXES.join(', ')})`);
  }
  const loginServer = url.host.toLowerCase();
  return { loginServer, baseUrl: `${url.protocol}//${loginServer}` };
}

/** The cloud a registry belongs to by its suffix; undefined for a loopback registry, which has none. */
export function registryCloud(registry: Registry): string | undefined {
  const hostname = new URL(registry.baseUrl).hostname;
  const suffix = REGISTRY_SUFFIXES.find((candidate) => hostname.endsWith(candidate));
  return suffix === undefined ? undefined : REGISTRY_CLOUDS[suffix];
}

function isAcrHost(hostname: string): boolean {
  return REGISTRY_SUFFIXES.some((suffix) => {
    if (!hostname.endsWith(suffix)) return false;
    const label = hostname.slice(0, -suffix.length);
    return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(label);
  });
}

function isLoopback(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1';
  return false;
}
