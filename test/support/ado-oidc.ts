// Azure DevOps OIDC endpoint stand-in (https): what System.OidcRequestUri points at during a job.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, isGuid, queryOf, safeEqual, sendJson } from './http-util';
import { generateSigningKey, nowSeconds, type SigningKey } from './jwt';
import { TOKEN_EXCHANGE_AUDIENCE } from './entra';
import { OidcIssuerStandIn, type IssuerOptions } from './oidc-issuer';

export interface AdoOidcOptions extends IssuerOptions {
  organization?: string;
  project?: string;
  /**
   * The `aud` of its tokens. Azure DevOps sets it itself (its token request takes no audience), from the
   * service connection's cloud; default api://AzureADTokenExchange.
   */
  audience?: string;
}

export interface ServiceConnection {
  id: string;
  name: string;
}

const SUPPORTED_API = ['7.1', '7.2'];

function adoError(message: string, typeKey: string, typeName: string): Record<string, unknown> {
  return { $id: '1', innerException: null, message, typeName, typeKey, errorCode: 0, eventId: 3000 };
}

export class AdoOidcStandIn extends OidcIssuerStandIn {
  readonly organization: string;
  readonly organizationId = randomUUID();
  readonly project: string;
  readonly projectId = randomUUID();
  readonly planId = randomUUID();
  readonly jobId = randomUUID();
  readonly serviceConnections = new Map<string, ServiceConnection>();
  readonly audience: string;

  private constructor(signing: SigningKey, opts: AdoOidcOptions, host: string) {
    super(signing, host, randomBytes(39).toString('base64url'));
    this.organization = opts.organization ?? 'contoso';
    this.project = opts.project ?? 'acr-login';
    this.audience = opts.audience ?? TOKEN_EXCHANGE_AUDIENCE;
  }

  static async start(opts: AdoOidcOptions): Promise<AdoOidcStandIn> {
    const ado = new AdoOidcStandIn(await generateSigningKey(), opts, opts.host ?? '127.0.0.1');
    await ado.listen('ado-oidc', opts);
    return ado;
  }

  /** System.AccessToken of the running job. */
  get accessToken(): string {
    return this.requestSecret;
  }

  get issuer(): string {
    return `https://vstoken.dev.azure.com/${this.organizationId}`;
  }

  /** System.OidcRequestUri (no query string). */
  get requestUri(): string {
    return `${this.url}/${this.organization}/${this.projectId}/_apis/distributedtask/hubs/build/plans/${this.planId}/jobs/${this.jobId}/oidctoken`;
  }

  env(): { SYSTEM_OIDCREQUESTURI: string } {
    return { SYSTEM_OIDCREQUESTURI: this.requestUri };
  }

  /** The federated-credential subject Entra sees for a connection. */
  subjectFor(connectionName: string): string {
    return `sc://${this.organization}/${this.project}/${connectionName}`;
  }

  addServiceConnection(name: string): string {
    const id = randomUUID();
    this.serviceConnections.set(id, { id, name });
    return id;
  }

  mint(connection: ServiceConnection): string {
    const now = nowSeconds();
    return this.tokens.sign({
      jti: randomUUID(),
      sub: this.subjectFor(connection.name),
      aud: this.audience,
      iss: this.issuer,
      nbf: now,
      exp: now + 600,
      iat: now,
      ...this.claimOverrides
    });
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const m = /^\/([^/]+)\/([^/]+)\/_apis\/distributedtask\/hubs\/([^/]+)\/plans\/([^/]+)\/jobs\/([^/]+)\/oidctoken\/?$/i.exec(path);
    const headers = { 'X-TFS-ProcessId': randomUUID(), ActivityId: randomUUID(), 'X-VSS-E2EID': randomUUID() };
    const presented = bearerToken(req);
    if (!presented || !safeEqual(presented, this.accessToken)) {
      // With X-TFS-FedAuthRedirect: Suppress the service answers 401 instead of redirecting to a sign-in page.
      sendJson(
        res,
        401,
        adoError(
          'TF400813: The user is not authorized to access this resource.',
          'UnauthorizedRequestException',
          'Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, Microsoft.TeamFoundation.Framework.Server'
        ),
        {
          ...headers,
          'WWW-Authenticate': 'Bearer authorization_uri=https://login.microsoftonline.com/common, Basic realm="https://dev.azure.com/"'
        }
      );
      return;
    }
    if (!m || m[1] !== this.organization || m[2] !== this.projectId || m[3] !== 'build' || m[4] !== this.planId || m[5] !== this.jobId) {
      sendJson(
        res,
        404,
        adoError(
          `The plan or job referenced by ${path} was not found.`,
          'TaskOrchestrationPlanNotFoundException',
          'Microsoft.TeamFoundation.DistributedTask.WebApi.TaskOrchestrationPlanNotFoundException, Microsoft.TeamFoundation.DistributedTask.WebApi'
        ),
        headers
      );
      return;
    }
    if (req.method !== 'POST') {
      sendJson(
        res,
        405,
        adoError(
          `The requested resource does not support http method '${req.method ?? ''}'.`,
          'HttpMethodNotAllowed',
          'System.Web.Http.HttpResponseException'
        ),
        { ...headers, Allow: 'POST' }
      );
      return;
    }
    const q = queryOf(req);
    const acceptVersion = /api-version=([0-9.]+(-preview(\.\d+)?)?)/i.exec(req.headers.accept ?? '')?.[1];
    const apiVersion = q.get('api-version') ?? acceptVersion;
    if (!apiVersion) {
      sendJson(
        res,
        400,
        adoError(
          'No api-version was supplied for the "POST" request. The version must be supplied either as part of the Accept header (e.g. "application/json; api-version=1.0") or as a query parameter (e.g. \'?api-version=1.0\').',
          'VssVersionNotSpecifiedException',
          'Microsoft.VisualStudio.Services.WebApi.VssVersionNotSpecifiedException, Microsoft.VisualStudio.Services.WebApi'
        ),
        headers
      );
      return;
    }
    const base = apiVersion.replace(/-preview(\.\d+)?$/i, '');
    if (!SUPPORTED_API.includes(base)) {
      sendJson(
        res,
        400,
        adoError(
          `The requested REST API version of ${apiVersion} is out of range for this server. The latest REST API version this server supports is 7.2.`,
          'VssVersionOutOfRangeException',
          'Microsoft.VisualStudio.Services.WebApi.VssVersionOutOfRangeException, Microsoft.VisualStudio.Services.WebApi'
        ),
        headers
      );
      return;
    }
    const connectionId = q.get('serviceConnectionId');
    if (!connectionId) {
      sendJson(
        res,
        400,
        adoError(
          'Value cannot be null.\r\nParameter name: serviceConnectionId',
          'ArgumentNullException',
          'System.ArgumentNullException, mscorlib'
        ),
        headers
      );
      return;
    }
    const connection = isGuid(connectionId) ? this.serviceConnections.get(connectionId.toLowerCase()) : undefined;
    if (!connection) {
      sendJson(
        res,
        404,
        adoError(
          `Service connection with id '${connectionId}' was not found or the pipeline is not authorized to use it.`,
          'ServiceEndpointNotFoundException',
          'Microsoft.TeamFoundation.DistributedTask.WebApi.ServiceEndpointNotFoundException, Microsoft.TeamFoundation.DistributedTask.WebApi'
        ),
        headers
      );
      return;
    }
    sendJson(res, 200, { oidcToken: this.mint(connection) }, headers);
  }
}
