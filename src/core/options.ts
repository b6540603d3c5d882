import { LoginError } from '../lib/errors';
import { Cloud, CLOUD_NAMES, cloudNamed, cloudOfAuthorityHost, cloudOfRegistryHost, PUBLIC_CLOUD } from './entra/clouds';
import { isBareRegistryName, parseRegistry, Registry, splitRegistries } from './registry/names';
import type { FederatedTokenSource } from './token-source';

/** The inputs as the platform hands them over, by their action.yml names; absent and empty mean the same. */
export type RawInputs = Partial<Record<InputName, string>>;

/** The inputs by their action.yml names; each platform reads these. */
export const INPUT_NAMES = [
  'registry',
  'auth-type',
  'client-id',
  'tenant-id',
  'client-secret',
  'client-certificate',
  'creds',
  'authority-host',
  'environment',
  'token-audience',
  'oidc-audience',
  'username',
  'password',
  'login',
  'logout'
] as const;

export type InputName = (typeof INPUT_NAMES)[number];

export type Credential =
  | { kind: 'oidc'; tenantId: string; clientId: string; source: FederatedTokenSource }
  | { kind: 'service-principal'; tenantId: string; clientId: string; secret: string }
  | { kind: 'service-principal'; tenantId: string; clientId: string; certificate: string }
  | { kind: 'managed-identity'; clientId?: string }
  | { kind: 'token'; username: string; password: string };

export const LOGIN_MODES = ['auto', 'docker', 'config', 'helper', 'none'] as const;
export type LoginMode = (typeof LOGIN_MODES)[number];

/** The audience of the Entra token exchanged at the registries: the cloud's ACR or ARM resource, or one given as a URI. */
export interface TokenAudience {
  choice: 'acr' | 'arm' | 'custom';
  /** The resource: the Entra scope is this + `/.default`; a managed identity asks for it as `resource`. */
  resource: string;
}

export interface LoginOptions {
  registries: Registry[];
  credential: Credential;
  /** The one cloud of this login, decided before any request. */
  cloud: Cloud;
  authorityHost: string;
  audience: TokenAudience;
  /** The audience the federated (OIDC) token is asked for: the cloud's, unless oidc-audience names another. */
  federatedAudience: string;
  login: LoginMode;
  logout: boolean;
  /** Which inputs decided the credential, the cloud and the authority, in words, for the debug lines (never a secret's value). */
  because: { credential: string; cloud: string; authority: string };
}

export const AUTH_TYPES = ['auto', 'oidc', 'service-principal', 'managed-identity', 'token'] as const;
type AuthType = (typeof AUTH_TYPES)[number];

const AUTH_TYPE_NEEDS =
  'oidc (client-id, tenant-id and an OIDC token from the platform), ' +
  'service-principal (client-id, tenant-id and client-secret or client-certificate, or creds), ' +
  'managed-identity (optional client-id for a user-assigned identity), ' +
  'token (username and password of a repository-scoped token or the admin user)';

interface AzureLoginCreds {
  clientId: string;
  clientSecret: string;
  tenantId: string;
  activeDirectoryEndpointUrl?: string;
}

/** Turns raw inputs into validated options. Pure: no I/O, no logging; every problem is a LoginError. */
export function parseLoginOptions(raw: RawInputs, federation: FederatedTokenSource): LoginOptions {
  refuseControlCharacters(raw);
  const input = (name: InputName): string => (raw[name] ?? '').trim();
  // Every registry is checked first; bare names wait for the cloud, which decides their suffix.
  const entries = splitRegistries(raw.registry ?? '').map((entry) => ({
    entry,
    parsed: isBareRegistryName(entry) ? undefined : parseRegistry(entry)
  }));
  const named = entries.flatMap(({ parsed }) => (parsed ? [parsed] : []));
  const creds = input('creds') ? parseCreds(input('creds')) : undefined;
  const authorityHost = parseAuthorityHost(input('authority-host') || creds?.activeDirectoryEndpointUrl || '');
  const { cloud, because: cloudBecause } = decideCloud(input('environment'), named, authorityHost);
  const registries: Registry[] = [];
  for (const registry of entries.map(({ entry, parsed }) => parsed ?? parseRegistry(entry, cloud))) {
    if (!registries.some((known) => known.loginServer === registry.loginServer)) registries.push(registry);
  }
  const { credential, because } = parseCredential(input, creds, federation);
  const login = oneOf('login', input('login') || 'auto', LOGIN_MODES);
  if (login === 'helper' && credential.kind === 'token') {
    throw new LoginError(
      'login helper renews Entra ID logins; a repository-scoped token or admin user password cannot be renewed, use login docker or config for it'
    );
  }
  return {
    registries,
    credential,
    cloud,
    authorityHost: authorityHost || cloud.authorityHost,
    audience: parseTokenAudience(input('token-audience'), cloud),
    federatedAudience: parseOidcAudience(input('oidc-audience')) || cloud.federatedTokenAudience,
    login,
    logout: parseBoolean('logout', input('logout') || 'true'),
    because: {
      credential: because,
      cloud: cloudBecause,
      authority: !authorityHost
        ? `the authority of ${cloud.name}`
        : input('authority-host')
          ? 'from authority-host'
          : "from creds' activeDirectoryEndpointUrl"
    }
  };
}

