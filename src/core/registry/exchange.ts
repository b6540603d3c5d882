import { LoginError } from '../../lib/errors';
import { formBody, HttpObserver, parseJson, send } from '../../lib/http';
import type { ProxySettings } from '../../lib/proxy';
import { lifetimeOf, readClaims } from '../entra/jwt';
import type { TokenAudience } from '../options';
import type { Registry } from './names';

/** What a client needs to log in to one registry. */
export interface RegistryCredential {
  registry: Registry;
  username: string;
  password: string;
  expiresOn?: Date;
  /** Who the Entra token was issued to (its appid or azp, and oid claims); absent for a username and password. */
  identity?: EntraIdentity;
}

export interface EntraIdentity {
  clientId?: string;
  objectId?: string;
}

/** The user name ACR expects with a refresh token obtained from an Entra token. */
export const TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';

/** A registry refresh token lives about 3 hours; one claiming more than this is not believed. */
const MAX_REFRESH_TOKEN_LIFETIME_MS = 7 * 24 * 3600 * 1000;

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Why `token` cannot be a registry refresh token (a JWT, no whitespace, an `exp` in the future and
 * within MAX_REFRESH_TOKEN_LIFETIME_MS), as the end of a sentence; undefined when it can. A token just
 * issued (`justIssued`) is judged by its own lifetime (`exp - iat`, else `exp` less the server's `Date`),
 * so a machine whose clock is hours off takes a fresh token; one of unknown age, by this machine's clock.
 */
export function refreshTokenProblem(token: string, justIssued?: { serverDate?: number }): string | undefined {
  if (token === '') return 'is empty';
  if (/\s/.test(token)) return 'contains whitespace';
  if (!JWT_SHAPE.test(token) || Object.keys(readClaims(token)).length === 0) return 'is not a JWT';
  const exp = readClaims(token).exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return 'carries no expiry (exp)';
  const left = validForMs(token, justIssued);
  if (left <= 0) {
    return justIssued
      ? `expired ${Math.round(-left / 1000)} s before it was issued (by the registry's clock)`
      : `expired ${Math.round(-left / 1000)} s ago (by this machine's clock)`;
  }
  if (left > MAX_REFRESH_TOKEN_LIFETIME_MS)
    return `claims to be valid for ${Math.round(left / 86400000)} days, more than the 7 a registry grants`;
  return undefined;
}

/** How long from now the token is valid: its own lifetime when it was just issued, else its `exp` by this machine's clock. */
export function validForMs(token: string, justIssued?: { serverDate?: number }): number {
  const lifetime = justIssued ? lifetimeOf(token, justIssued.serverDate) : undefined;
  return lifetime ?? Number(readClaims(token).exp) * 1000 - Date.now();
}

/** Trades an Entra access token for this registry's refresh token at `/oauth2/exchange`. */
export async function exchangeForRefreshToken(
  registry: Registry,
  accessToken: string,
  audience: TokenAudience,
  proxy: ProxySettings,
  observer?: HttpObserver
): Promise<RegistryCredential> {
  const claims = readClaims(accessToken);
  const tenant = typeof claims.tid === 'string' ? claims.tid : '';
  const response = await send({
    proxy,
    method: 'POST',
    url: `${registry.baseUrl}/oauth2/exchange`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: formBody({ grant_type: 'access_token', service: registry.loginServer, tenant, access_token: accessToken }),
    observer
  });
  const answer = parseJson(response.body) as { refresh_token?: unknown } | undefined;
  if (response.status === 200 && answer !== undefined && 'refresh_token' in answer) {
    const receivedAt = Date.now();
    const issued = { serverDate: Date.parse(String(response.headers.date ?? '')) };
    const refreshToken = answer.refresh_token;
    const problem = typeof refreshToken === 'string' ? refreshTokenProblem(refreshToken, issued) : 'is not a string';
    // Checked before anything is written or printed: the token itself never appears in the message.
    if (problem || typeof refreshToken !== 'string') {
      throw new LoginError(`${registry.loginServer} answered the token exchange with a refresh token that ${problem}; nothing was written`);
    }
    return {
      registry,
      username: TOKEN_USERNAME,
      password: refreshToken,
      // By this machine's clock, whatever its distance from the registry's.
      expiresOn: new Date(receivedAt + validForMs(refreshToken, issued)),
      identity: entraIdentity(claims)
    };
  }
  throw new LoginError(exchangeFailure(registry, response.status, response.body, audience, identityOf(claims)));
}

/** The roles that let an identity push or pull, in both permission modes a registry can have. */
const ROLE_ADVICE =
  'AcrPush (to push) or AcrPull (to pull) on it, or, when its permissions mode is RBAC Registry + ABAC Repository Permissions, ' +
  'Container Registry Repository Writer or Reader';

function exchangeFailure(registry: Registry, status: number, body: string, audience: TokenAudience, identity: string): string {
  const detail = acrErrorMessage(body);
  const server = registry.loginServer;
  if (status === 401 && audience.choice === 'arm') {
    return (
      `${server} refused the ARM-audience token of ${identity}: authentication-as-arm is disabled on this registry. ` +
      `Use token-audience: acr (the default), or enable it with 'az acr config authentication-as-arm update --status enabled'${detail}`
    );
  }
  if (status === 401 || status === 403) {
    return (
      `${server} refused the Entra token of ${identity} (HTTP ${status})${detail}. ` +
      `Check that the token's audience (${audience.resource}) is the one of the registry's cloud, ` +
      `and that the identity is in the registry's tenant and has ${ROLE_ADVICE}`
    );
  }
  if (status === 404) return `${server} has no /oauth2/exchange endpoint (HTTP 404): is it an Azure Container Registry?`;
  return `token exchange at ${server} failed with HTTP ${status}${detail}`;
}

/** The client and object id an Entra access token names. */
export function entraIdentity(claims: Record<string, unknown>): EntraIdentity {
  const identity: EntraIdentity = {};
  const clientId = claims.appid ?? claims.azp;
  if (typeof clientId === 'string') identity.clientId = clientId;
  if (typeof claims.oid === 'string') identity.objectId = claims.oid;
  return identity;
}

function identityOf(claims: Record<string, unknown>): string {
  const appId = claims.appid ?? claims.azp;
  const objectId = claims.oid;
  if (typeof appId === 'string' && typeof objectId === 'string') return `client ${appId} (object ${objectId})`;
  if (typeof objectId === 'string') return `object ${objectId}`;
  return 'the identity';
}

/** The message of an ACR/distribution error body `{"errors":[{"code","message"}]}`, as `: CODE message`. */
export function acrErrorMessage(body: string): string {
  const parsed = parseJson(body) as { errors?: Array<{ code?: unknown; message?: unknown }> } | undefined;
  const first = Array.isArray(parsed?.errors) ? parsed.errors[0] : undefined;
  if (!first) return '';
  const parts = [first.code, first.message].filter((part): part is string => typeof part === 'string' && part.length > 0);
  return parts.length > 0 ? `: ${parts.join(' ').slice(0, 300)}` : '';
}
