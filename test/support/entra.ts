// Microsoft Entra ID stand-in (https): OIDC metadata, instance discovery, the v2.0 (and v1) token endpoint
// for client_credentials with a secret, a certificate assertion or a federated (OIDC) assertion.
import { createPublicKey, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeServer, isGuid, namedUrl, queryOf, readForm, safe, safeEqual, sendJson, serveHttps, type NamedEndpoint } from './http-util';
import { PUBLIC, type TestCloud } from './clouds';
import {
  checkTimes,
  decodeJwt,
  generateSigningKey,
  JwtError,
  nowSeconds,
  TokenIssuer,
  verifyJwt,
  type DecodedJwt,
  type JwtHeader,
  type SigningKey
} from './jwt';
import type { Pki } from './pki';
import type { RequestLog, ServiceName } from './request-log';

export const ACR_AUDIENCE = 'https://containerregistry.azure.net';
export const ARM_AUDIENCE = 'https://management.azure.com/';
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Resources known in every tenant: identifier as sent (scope without /.default, or resource) → token `aud`. */
const RESOURCES: Record<string, string> = {
  'https://containerregistry.azure.net': ACR_AUDIENCE,
  'https://containerregistry.azure.net/': ACR_AUDIENCE,
  'https://management.azure.com': ARM_AUDIENCE,
  'https://management.azure.com/': ARM_AUDIENCE,
  'https://management.core.windows.net/': 'https://management.core.windows.net/',
  'https://management.core.windows.net': 'https://management.core.windows.net/'
};

/** The resources a cloud's tenants know (identifier as sent → token `aud`): its ACR and ARM resources only. */
function resourcesOf(cloud: TestCloud): Record<string, string> {
  if (cloud === PUBLIC) return RESOURCES;
  const arm = `${cloud.armAudience}/`;
  return { [cloud.acrAudience]: cloud.acrAudience, [`${cloud.acrAudience}/`]: cloud.acrAudience, [cloud.armAudience]: arm, [arm]: arm };
}

/** Map a v2 scope (`<resource>/.default`) or a v1/managed-identity `resource` to the access token audience, in `cloud` (public by default). */
export function audienceFor(resourceOrScope: string, cloud: TestCloud = PUBLIC): string | undefined {
  const resource = resourceOrScope.endsWith('/.default') ? resourceOrScope.slice(0, -'/.default'.length) : resourceOrScope;
  // `https://management.core.windows.net//.default` → resource `https://management.core.windows.net/`
  const known = resourcesOf(cloud);
  return known[resource] ?? known[resource.toLowerCase()];
}

export interface FederatedCredential {
  issuer: string;
  subject: string;
  audience?: string; // default api://AzureADTokenExchange
  name?: string;
}

export interface EntraApplication {
  clientId: string;
  /** Object id of the application's service principal in the tenant (what role assignments and `oid` use). */
  objectId: string;
  displayName: string;
  secret?: string;
  /** Registered certificate(s) (PEM) whose thumbprints are accepted in client assertions. */
  certificatePem?: string | string[];
  federatedCredentials?: FederatedCredential[];
}

export interface EntraTenant {
  id: string;
  displayName: string;
  domains: string[];
  applications: Map<string, EntraApplication>;
}

interface RegisteredCert {
  sha1: string;
  sha256: string;
  publicKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
}

export interface EntraOptions {
  pki: Pki;
  log: RequestLog;
  host?: string;
  /** The cloud it plays: which resources exist, which federated audience is the default, the tokens' issuer. Public by default. */
  cloud?: TestCloud;
  /** Reached by this name (the cloud's authority host) on this port, instead of `https://<host>:<random port>`. */
  named?: NamedEndpoint;
}

class AadError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    readonly description: string
  ) {
    super(`AADSTS${code}: ${description}`);
  }
}

