// Azure Container Registry stand-in: an http server that IS the login server. It answers /oauth2/exchange and
// /oauth2/token as ACR does and proxies /v2/* to a real docker-registry child configured for token auth.
import { createPrivateKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { ARM_AUDIENCE, ACR_AUDIENCE, type EntraStandIn } from './entra';
import { PUBLIC } from './clouds';
import {
  basicCredentials,
  closeServer,
  listen,
  namedUrl,
  queryOf,
  readForm,
  safe,
  safeEqual,
  sendJson,
  type NamedEndpoint
} from './http-util';
import { checkTimes, JwtError, nowSeconds, signJwt, verifyJwt } from './jwt';
import { createClientCertificate, type ClientCertificate } from './pki';
import { startRegistryProcess, type RegistryProcess } from './registry-process';
import type { RequestLog, ServiceName } from './request-log';

export const TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';
export const ACR_ISSUER = 'Azure Container Registry';
const ARM_AUDIENCES = new Set([
  ARM_AUDIENCE,
  'https://management.azure.com',
  'https://management.core.windows.net/',
  'https://management.core.windows.net'
]);
const ACR_AUDIENCES = new Set([ACR_AUDIENCE, `${ACR_AUDIENCE}/`]);
const REFRESH_LIFETIME = 3 * 3600;
const ACCESS_LIFETIME = 75 * 60;

export type AcrRole = 'AcrPull' | 'AcrPush' | 'AcrDelete' | 'Owner';
const ROLE_ACTIONS: Record<AcrRole, string[]> = {
  AcrPull: ['pull'],
  AcrPush: ['pull', 'push'],
  AcrDelete: ['delete'],
  Owner: ['pull', 'push', 'delete']
};

export interface RepositoryPermission {
  repository: string;
  actions: string[];
}

export interface AcrOptions {
  /** Work directory (signing certificate, registry config and storage). */
  dir: string;
  log: RequestLog;
  entra: EntraStandIn;
  /** Loopback address: 127.0.0.1 (default), 127.0.0.2 … */
  host?: string;
  /** Accept ARM-audience Entra tokens at /oauth2/exchange (authentication-as-arm enabled). Default true, as in Azure. */
  allowArmTokens?: boolean;
  /** Start the docker-registry behind /v2/ (default true). false: a login server that only answers /oauth2/* (the benchmark's scaling runs). */
  startRegistry?: boolean;
  /** Answer /oauth2/exchange only after this many ms, as a remote registry would (default 0: at once). */
  exchangeDelayMs?: number;
  /**
   * The login server's real-looking name (`myreg.azurecr.cn`), served over https on `port` with a certificate
   * for it, instead of `http://<host>:<random port>`. Its cloud is its Entra's.
   */
  named?: NamedEndpoint;
  /**
   * The refresh tokens /oauth2/exchange issues. 'compact' (default): the claims the product and docker-registry read,
   * about 2.5 KB with the x5c header. 'realistic': also claims of the kinds real ACR refresh tokens carry (the
   * registry's resource id and region, the Entra token's identity claims, the actions granted), about 3.2 KB, as real
   * ones run from 2.4 KB to over 3 KB: over the 2,560 bytes Windows' Credential Manager stores.
   */
  refreshTokens?: RefreshTokenSize;
}

export type RefreshTokenSize = 'compact' | 'realistic';

interface Principal {
  subject: string;
  grantType: string;
  /** Actions this principal has on a repository. */
  rights(type: string, name: string): string[];
}

interface ScopeRequest {
  type: string;
  name: string;
  actions: string[];
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade'
]);

function acrErrors(code: string, message: string, detail: unknown = null): Record<string, unknown> {
  return { errors: [{ code, message, detail }] };
}

/** `repository:name:pull,push` (several may be space-separated or repeated). */
export function parseScopes(values: string[]): ScopeRequest[] {
  const out: ScopeRequest[] = [];
  for (const v of values) {
    for (const s of v.split(' ').filter(Boolean)) {
      const first = s.indexOf(':');
      const last = s.lastIndexOf(':');
      if (first <= 0 || last <= first) continue;
      out.push({
        type: s.slice(0, first),
        name: s.slice(first + 1, last),
        actions: s
          .slice(last + 1)
          .split(',')
          .filter(Boolean)
      });
    }
  }
  return out;
}

