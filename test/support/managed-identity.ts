// Managed-identity stand-ins (plain http, as the real ones): Azure IMDS and the App Service / Functions identity endpoint.
// Tokens are minted by the Entra stand-in, so they verify with entra.publicKey like any Entra token.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listen, queryOf, safe, safeEqual, sendJson } from './http-util';
import { nowSeconds } from './jwt';
import type { EntraStandIn } from './entra';
import type { RequestLog } from './request-log';

export interface ManagedIdentity {
  clientId: string;
  objectId: string;
  /** ARM id; user-assigned only. */
  resourceId?: string;
}

export interface ManagedIdentityHostOptions {
  log: RequestLog;
  entra: EntraStandIn;
  tenantId: string;
  /** The host's system-assigned identity, if it has one. */
  systemAssigned?: ManagedIdentity;
  userAssigned?: ManagedIdentity[];
  host?: string;
}

const MI_LIFETIME = 86399;

type Selection = { kind: 'client_id' | 'object_id' | 'resource_id'; value: string } | undefined;

abstract class ManagedIdentityHost {
  protected server: Server | undefined;
  protected port = 0;
  readonly host: string;
  protected readonly issued: string[] = [];

  constructor(protected readonly opts: ManagedIdentityHostOptions) {
    this.host = opts.host ?? '127.0.0.1';
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  protected async startServer(service: 'imds' | 'app-service'): Promise<void> {
    const server = createServer(
      this.opts.log.listener(
        () => service,
        safe(async (req, res) => this.handle(req, res))
      )
    );
    this.server = server;
    this.port = await listen(server, this.host);
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

  /** undefined = no such identity on this host. */
  protected select(selection: Selection): ManagedIdentity | 'ambiguous' | undefined {
    const users = this.opts.userAssigned ?? [];
    if (!selection) {
      if (this.opts.systemAssigned) return this.opts.systemAssigned;
      if (users.length === 1) return users[0];
      return users.length > 1 ? 'ambiguous' : undefined;
    }
    const all = [...(this.opts.systemAssigned ? [this.opts.systemAssigned] : []), ...users];
    const v = selection.value.toLowerCase();
    return all.find((i) =>
      selection.kind === 'client_id'
        ? i.clientId.toLowerCase() === v
        : selection.kind === 'object_id'
          ? i.objectId.toLowerCase() === v
          : i.resourceId?.toLowerCase() === v
    );
  }

  protected mint(identity: ManagedIdentity, resource: string): { token: string; expiresOn: number; notBefore: number } {
    const notBefore = nowSeconds();
    const extra: Record<string, unknown> = { appidacr: '2' };
    if (identity.resourceId) extra['xms_mirid'] = identity.resourceId;
    const token = this.opts.entra.mintAccessToken(this.opts.tenantId, identity.objectId, identity.clientId, resource, MI_LIFETIME, extra);
    this.issued.push(token);
    return { token, expiresOn: notBefore + MI_LIFETIME, notBefore };
  }

  secrets(): string[] {
    return [...this.issued];
  }

  async close(): Promise<void> {
    if (this.server) await closeServer(this.server);
  }
}

/** Several identity selectors in one request → error text; none → undefined selection. */
function selectionFrom(q: URLSearchParams, names: Record<string, 'client_id' | 'object_id' | 'resource_id'>): Selection | 'multiple' {
  const present = Object.entries(names).filter(([name]) => q.get(name));
  if (present.length > 1) return 'multiple';
  const first = present[0];
  if (!first) return undefined;
  return { kind: first[1], value: q.get(first[0]) ?? '' };
}

/** Azure Instance Metadata Service identity endpoint (GET /metadata/identity/oauth2/token). */
export class ImdsStandIn extends ManagedIdentityHost {
  static async start(opts: ManagedIdentityHostOptions): Promise<ImdsStandIn> {
    const imds = new ImdsStandIn(opts);
    await imds.startServer('imds');
    return imds;
  }

  /** What @azure/identity reads to find IMDS (instead of 169.254.169.254). */
  env(): { AZURE_POD_IDENTITY_AUTHORITY_HOST: string } {
    return { AZURE_POD_IDENTITY_AUTHORITY_HOST: this.url };
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const bad = (description: string, error = 'invalid_request'): void => sendJson(res, 400, { error, error_description: description });
    if (!/^\/metadata\/identity\/oauth2\/token\/?$/.test(path)) {
      sendJson(res, 404, { error: 'not_found', error_description: 'Not found' });
      return;
    }
    if (req.headers['x-forwarded-for'] !== undefined) {
      bad('Request not allowed: X-Forwarded-For header present');
      return;
    }
    if (req.method !== 'GET') {
      sendJson(res, 405, { error: 'invalid_request', error_description: 'Method not allowed' }, { Allow: 'GET' });
      return;
    }
    if ((req.headers['metadata'] ?? '').toString().toLowerCase() !== 'true') {
      bad('Required metadata header not specified');
      return;
    }
    const q = queryOf(req);
    const apiVersion = q.get('api-version');
    if (!apiVersion) {
      bad("Required query variable 'api-version' is missing");
      return;
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(apiVersion) || apiVersion < '2018-02-01') {
      bad('Invalid API version');
      return;
    }
    const resource = q.get('resource');
    if (!resource) {
      bad('Required audience variable not specified');
      return;
    }
    const selection = selectionFrom(q, {
      client_id: 'client_id',
      object_id: 'object_id',
      msi_res_id: 'resource_id',
      mi_res_id: 'resource_id'
    });
    if (selection === 'multiple') {
      bad('Multiple identity parameters specified');
      return;
    }
    const identity = this.select(selection);
    if (identity === 'ambiguous') {
      bad('Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request');
      return;
    }
    if (!identity) {
      bad('Identity not found');
      return;
    }
    if (!this.opts.entra.audienceFor(resource)) {
      bad(
        `AADSTS500011: The resource principal named ${resource} was not found in the tenant named ${this.opts.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
        'invalid_resource'
      );
      return;
    }
    const { token, expiresOn, notBefore } = this.mint(identity, resource);
    sendJson(res, 200, {
      access_token: token,
      client_id: identity.clientId,
      expires_in: String(MI_LIFETIME),
      expires_on: String(expiresOn),
      ext_expires_in: String(MI_LIFETIME),
      not_before: String(notBefore),
      resource,
      token_type: 'Bearer'
    });
  }
}

/** App Service / Azure Functions identity endpoint (IDENTITY_ENDPOINT + X-IDENTITY-HEADER, api-version 2019-08-01). */
export class AppServiceStandIn extends ManagedIdentityHost {
  readonly identityHeader = randomBytes(16).toString('hex').toUpperCase();
  readonly path = '/msi/token';

  static async start(opts: ManagedIdentityHostOptions): Promise<AppServiceStandIn> {
    const app = new AppServiceStandIn(opts);
    await app.startServer('app-service');
    return app;
  }

  env(): { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string } {
    return { IDENTITY_ENDPOINT: `${this.url}${this.path}`, IDENTITY_HEADER: this.identityHeader };
  }

  override secrets(): string[] {
    return [this.identityHeader, ...this.issued];
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const fail = (status: number, message: string): void =>
      sendJson(res, status, { statusCode: status, message, correlationId: randomUUID() });
    if (path.replace(/\/$/, '').toLowerCase() !== this.path) {
      fail(404, 'Not Found');
      return;
    }
    if (req.method !== 'GET') {
      fail(405, 'Method Not Allowed');
      return;
    }
    const header = req.headers['x-identity-header'];
    if (typeof header !== 'string' || !safeEqual(header, this.identityHeader)) {
      fail(401, 'Unauthorized: the X-IDENTITY-HEADER request header is missing or invalid.');
      return;
    }
    const q = queryOf(req);
    const apiVersion = q.get('api-version');
    if (apiVersion !== '2019-08-01') {
      fail(
        400,
        apiVersion
          ? `The api-version '${apiVersion}' is not supported; use 2019-08-01.`
          : "Required query parameter 'api-version' is missing."
      );
      return;
    }
    const resource = q.get('resource');
    if (!resource) {
      fail(400, "Required query parameter 'resource' is missing.");
      return;
    }
    const selection = selectionFrom(q, {
      client_id: 'client_id',
      principal_id: 'object_id',
      object_id: 'object_id',
      mi_res_id: 'resource_id'
    });
    if (selection === 'multiple') {
      fail(400, 'Only one of client_id, principal_id, object_id or mi_res_id may be specified.');
      return;
    }
    const identity = this.select(selection);
    if (!identity || identity === 'ambiguous') {
      fail(400, 'No managed identity found for the specified identifier.');
      return;
    }
    if (!this.opts.entra.audienceFor(resource)) {
      fail(400, `AADSTS500011: The resource principal named ${resource} was not found in the tenant named ${this.opts.tenantId}.`);
      return;
    }
    const { token, expiresOn } = this.mint(identity, resource);
    sendJson(res, 200, {
      access_token: token,
      expires_on: String(expiresOn),
      resource,
      token_type: 'Bearer',
      client_id: identity.clientId
    });
  }
}