/**
 * The cloud of this login: `environment`, else the registries' suffix, else the cloud of a known
 * authority host, else Azure's public cloud. Signs that disagree are an error naming both.
 */
function decideCloud(environment: string, registries: Registry[], authorityHost: string): { cloud: Cloud; because: string } {
  const signs: Array<{ cloud: Cloud; what: string }> = [];
  if (environment) {
    const named = cloudNamed(environment);
    if (!named) throw new LoginError(`environment '${environment}' is unknown; use ${CLOUD_NAMES.join(', ')}`);
    signs.push({ cloud: named, what: `environment ${named.name}` });
  }
  for (const registry of registries) {
    const cloud = cloudOfRegistryHost(new URL(registry.baseUrl).hostname);
    if (cloud) signs.push({ cloud, what: `registry ${registry.loginServer} (${cloud.name})` });
  }
  const authorityCloud = authorityHost ? cloudOfAuthorityHost(new URL(authorityHost).hostname) : undefined;
  if (authorityCloud) signs.push({ cloud: authorityCloud, what: `authority-host ${authorityHost} (${authorityCloud.name})` });
  const [first] = signs;
  const other = signs.find((sign) => sign.cloud !== first?.cloud);
  if (first && other) {
    throw new LoginError(
      first.what.startsWith('registry') && other.what.startsWith('registry')
        ? `registries of two clouds in one step: ${first.what.slice('registry '.length)} and ${other.what.slice('registry '.length)}; log in to each cloud in its own step`
        : `${first.what} contradicts ${other.what}: they name different clouds`
    );
  }
  return first
    ? { cloud: first.cloud, because: first.what }
    : { cloud: PUBLIC_CLOUD, because: 'the default (nothing names another cloud)' };
}

function parseTokenAudience(value: string, cloud: Cloud): TokenAudience {
  const choice = value.toLowerCase() || 'acr';
  if (choice === 'acr') return { choice, resource: cloud.acrAudience };
  if (choice === 'arm') return { choice, resource: cloud.armAudience };
  let url: URL | undefined;
  try {
    url = /^https:\/\//i.test(value) ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || url.username || url.password || url.search || url.hash || /\s/.test(value)) {
    throw new LoginError(
      `token-audience '${value}' is not valid; use acr, arm, or an audience URI such as https://containerregistry.azure.net`
    );
  }
  return { choice: 'custom', resource: value };
}

function parseOidcAudience(value: string): string {
  if (/\s/.test(value) || value.length > 500) {
    throw new LoginError(`oidc-audience '${value.slice(0, 80)}' is not valid; give one audience, such as api://AzureADTokenExchange`);
  }
  return value;
}

function parseCredential(
  input: (name: InputName) => string,
  creds: AzureLoginCreds | undefined,
  federation: FederatedTokenSource
): { credential: Credential; because: string } {
  const authType = oneOf('auth-type', input('auth-type') || 'auto', AUTH_TYPES);
  const username = input('username');
  const password = input('password');
  if ((username === '') !== (password === '')) {
    throw new LoginError(username ? 'username is given but password is empty' : 'password is given but username is empty');
  }
  const detected = authType === 'auto' ? detectAuthType(input, creds, federation) : undefined;
  const resolved = detected?.authType ?? (authType as Exclude<AuthType, 'auto'>);
  const because = detected ? `auth-type auto, as ${detected.because}` : `auth-type ${resolved} as given`;
  return { credential: credentialOf(resolved, input, creds, federation), because };
}

function credentialOf(
  resolved: Exclude<AuthType, 'auto'>,
  input: (name: InputName) => string,
  creds: AzureLoginCreds | undefined,
  federation: FederatedTokenSource
): Credential {
  const username = input('username');
  const password = input('password');
  const clientId = input('client-id') || creds?.clientId || '';
  const tenantId = input('tenant-id') || creds?.tenantId || '';
  const require = (name: string, value: string): string => {
    if (!value) throw new LoginError(`auth-type ${resolved} needs ${name}`);
    return value;
  };
  switch (resolved) {
    case 'token':
      return { kind: 'token', username: require('username', username), password: require('password', password) };
    case 'managed-identity':
      return clientId ? { kind: 'managed-identity', clientId } : { kind: 'managed-identity' };
    case 'oidc':
      if (!federation.available) throw new LoginError(`auth-type oidc: ${federation.unavailableHint}`);
      return {
        kind: 'oidc',
        clientId: require('client-id', clientId),
        tenantId: require('tenant-id', tenantId),
        source: federation
      };
    case 'service-principal': {
      const secret = input('client-secret') || creds?.clientSecret || '';
      const certificate = input('client-certificate');
      if (secret && certificate) throw new LoginError('give either client-secret (or creds) or client-certificate, not both');
      const base = {
        kind: 'service-principal',
        clientId: require('client-id', clientId),
        tenantId: require('tenant-id', tenantId)
      } as const;
      if (certificate) return { ...base, certificate };
      return { ...base, secret: require('client-secret, client-certificate or creds', secret) };
    }
  }
}