function entraTimestamp(d = new Date()): string {
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

function hexThumbprint(b64url: string): string {
  return Buffer.from(b64url, 'base64url').toString('hex').toUpperCase();
}

export class EntraStandIn {
  readonly tenants = new Map<string, EntraTenant>();
  /** Trusted external OIDC issuers (GitHub, Azure DevOps …) → signing key. */
  readonly trustedIssuers = new Map<string, KeyObject>();
  private readonly certs = new Map<string, RegisteredCert[]>();
  private readonly receivedSecrets: string[] = [];
  /** Header and kind of every client assertion received (what MSAL / the product actually signs). */
  readonly assertionsReceived: {
    clientId: string;
    kind: 'certificate' | 'federated';
    header: JwtHeader;
    iss: unknown;
    sub: unknown;
    aud: unknown;
  }[] = [];
  private server: Server | undefined;
  private port = 0;
  private readonly tokens: TokenIssuer;
  readonly cloud: TestCloud;

  private constructor(
    private readonly signing: SigningKey,
    private readonly opts: EntraOptions,
    readonly host: string
  ) {
    this.tokens = new TokenIssuer(signing);
    this.cloud = opts.cloud ?? PUBLIC;
  }

  static async start(opts: EntraOptions): Promise<EntraStandIn> {
    const entra = new EntraStandIn(await generateSigningKey(), opts, opts.host ?? '127.0.0.1');
    ({ server: entra.server, port: entra.port } = await serveHttps(
      opts.named?.tls ?? opts.pki,
      entra.host,
      entra.listener(),
      opts.named?.port ?? 0
    ));
    return entra;
  }

  /** The authority host to give the product / @azure/identity (`authorityHost`). */
  get url(): string {
    return this.opts.named ? namedUrl('https', this.opts.named) : `https://${this.host}:${this.port}`;
  }

  /** The access token audience for a scope or resource, if the resource exists in this cloud. */
  audienceFor(resourceOrScope: string): string | undefined {
    return audienceFor(resourceOrScope, this.cloud);
  }

  /** The `iss` of the access tokens issued for a tenant, as this cloud's Entra ID writes it. */
  issuerFor(tenantId: string): string {
    return this.cloud.tokenIssuer(tenantId);
  }

  /** Public key that verifies every access token this stand-in issues. */
  get publicKey(): KeyObject {
    return this.signing.publicKey;
  }

  get kid(): string {
    return this.signing.kid;
  }

  tokenEndpoint(tenant: string): string {
    return `${this.url}/${tenant}/oauth2/v2.0/token`;
  }

  addTenant(id: string, opts: { displayName?: string; domains?: string[] } = {}): EntraTenant {
    const tenant: EntraTenant = {
      id,
      displayName: opts.displayName ?? 'Contoso',
      domains: (opts.domains ?? []).map((d) => d.toLowerCase()),
      applications: new Map()
    };
    this.tenants.set(id, tenant);
    return tenant;
  }

  addApplication(tenantId: string, app: EntraApplication): EntraApplication {
    const tenant = this.tenants.get(tenantId);
    if (!tenant) throw new Error(`no tenant ${tenantId}`);
    tenant.applications.set(app.clientId.toLowerCase(), app);
    const pems = app.certificatePem === undefined ? [] : Array.isArray(app.certificatePem) ? app.certificatePem : [app.certificatePem];
    this.certs.set(
      app.clientId.toLowerCase(),
      pems.map((pem) => {
        const x = new X509Certificate(pem);
        return {
          sha1: Buffer.from(x.fingerprint.replace(/:/g, ''), 'hex').toString('base64url'),
          sha256: Buffer.from(x.fingerprint256.replace(/:/g, ''), 'hex').toString('base64url'),
          publicKey: x.publicKey,
          notBefore: new Date(x.validFrom),
          notAfter: new Date(x.validTo)
        };
      })
    );
    return app;
  }

  /** Let federated credentials name `issuer`; tokens it signs verify with `publicKey`. */
  trustIssuer(issuer: string, publicKey: KeyObject | string): void {
    this.trustedIssuers.set(issuer, typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey);
  }

  private resolveTenant(tenant: string): EntraTenant | undefined {
    const t = tenant.toLowerCase();
    for (const candidate of this.tenants.values()) {
      if (candidate.id.toLowerCase() === t || candidate.domains.includes(t)) return candidate;
    }
    return undefined;
  }

  /**
   * An access token as Entra issues it (v1 format, what ACR and ARM receive). Also used by the managed-identity stand-ins.
   * `audience` may be a scope or resource; it is mapped like the token endpoint does.
   */
  mintAccessToken(
    tenantId: string,
    objectId: string,
    clientId: string,
    audience: string,
    lifetimeSeconds = 3600,
    extraClaims: Record<string, unknown> = {}
  ): string {
    const aud = this.audienceFor(audience) ?? audience;
    const iat = nowSeconds();
    return this.tokens.sign({
      aud,
      iss: this.issuerFor(tenantId),
      iat,
      nbf: iat,
      exp: iat + lifetimeSeconds,
      aio: Buffer.from(randomUUID()).toString('base64url'),
      appid: clientId,
      appidacr: '1',
      idp: this.issuerFor(tenantId),
      idtyp: 'app',
      oid: objectId,
      rh: `0.${Buffer.from(randomUUID()).toString('base64url').slice(0, 40)}.`,
      sub: objectId,
      tid: tenantId,
      uti: Buffer.from(randomUUID()).toString('base64url').slice(0, 22),
      ver: '1.0',
      ...extraClaims
    });
  }

  /** Every token issued and every credential (secret, assertion) received. */
  secrets(): string[] {
    const configured: string[] = [];
    for (const t of this.tenants.values()) for (const a of t.applications.values()) if (a.secret) configured.push(a.secret);
    return [...configured, ...this.tokens.tokens, ...this.receivedSecrets];
  }

  async close(): Promise<void> {
    if (this.server) await closeServer(this.server);
  }

  // ---------------------------------------------------------------- HTTP

  private listener(): (req: IncomingMessage, res: ServerResponse) => void {
    const classify = (_req: IncomingMessage, path: string): ServiceName | undefined => {
      if (/^\/common\/discovery\/instance\/?$/i.test(path)) return 'instance-discovery';
      if (/\/oauth2\/(v2\.0\/)?token\/?$/i.test(path)) return 'entra-token';
      if (/\/\.well-known\/openid-configuration$/i.test(path) || /\/discovery\/(v2\.0\/)?keys$/i.test(path)) return 'entra-metadata';
      return 'entra-metadata';
    };
    const faultBody = (_s: ServiceName, status: number): Record<string, unknown> => {
      const code = status === 429 ? 50196 : 90033;
      const text =
        status === 429
          ? 'The server encountered a client request loop. Please try again later.'
          : 'A transient error has occurred. Please try again.';
      return this.errorBody(status === 429 ? 'temporarily_unavailable' : 'temporarily_unavailable', code, text, randomUUID());
    };
    return this.opts.log.listener(
      classify,
      safe((req, res) => this.handle(req, res)),
      faultBody
    );
  }

  private errorBody(error: string, code: number, description: string, correlationId: string): Record<string, unknown> {
    const traceId = randomUUID();
    const timestamp = entraTimestamp();
    return {
      error,
      error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${this.url}/error?code=${code}`
    };
  }

  private sendAadError(res: ServerResponse, err: AadError, correlationId: string): void {
    sendJson(res, err.status, this.errorBody(err.error, err.code, err.description, correlationId), this.commonHeaders(correlationId));
  }

  private commonHeaders(correlationId: string): Record<string, string> {
    return {
      'Cache-Control': 'no-store, no-cache',
      Pragma: 'no-cache',
      'x-ms-request-id': randomUUID(),
      'client-request-id': correlationId,
      'x-ms-ests-server': 'stand-in'
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const header = req.headers['client-request-id'];
    const requested = typeof header === 'string' ? header : (queryOf(req).get('client-request-id') ?? '');
    const correlationId = isGuid(requested) ? requested : randomUUID();
    try {
      let m: RegExpExecArray | null;
      if (/^\/common\/discovery\/instance\/?$/i.test(path)) {
        this.instanceDiscovery(req, res, correlationId);
      } else if ((m = /^\/([^/]+)(\/v2\.0)?\/\.well-known\/openid-configuration$/i.exec(path))) {
        this.openIdConfiguration(res, m[1] ?? '', Boolean(m[2]), correlationId);
      } else if ((m = /^\/([^/]+)\/discovery(\/v2\.0)?\/keys$/i.exec(path))) {
        sendJson(res, 200, { keys: [this.jwk()] }, this.commonHeaders(correlationId));
      } else if ((m = /^\/([^/]+)\/oauth2(\/v2\.0)?\/token\/?$/i.exec(path))) {
        await this.token(req, res, m[1] ?? '', Boolean(m[2]), correlationId);
      } else {
        sendJson(res, 404, this.errorBody('invalid_request', 900561, `The endpoint ${path} does not exist.`, correlationId));
      }
    } catch (err) {
      if (err instanceof AadError) this.sendAadError(res, err, correlationId);
      else throw err;
    }
  }

  private jwk(): Record<string, unknown> {
    const jwk = this.signing.publicKey.export({ format: 'jwk' });
    return {
      kty: 'RSA',
      use: 'sig',
      kid: this.signing.kid,
      x5t: this.signing.kid,
      n: jwk.n,
      e: jwk.e,
      issuer: `https://sts.windows.net/{tenantid}/`
    };
  }

  private tenantOrThrow(tenant: string): EntraTenant {
    const t = this.resolveTenant(tenant);
    if (t) return t;
    if (!isGuid(tenant) && !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(tenant)) {
      throw new AadError(
        400,
        'invalid_request',
        900023,
        `Specified tenant identifier '${tenant}' is neither a valid DNS name, nor a valid external domain.`
      );
    }
    throw new AadError(
      400,
      'invalid_tenant',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`
    );
  }

  private openIdConfiguration(res: ServerResponse, tenantSegment: string, v2: boolean, correlationId: string): void {
    const multi = ['common', 'organizations', 'consumers'].includes(tenantSegment.toLowerCase());
    const tid = multi ? '{tenantid}' : this.tenantOrThrow(tenantSegment).id;
    const seg = multi ? '{tenant}' : tid;
    const base = this.url;
    const doc: Record<string, unknown> = v2
      ? {
          token_endpoint: `${base}/${seg}/oauth2/v2.0/token`,
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
          jwks_uri: `${base}/${multi ? 'common' : tid}/discovery/v2.0/keys`,
          response_modes_supported: ['query', 'fragment', 'form_post'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
          issuer: `${base}/${tid}/v2.0`,
          request_uri_parameter_supported: false,
          userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
          authorization_endpoint: `${base}/${seg}/oauth2/v2.0/authorize`,
          device_authorization_endpoint: `${base}/${seg}/oauth2/v2.0/devicecode`,
          http_logout_supported: true,
          frontchannel_logout_supported: true,
          end_session_endpoint: `${base}/${seg}/oauth2/v2.0/logout`,
          claims_supported: [
            'sub',
            'iss',
            'cloud_instance_name',
            'cloud_instance_host_name',
            'cloud_graph_host_name',
            'msgraph_host',
            'aud',
            'exp',
            'iat',
            'auth_time',
            'acr',
            'nonce',
            'preferred_username',
            'name',
            'tid',
            'ver',
            'at_hash',
            'c_hash',
            'email'
          ],
          kerberos_endpoint: `${base}/${seg}/kerberos`,
          tenant_region_scope: 'EU',
          cloud_instance_name: 'microsoftonline.com',
          cloud_graph_host_name: 'graph.windows.net',
          msgraph_host: 'graph.microsoft.com',
          rbac_url: 'https://pas.windows.net'
        }
      : {
          token_endpoint: `${base}/${seg}/oauth2/token`,
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
          jwks_uri: `${base}/common/discovery/keys`,
          response_modes_supported: ['query', 'fragment', 'form_post'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
          response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
          scopes_supported: ['openid'],
          issuer: this.issuerFor(tid),
          microsoft_multi_refresh_token: true,
          authorization_endpoint: `${base}/${seg}/oauth2/authorize`,
          device_authorization_endpoint: `${base}/${seg}/oauth2/devicecode`,
          http_logout_supported: true,
          frontchannel_logout_supported: true,
          end_session_endpoint: `${base}/${seg}/oauth2/logout`,
          claims_supported: [
            'sub',
            'iss',
            'cloud_instance_name',
            'cloud_instance_host_name',
            'cloud_graph_host_name',
            'msgraph_host',
            'aud',
            'exp',
            'iat',
            'auth_time',
            'acr',
            'amr',
            'nonce',
            'email',
            'given_name',
            'family_name',
            'nickname'
          ],
          check_session_iframe: `${base}/${seg}/oauth2/checksession`,
          userinfo_endpoint: `${base}/${seg}/openid/userinfo`,
          kerberos_endpoint: `${base}/${seg}/kerberos`,
          tenant_region_scope: 'EU',
          cloud_instance_name: 'microsoftonline.com',
          cloud_graph_host_name: 'graph.windows.net',
          msgraph_host: 'graph.microsoft.com',
          rbac_url: 'https://pas.windows.net'
        };
    sendJson(res, 200, doc, { ...this.commonHeaders(correlationId), 'Cache-Control': 'max-age=86400, private' });
  }

  private instanceDiscovery(req: IncomingMessage, res: ServerResponse, correlationId: string): void {
    const q = queryOf(req);
    const hostAndPort = new URL(this.url).host;
    const authz = q.get('authorization_endpoint');
    if (!q.get('api-version')) {
      throw new AadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'api-version'.");
    }
    let tenant = 'common';
    if (authz) {
      let url: URL;
      try {
        url = new URL(authz);
      } catch {
        throw new AadError(400, 'invalid_instance', 50049, 'Unknown or invalid instance.');
      }
      if (url.host.toLowerCase() !== hostAndPort) throw new AadError(400, 'invalid_instance', 50049, 'Unknown or invalid instance.');
      tenant = url.pathname.split('/')[1] || 'common';
    }
    sendJson(
      res,
      200,
      {
        tenant_discovery_endpoint: `${this.url}/${tenant}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: hostAndPort, preferred_cache: hostAndPort, aliases: [hostAndPort] }]
      },
      this.commonHeaders(correlationId)
    );
  }

  private async token(req: IncomingMessage, res: ServerResponse, tenantSegment: string, v2: boolean, correlationId: string): Promise<void> {
    if (req.method !== 'POST') {
      req.resume();
      throw new AadError(
        400,
        'invalid_request',
        900561,
        `The endpoint only accepts POST requests. Received a ${req.method ?? 'GET'} request.`
      );
    }
    const form = (await readForm(req)) ?? new URLSearchParams();
    const tenant = this.tenantOrThrow(tenantSegment);
    const required = (name: string): string => {
      const v = form.get(name);
      if (!v) throw new AadError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`);
      return v;
    };
    const grantType = required('grant_type');
    if (grantType !== 'client_credentials') {
      throw new AadError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
    }
    const clientId = required('client_id');
    const app = tenant.applications.get(clientId.toLowerCase());
    if (!app) {
      throw new AadError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`
      );
    }
    const audience = v2 ? this.audienceFromScope(required('scope'), tenant) : this.audienceFromResource(required('resource'), tenant);

    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    const assertionType = form.get('client_assertion_type');
    if (secret && assertion) {
      throw new AadError(401, 'invalid_client', 7000218, "Only one of 'client_assertion' or 'client_secret' may be sent.");
    }
    if (secret) {
      this.receivedSecrets.push(secret);
      if (!app.secret || !safeEqual(secret, app.secret)) {
        throw new AadError(
          401,
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`
        );
      }
    } else if (assertion) {
      this.receivedSecrets.push(assertion);
      if (assertionType !== JWT_BEARER) {
        throw new AadError(
          400,
          'invalid_request',
          7000218,
          `The request body must contain the following parameter: 'client_assertion_type' with value '${JWT_BEARER}'.`
        );
      }
      let decoded: DecodedJwt;
      try {
        decoded = decodeJwt(assertion);
      } catch {
        throw new AadError(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.');
      }
      // A client's own certificate assertion has iss = client_id (RFC 7523 client authentication); anything else is a
      // federated (workload identity) assertion. Both may carry x5t: GitHub's and Azure DevOps' tokens do.
      const iss = decoded.payload['iss'];
      const isCertificate = typeof iss === 'string' && iss.toLowerCase() === app.clientId.toLowerCase();
      this.assertionsReceived.push({
        clientId: app.clientId,
        kind: isCertificate ? 'certificate' : 'federated',
        header: decoded.header,
        iss: decoded.payload['iss'],
        sub: decoded.payload['sub'],
        aud: decoded.payload['aud']
      });
      if (isCertificate) {
        this.checkCertificateAssertion(assertion, decoded, app, tenant);
      } else {
        this.checkFederatedAssertion(assertion, decoded, app);
      }
    } else {
      throw new AadError(
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."
      );
    }

    const accessToken = this.mintAccessToken(tenant.id, app.objectId, app.clientId, audience, 3599, {
      appidacr: secret ? '1' : '2'
    });
    sendJson(
      res,
      200,
      v2
        ? { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken }
        : {
            token_type: 'Bearer',
            expires_in: '3599',
            ext_expires_in: '3599',
            expires_on: String(nowSeconds() + 3599),
            not_before: String(nowSeconds()),
            resource: audience,
            access_token: accessToken
          },
      this.commonHeaders(correlationId)
    );
  }

  private audienceFromScope(scope: string, tenant: EntraTenant): string {
    const scopes = scope.split(' ').filter(Boolean);
    const resourceScopes = scopes.filter((s) => !['openid', 'profile', 'offline_access', 'email'].includes(s));
    if (resourceScopes.length !== 1) {
      throw new AadError(
        400,
        'invalid_scope',
        70011,
        `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`
      );
    }
    const only = resourceScopes[0] ?? '';
    if (!only.endsWith('/.default')) {
      throw new AadError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${only} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`
      );
    }
    return this.audienceFromResource(only, tenant);
  }

  private audienceFromResource(resource: string, tenant: EntraTenant): string {
    const aud = this.audienceFor(resource);
    if (!aud) {
      const name = resource.endsWith('/.default') ? resource.slice(0, -'/.default'.length) : resource;
      throw new AadError(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${name} was not found in the tenant named ${tenant.displayName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`
      );
    }
    return aud;
  }

  private assertionTimes(payload: Record<string, unknown>): void {
    const now = nowSeconds();
    const problem = checkTimes(payload, now, 300);
    if (problem) {
      const fmt = (v: unknown): string => (typeof v === 'number' ? entraTimestamp(new Date(v * 1000)) : 'unknown');
      throw new AadError(
        401,
        'invalid_client',
        700024,
        `Client assertion is not within its valid time range. Current time: ${entraTimestamp()}, assertion valid from ${fmt(payload['nbf'] ?? payload['iat'])}, expiry time of assertion ${fmt(payload['exp'])}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`
      );
    }
  }

  private checkCertificateAssertion(assertion: string, decoded: DecodedJwt, app: EntraApplication, tenant: EntraTenant): void {
    const s256 = decoded.header['x5t#S256'];
    const s1 = decoded.header.x5t;
    const presented = typeof s256 === 'string' ? s256 : typeof s1 === 'string' ? s1 : '';
    const certs = this.certs.get(app.clientId.toLowerCase()) ?? [];
    const cert = certs.find((c) => (typeof s256 === 'string' ? c.sha256 === s256 : c.sha1 === s1));
    if (!cert) {
      throw new AadError(
        401,
        'invalid_client',
        700027,
        `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${hexThumbprint(presented)}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.clientId}'.]`
      );
    }
    try {
      verifyJwt(assertion, cert.publicKey, ['RS256', 'PS256']);
    } catch (err) {
      const why =
        err instanceof JwtError && err.reason === 'algorithm'
          ? `Unsupported signing algorithm '${decoded.header.alg}'.`
          : 'The provided signature value did not match the expected signature value.';
      throw new AadError(
        401,
        'invalid_client',
        700027,
        `Client assertion failed signature validation. [Reason - ${why}, Thumbprint of key used by client: '${hexThumbprint(presented)}', Found key 'Start=${cert.notBefore.toISOString()}, End=${cert.notAfter.toISOString()}']`
      );
    }
    const p = decoded.payload;
    if (p['iss'] !== app.clientId || p['sub'] !== app.clientId) {
      throw new AadError(401, 'invalid_client', 700021, `Client assertion application identifier doesn't match 'client_id' parameter.`);
    }
    const auds = Array.isArray(p['aud']) ? p['aud'] : [p['aud']];
    // Any name of this Entra ID: MSAL signs for the cloud's preferred network (an alias of the authority it was given).
    const bases = [this.url, ...(this.opts.named ? this.cloud.authorityAliases.map((alias) => `https://${alias}`) : [])];
    const accepted = bases
      .flatMap((base) => [
        `${base}/${tenant.id}/oauth2/v2.0/token`,
        `${base}/${tenant.id}/oauth2/token`,
        ...tenant.domains.map((d) => `${base}/${d}/oauth2/v2.0/token`)
      ])
      .map((a) => a.toLowerCase());
    if (!auds.some((a) => typeof a === 'string' && accepted.includes(a.toLowerCase()))) {
      throw new AadError(
        401,
        'invalid_client',
        700212,
        `Client assertion audience claim does not match Realm issuer. Audience: '${String(p['aud'])}'.`
      );
    }
    this.assertionTimes(p);
  }

  private checkFederatedAssertion(assertion: string, decoded: DecodedJwt, app: EntraApplication): void {
    const p = decoded.payload;
    const iss = p['iss'];
    const sub = p['sub'];
    if (typeof iss !== 'string' || typeof sub !== 'string') {
      throw new AadError(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.');
    }
    const fics = app.federatedCredentials ?? [];
    const byIssuer = fics.filter((f) => f.issuer === iss);
    if (byIssuer.length === 0) {
      throw new AadError(
        400,
        'invalid_request',
        700211,
        `No matching federated identity record found for presented assertion issuer '${iss}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`
      );
    }
    const auds = (Array.isArray(p['aud']) ? p['aud'] : [p['aud']]).filter((a): a is string => typeof a === 'string');
    const byAudience = byIssuer.filter((f) => auds.includes(f.audience ?? this.cloud.federatedAudience));
    if (byAudience.length === 0) {
      throw new AadError(
        400,
        'invalid_request',
        700212,
        `No matching federated identity record found for presented assertion audience '${auds.join(',')}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`
      );
    }
    if (!byAudience.some((f) => f.subject === sub)) {
      throw new AadError(
        400,
        'invalid_request',
        700213,
        `No matching federated identity record found for presented assertion subject '${sub}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. Assertion Issuer: '${iss}'. Assertion Subject: '${sub}'. Assertion Audience: '${auds.join(',')}'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`
      );
    }
    const key = this.trustedIssuers.get(iss);
    if (!key) {
      throw new AadError(401, 'invalid_client', 50166, `Request to External OIDC endpoint failed. Issuer: '${iss}'.`);
    }
    try {
      verifyJwt(assertion, key, ['RS256']);
    } catch {
      throw new AadError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
    }
    this.assertionTimes(p);
  }
}