export class AcrStandIn {
  readonly allowArmTokens: boolean;
  readonly host: string;
  private readonly roles = new Map<string, Set<AcrRole>>();
  private readonly scopedTokens = new Map<string, { password: string; permissions: RepositoryPermission[] }>();
  private admin: { username: string; password: string } | undefined;
  private readonly issued: string[] = [];
  private readonly refreshTokensIssued: string[] = [];
  private server: Server | import('node:https').Server | undefined;
  private registryProcess: RegistryProcess | undefined;
  /** The OS-chosen port of the login server. */
  port = 0;
  private signingKey!: KeyObject;
  private signingCert!: ClientCertificate;
  /** What the exchange issues from now on (AcrOptions.refreshTokens); a suite sharing one world switches it per test. */
  refreshTokens: RefreshTokenSize;

  private constructor(private readonly opts: AcrOptions) {
    this.host = opts.host ?? '127.0.0.1';
    this.allowArmTokens = opts.allowArmTokens ?? true;
    this.refreshTokens = opts.refreshTokens ?? 'compact';
  }

  static async start(opts: AcrOptions): Promise<AcrStandIn> {
    const acr = new AcrStandIn(opts);
    const tls = opts.named?.tls;
    const server = tls
      ? createHttpsServer({ key: tls.serverKeyPem, cert: tls.serverCertPem }, acr.listener())
      : createServer(acr.listener());
    acr.server = server;
    const [port, cert] = await Promise.all([
      listen(server, acr.host, opts.named?.port ?? 0),
      createClientCertificate(opts.dir, 'acr-token-signing')
    ]);
    acr.port = port;
    acr.signingCert = cert;
    acr.signingKey = createPrivateKey(cert.keyPem);
    if (opts.startRegistry === false) return acr;
    try {
      acr.registryProcess = await startRegistryProcess({
        dir: join(opts.dir, 'registry'),
        listenHost: opts.named ? '127.0.0.1' : acr.host,
        publicUrl: acr.url,
        realm: `${acr.url}/oauth2/token`,
        service: acr.loginServer,
        issuer: ACR_ISSUER,
        rootCertBundlePath: cert.certPath
      });
    } catch (err) {
      await closeServer(server);
      throw err;
    }
    return acr;
  }

  /** `127.0.0.1:PORT` (or the name): what docker config keys and the exchange's `service` use. */
  get loginServer(): string {
    return new URL(this.url).host;
  }

  get url(): string {
    return this.opts.named ? namedUrl(this.opts.named.tls ? 'https' : 'http', this.opts.named) : `http://${this.host}:${this.port}`;
  }

  /** The resource of ACR-audience tokens in this registry's cloud (its Entra's). */
  get acrAudience(): string {
    return this.opts.entra.cloud.acrAudience;
  }

  get registry(): RegistryProcess | undefined {
    return this.registryProcess;
  }

  /** The certificate docker-registry trusts (rootcertbundle) for access tokens. */
  get signingCertificatePem(): string {
    return this.signingCert.certPem;
  }

  assignRole(objectId: string, role: AcrRole): void {
    const key = objectId.toLowerCase();
    const set = this.roles.get(key) ?? new Set<AcrRole>();
    set.add(role);
    this.roles.set(key, set);
  }

  removeRoles(objectId: string): void {
    this.roles.delete(objectId.toLowerCase());
  }

  /** A repository-scoped token (ACR "tokens" + scope maps); actions are registry actions: pull, push, delete. */
  addScopedToken(username: string, password: string, permissions: RepositoryPermission[]): void {
    this.scopedTokens.set(username, { password, permissions: permissions.map((p) => ({ ...p, actions: [...p.actions] })) });
  }

  enableAdminUser(username: string, password: string): void {
    this.admin = { username, password };
  }

  disableAdminUser(): void {
    this.admin = undefined;
  }

  /** Sign a refresh token as /oauth2/exchange would (tests that need one without Entra); its size as `refreshTokens` says. */
  issueRefreshToken(claims: { oid: string; tid: string; appid?: string }): string {
    const now = nowSeconds();
    const token = signJwt(
      {
        ...(this.refreshTokens === 'realistic' ? this.realisticClaims(claims) : {}),
        jti: randomUUID(),
        sub: claims.oid,
        oid: claims.oid,
        tid: claims.tid,
        tenant: claims.tid,
        appid: claims.appid,
        nbf: now,
        exp: now + REFRESH_LIFETIME,
        iat: now,
        iss: ACR_ISSUER,
        aud: this.loginServer,
        version: '1.0',
        grant_type: 'refresh_token',
        permissions: { actions: ['read', 'write'], notActions: null },
        roles: []
      },
      this.signingKey,
      { x5c: [this.signingCert.derBase64] }
    );
    this.issued.push(token);
    this.refreshTokensIssued.push(token);
    return token;
  }