function detectAuthType(
  input: (name: InputName) => string,
  creds: AzureLoginCreds | undefined,
  federation: FederatedTokenSource
): { authType: Exclude<AuthType, 'auto'>; because: string } {
  if (input('username')) return { authType: 'token', because: 'username is given' };
  const principal = creds ? 'creds' : input('client-secret') ? 'client-secret' : input('client-certificate') ? 'client-certificate' : '';
  if (principal) return { authType: 'service-principal', because: `${principal} is given` };
  if (input('client-id') && federation.available)
    return { authType: 'oidc', because: 'client-id is given and the platform offers an OIDC token' };
  const why = input('client-id')
    ? `client-id is given without client-secret or client-certificate, and OIDC is not possible: ${federation.unavailableHint}`
    : 'no credential inputs are given';
  throw new LoginError(`cannot choose how to log in: ${why}. Set auth-type to one of: ${AUTH_TYPE_NEEDS}`);
}

function parseCreds(text: string): AzureLoginCreds {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new LoginError('creds is not valid JSON; expected the azure/login form {"clientId","clientSecret","tenantId"}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new LoginError('creds must be a JSON object with clientId, clientSecret and tenantId');
  }
  const fields = parsed as Record<string, unknown>;
  const field = (name: string): string => (typeof fields[name] === 'string' ? (fields[name] as string).trim() : '');
  const controlled = Object.keys(fields).find((name) => CONTROL_CHARACTER.test(field(name)));
  if (controlled) throw new LoginError(`creds' ${controlled} holds a control character: give it on one line, without one`);
  const missing = ['clientId', 'clientSecret', 'tenantId'].filter((name) => !field(name));
  if (missing.length > 0) throw new LoginError(`creds lacks ${missing.join(', ')}`);
  const creds: AzureLoginCreds = { clientId: field('clientId'), clientSecret: field('clientSecret'), tenantId: field('tenantId') };
  if (field('activeDirectoryEndpointUrl')) creds.activeDirectoryEndpointUrl = field('activeDirectoryEndpointUrl');
  return creds;
}

/** The authority given (authority-host, or creds' activeDirectoryEndpointUrl) as a plain https origin and path; '' when none is. */
function parseAuthorityHost(chosen: string): string {
  if (!chosen) return '';
  let url: URL;
  try {
    url = new URL(chosen);
  } catch {
    throw new LoginError(`authority-host '${chosen}' is not a URL`);
  }
  if (url.protocol !== 'https:') throw new LoginError(`authority-host '${chosen}' must use https://`);
  if (url.username || url.password || url.search || url.hash) throw new LoginError(`authority-host '${chosen}' must be a plain https URL`);
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** C0 and C1 control characters and DEL: in a value of one line they could forge log lines or commands of the CI system. */
// eslint-disable-next-line no-control-regex -- finding them is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
/** The same, less the line breaks and tabs a PEM file or a JSON document may hold between its parts. */
// eslint-disable-next-line no-control-regex -- finding them is the point
const CONTROL_CHARACTER_NOT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * Refuses an input holding a control character, naming the input (never its value, which may be a secret).
 * The registry list is split into its entries first; a certificate and creds may span lines.
 */
function refuseControlCharacters(raw: RawInputs): void {
  for (const name of INPUT_NAMES) {
    const value = (raw[name] ?? '').trim();
    const found =
      name === 'registry'
        ? value
            .split(/\r?\n|,/)
            .find((entry) => CONTROL_CHARACTER.test(entry.trim()))
            ?.trim()
        : name === 'client-certificate' || name === 'creds'
          ? CONTROL_CHARACTER_NOT_WHITESPACE.exec(value)?.[0]
          : CONTROL_CHARACTER.exec(value)?.[0];
    if (found === undefined) continue;
    const character = (name === 'registry' ? CONTROL_CHARACTER.exec(found)?.[0] : found) ?? '';
    const code = `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    throw new LoginError(
      `${name} holds a control character (${code}${character === '\n' || character === '\r' ? ', a line break' : ''}): ` +
        (name === 'registry' ? 'give one registry per line or comma-separated, each without one' : 'give it on one line, without one')
    );
  }
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((candidate) => candidate === value.toLowerCase());
  if (!found) throw new LoginError(`${name} '${value}' is not valid; use one of: ${allowed.join(', ')}`);
  return found;
}

function parseBoolean(name: string, value: string): boolean {
  if (/^(true|yes|1)$/i.test(value)) return true;
  if (/^(false|no|0)$/i.test(value)) return false;
  throw new LoginError(`${name} '${value}' is not valid; use true or false`);
}
