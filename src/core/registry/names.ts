import { isIP } from 'node:net';
import { LoginError } from '../../lib/errors';
import { Cloud, type CloudName, cloudOfRegistryHost, CLOUDS, PUBLIC_CLOUD } from '../entra/clouds';

/** A registry the step may log in to, already checked to be an Azure Container Registry or a loopback registry. */
export interface Registry {
  /** `host` or `host:port`, lower case: the key docker and the exchange use. */
  loginServer: string;
  /** `https://<loginServer>`, or `http://` for a loopback registry. */
  baseUrl: string;
}

export const REGISTRY_SUFFIXES = CLOUDS.map((cloud) => cloud.registrySuffix);

const BARE_NAME = /^[a-z0-9]{5,50}$/i;
/** The registry name, optionally followed by a domain-name-label hash (`myreg-abc123hash`). */
const NAME_LABEL = /^[a-z0-9]{5,50}(-[a-z0-9]+)?$/;
/** Labels between the name and the suffix: a region and `geo`, `privatelink`, `data`. */
const OTHER_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** A registry name without a domain (`myregistry`): its login server depends on the cloud. */
export function isBareRegistryName(entry: string): boolean {
  return BARE_NAME.test(entry);
}

/** The entries of the `registry` input (newlines or commas), blanks dropped; at least one. */
export function splitRegistries(raw: string): string[] {
  const entries = raw
    .split(/[\n,]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) {
    throw new LoginError('registry: no registry given; name one, e.g. `myregistry` or `myregistry.azurecr.io`');
  }
  return entries;
}

/** Validates every entry before any token is asked for; a bare name gets the cloud's suffix. Duplicates go, order stays. */
export function parseRegistries(raw: string, cloud: Cloud = PUBLIC_CLOUD): Registry[] {
  const registries: Registry[] = [];
  for (const entry of splitRegistries(raw)) {
    const registry = parseRegistry(entry, cloud);
    if (!registries.some((known) => known.loginServer === registry.loginServer)) registries.push(registry);
  }
  return registries;
}

export function parseRegistry(entry: string, cloud: Cloud = PUBLIC_CLOUD): Registry {
  const refuse = (why: string): never => {
    throw new LoginError(`registry '${entry}' refused: ${why}`);
  };
  if (isBareRegistryName(entry)) {
    const loginServer = `${entry.toLowerCase()}${cloud.registrySuffix}`;
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
  if (!loopback) {
    const problem = acrHostProblem(hostname);
    if (problem) refuse(problem);
  }
  const loginServer = url.host.toLowerCase();
  return { loginServer, baseUrl: `${url.protocol}//${loginServer}` };
}

/**
 * Why a host is not an Azure Container Registry login server, or undefined when it is one:
 * `<name>[-<hash>][.<labels>]<cloud suffix>`, e.g. `myreg.azurecr.io`, `myreg-abc123hash.azurecr.io`
 * (domain-name-label hashed), `myreg.eastus.geo.azurecr.io` (regional), `myreg.privatelink.azurecr.cn`.
 */
function acrHostProblem(hostname: string): string | undefined {
  const punycode = hostname.split('.').find((label) => label.startsWith('xn--'));
  if (punycode) {
    return `'${punycode}' is an internationalised (punycode) name; registry names are letters and digits only`;
  }
  const cloud = cloudOfRegistryHost(hostname);
  const labels = cloud ? hostname.slice(0, -cloud.registrySuffix.length).split('.') : [];
  const [name = '', ...others] = labels;
  if (!cloud || name === '' || !others.every((label) => OTHER_LABEL.test(label))) {
    return `${hostname} is not an Azure Container Registry login server (it must end in ${REGISTRY_SUFFIXES.join(', ')})`;
  }
  if (!NAME_LABEL.test(name)) {
    return `'${name}' is not a registry name: registry names are 5 to 50 letters and digits (a domain-name-label hash may follow a hyphen)`;
  }
  return undefined;
}

export function isLoopback(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1';
  return false;
}

/** The cloud (its `environment` name) a registry belongs to by its suffix; undefined for a loopback registry, which has none. */
export function registryCloud(registry: Registry): CloudName | undefined {
  return cloudOfRegistryHost(new URL(registry.baseUrl).hostname)?.name;
}