  /** The refresh token the exchange (or issueRefreshToken) issued last. */
  lastRefreshToken(): string | undefined {
    return this.refreshTokensIssued[this.refreshTokensIssued.length - 1];
  }

  /** What real ACR refresh tokens carry beyond the compact claims: where the registry is, who asked, the actions granted. */
  private realisticClaims(claims: { oid: string; tid: string; appid?: string }): Record<string, unknown> {
    const subscription = randomUUID();
    const name = this.loginServer.split(/[.:]/)[0] ?? 'registry';
    return {
      rid: randomBytes(16).toString('hex'),
      resourceId: `/subscriptions/${subscription}/resourceGroups/rg-registries/providers/Microsoft.ContainerRegistry/registries/${name}`,
      region: 'westeurope',
      idp: `https://sts.windows.net/${claims.tid}/`,
      idtyp: 'app',
      azp: claims.appid ?? claims.oid,
      uti: randomBytes(16).toString('base64url'),
      access: {
        actions: [
          'Microsoft.ContainerRegistry/registries/pull/read',
          'Microsoft.ContainerRegistry/registries/push/write',
          'Microsoft.ContainerRegistry/registries/repositories/content/read'
        ],
        notActions: []
      }
    };
  }

  secrets(): string[] {
    const out = [...this.issued];
    if (this.admin) out.push(this.admin.password);
    for (const t of this.scopedTokens.values()) out.push(t.password);
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([this.server ? closeServer(this.server) : Promise.resolve(), this.registryProcess?.stop()]);
  }

  // ---------------------------------------------------------------- HTTP

  private listener(): (req: IncomingMessage, res: ServerResponse) => void {
    const classify = (_req: IncomingMessage, path: string): ServiceName => {
      if (path === '/oauth2/exchange' || path === '/oauth2/exchange/') return 'acr-exchange';
      if (path === '/oauth2/token' || path === '/oauth2/token/') return 'acr-token';
      return 'registry';
    };
    const faultBody = (_s: ServiceName, status: number): Record<string, unknown> =>
      status === 429
        ? acrErrors('TOOMANYREQUESTS', 'too many requests, please retry later')
        : acrErrors('UNAVAILABLE', 'service unavailable, please retry later');
    return this.opts.log.listener(
      classify,
      safe(async (req, res) => {
        const path = (req.url ?? '/').split('?')[0] ?? '/';
        const service = classify(req, path);
        if (service === 'acr-exchange') await this.exchange(req, res);
        else if (service === 'acr-token') await this.token(req, res);
        else if (path === '/v2' || path.startsWith('/v2/')) this.proxy(req, res);
        else {
          req.resume();
          sendJson(res, 404, acrErrors('NOT_FOUND', 'The requested resource was not found.'));
        }
      }),
      faultBody
    );
  }

  private async exchange(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.opts.exchangeDelayMs) await new Promise((resolve) => setTimeout(resolve, this.opts.exchangeDelayMs));
    if (req.method !== 'POST') {
      req.resume();
      sendJson(res, 405, acrErrors('UNSUPPORTED', `method ${req.method ?? ''} not allowed`), { Allow: 'POST' });
      return;
    }
    const form = await readForm(req);
    if (!form) {
      sendJson(res, 400, acrErrors('BAD_REQUEST', 'the request must be application/x-www-form-urlencoded'));
      return;
    }
    const grantType = form.get('grant_type');
    if (grantType !== 'access_token') {
      sendJson(res, 400, acrErrors('UNSUPPORTED', `grant type '${grantType ?? ''}' is not supported`));
      return;
    }
    const service = form.get('service');
    if (service !== this.loginServer) {
      sendJson(res, 400, acrErrors('BAD_REQUEST', `invalid service '${service ?? ''}'`, `expected '${this.loginServer}'`));
      return;
    }
    const accessToken = form.get('access_token');
    if (!accessToken) {
      sendJson(res, 400, acrErrors('BAD_REQUEST', 'access_token is required'));
      return;
    }
    const unauthorized = (message: string, detail: unknown = null): void => sendJson(res, 401, acrErrors('UNAUTHORIZED', message, detail));
    let payload: Record<string, unknown>;
    try {
      payload = verifyJwt(accessToken, this.opts.entra.publicKey, ['RS256']).payload;
    } catch (err) {
      unauthorized('invalid access token', err instanceof JwtError ? err.message : String(err));
      return;
    }
    const tid = payload['tid'];
    if (typeof tid !== 'string' || payload['iss'] !== this.opts.entra.issuerFor(tid)) {
      unauthorized('invalid access token', 'untrusted issuer');
      return;
    }
    const times = checkTimes(payload, nowSeconds(), 0);
    if (times) {
      unauthorized(times === 'expired' ? 'access token has expired' : 'invalid access token', times);
      return;
    }
    const tenant = form.get('tenant');
    if (tenant && tenant.toLowerCase() !== tid.toLowerCase()) {
      unauthorized('tenant mismatch', `the access token was issued by tenant '${tid}', not '${tenant}'`);
      return;
    }
    // Only its own cloud's audiences: a registry in Azure China knows nothing of https://containerregistry.azure.net.
    const aud = payload['aud'];
    const { acrAudiences, armAudiences } = this.audiences();
    if (typeof aud !== 'string' || (!acrAudiences.has(aud) && !armAudiences.has(aud))) {
      unauthorized('invalid audience', `audience '${String(aud)}' is not accepted by this registry`);
      return;
    }
    if (armAudiences.has(aud) && !this.allowArmTokens) {
      unauthorized(
        'arm aad token disallowed',
        `authentication-as-arm is disabled for this registry: use an Entra token for audience '${this.acrAudience}'`
      );
      return;
    }
    const oid = payload['oid'];
    if (typeof oid !== 'string') {
      unauthorized('invalid access token', 'no oid claim');
      return;
    }
    const appid = typeof payload['appid'] === 'string' ? payload['appid'] : undefined;
    sendJson(res, 200, { refresh_token: this.issueRefreshToken({ oid, tid, ...(appid ? { appid } : {}) }) });
  }

  /** The ACR and ARM token audiences of this registry's cloud. */
  private audiences(): { acrAudiences: Set<string>; armAudiences: Set<string> } {
    const cloud = this.opts.entra.cloud;
    if (cloud === PUBLIC) return { acrAudiences: ACR_AUDIENCES, armAudiences: ARM_AUDIENCES };
    return {
      acrAudiences: new Set([cloud.acrAudience, `${cloud.acrAudience}/`]),
      armAudiences: new Set([cloud.armAudience, `${cloud.armAudience}/`])
    };
  }

  /** A refresh token this registry issued → its principal; undefined if invalid. */
  private principalFromRefreshToken(token: string): Principal | undefined {
    let payload: Record<string, unknown>;
    try {
      payload = verifyJwt(token, this.signingKey, ['RS256']).payload;
    } catch {
      return undefined;
    }
    if (payload['iss'] !== ACR_ISSUER || payload['aud'] !== this.loginServer || payload['grant_type'] !== 'refresh_token') return undefined;
    if (checkTimes(payload, nowSeconds(), 0)) return undefined;
    const oid = payload['oid'];
    if (typeof oid !== 'string') return undefined;
    return {
      subject: oid,
      grantType: 'refresh_token',
      rights: (type) => {
        if (type !== 'repository') return [];
        const actions = new Set<string>();
        for (const role of this.roles.get(oid.toLowerCase()) ?? []) for (const a of ROLE_ACTIONS[role]) actions.add(a);
        return [...actions];
      }
    };
  }

  private principalFromPassword(username: string, password: string): Principal | undefined {
    if (username === TOKEN_USERNAME) return this.principalFromRefreshToken(password);
    if (this.admin && username === this.admin.username && safeEqual(password, this.admin.password)) {
      return {
        subject: username,
        grantType: 'password',
        rights: (type) => (type === 'repository' ? ['pull', 'push', 'delete', '*'] : type === 'registry' ? ['*'] : [])
      };
    }
    const scoped = this.scopedTokens.get(username);
    if (scoped && safeEqual(password, scoped.password)) {
      return {
        subject: username,
        grantType: 'password',
        rights: (type, name) =>
          type === 'repository' ? scoped.permissions.filter((p) => p.repository === name).flatMap((p) => p.actions) : []
      };
    }
    return undefined;
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let principal: Principal | undefined;
    let service: string | null;
    let scopes: string[];
    const unauthorized = (message: string): void =>
      sendJson(res, 401, acrErrors('UNAUTHORIZED', message), {
        'WWW-Authenticate': `Basic realm="${this.url}/oauth2/token"`
      });
    if (req.method === 'GET') {
      req.resume();
      const q = queryOf(req);
      service = q.get('service');
      scopes = q.getAll('scope');
      const basic = basicCredentials(req);
      if (!basic) {
        unauthorized('authentication required, visit https://aka.ms/acr/authorization for more information.');
        return;
      }
      principal = this.principalFromPassword(basic.username, basic.password);
    } else if (req.method === 'POST') {
      const form = await readForm(req);
      if (!form) {
        sendJson(res, 400, acrErrors('BAD_REQUEST', 'the request must be application/x-www-form-urlencoded'));
        return;
      }
      service = form.get('service');
      scopes = form.getAll('scope');
      const grantType = form.get('grant_type');
      if (grantType === 'refresh_token') {
        const rt = form.get('refresh_token');
        if (!rt) {
          sendJson(res, 400, acrErrors('BAD_REQUEST', 'refresh_token is required'));
          return;
        }
        principal = this.principalFromRefreshToken(rt);
      } else if (grantType === 'password') {
        principal = this.principalFromPassword(form.get('username') ?? '', form.get('password') ?? '');
      } else {
        sendJson(res, 400, acrErrors('UNSUPPORTED', `grant type '${grantType ?? ''}' is not supported`));
        return;
      }
    } else {
      req.resume();
      sendJson(res, 405, acrErrors('UNSUPPORTED', `method ${req.method ?? ''} not allowed`), { Allow: 'GET, POST' });
      return;
    }
    if (service !== this.loginServer) {
      sendJson(res, 400, acrErrors('BAD_REQUEST', `invalid service '${service ?? ''}'`, `expected '${this.loginServer}'`));
      return;
    }
    if (!principal) {
      unauthorized('authentication required, visit https://aka.ms/acr/authorization for more information.');
      return;
    }
    const who = principal;
    const access = parseScopes(scopes).map((s) => {
      const allowed = who.rights(s.type, s.name);
      const granted = allowed.includes('*') ? s.actions : s.actions.filter((a) => allowed.includes(a));
      return { type: s.type, name: s.name, actions: granted };
    });
    const now = nowSeconds();
    const accessToken = signJwt(
      {
        jti: randomUUID(),
        sub: who.subject,
        nbf: now,
        exp: now + ACCESS_LIFETIME,
        iat: now,
        iss: ACR_ISSUER,
        aud: this.loginServer,
        version: '1.0',
        rid: randomBytes(16).toString('hex'),
        grant_type: who.grantType,
        access,
        roles: []
      },
      this.signingKey,
      { x5c: [this.signingCert.derBase64] }
    );
    this.issued.push(accessToken);
    sendJson(res, 200, { access_token: accessToken });
  }

  private proxy(req: IncomingMessage, res: ServerResponse): void {
    const upstream = this.registryProcess;
    if (!upstream) {
      req.resume();
      sendJson(res, 503, acrErrors('UNAVAILABLE', 'registry not started'));
      return;
    }
    const headers: IncomingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
    headers['x-forwarded-proto'] = new URL(this.url).protocol.slice(0, -1);
    const upstreamReq = request(
      { host: upstream.host, port: upstream.port, method: req.method, path: req.url, headers, agent: false },
      (upstreamRes) => {
        const raw: string[] = [];
        const rh = upstreamRes.rawHeaders;
        for (let i = 0; i + 1 < rh.length; i += 2) {
          const name = rh[i] ?? '';
          let value = rh[i + 1] ?? '';
          if (HOP_BY_HOP.has(name.toLowerCase())) continue;
          if (name.toLowerCase() === 'location' && value.startsWith(upstream.url)) value = this.url + value.slice(upstream.url.length);
          raw.push(name, value);
        }
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, raw);
        upstreamRes.pipe(res);
      }
    );
    upstreamReq.on('error', (err) => {
      if (!res.headersSent) sendJson(res, 502, acrErrors('UNAVAILABLE', 'registry backend unavailable', err.message));
      else res.destroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
    req.pipe(upstreamReq);
  }
}
