// What the GitHub and Azure DevOps OIDC stand-ins share: an https endpoint, a signing key Entra trusts, minted tokens.
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeServer, namedUrl, safe, serveHttps, type NamedEndpoint } from './http-util';
import { TokenIssuer, type SigningKey } from './jwt';
import type { EntraStandIn } from './entra';
import type { Pki } from './pki';
import type { RequestLog, ServiceName } from './request-log';

export interface IssuerOptions {
  pki: Pki;
  log: RequestLog;
  /** Registers the issuer and key so federated credentials naming it verify. */
  entra?: EntraStandIn;
  host?: string;
  /** Reached by this name on this port, instead of `https://<host>:<random port>`. */
  named?: NamedEndpoint;
}

export abstract class OidcIssuerStandIn {
  /** Extra claims merged into the next tokens (e.g. { exp: 1 } to present an expired token). */
  claimOverrides: Record<string, unknown> = {};
  protected readonly tokens: TokenIssuer;
  private server: Server | undefined;
  private port = 0;
  private named: NamedEndpoint | undefined;

  protected constructor(
    protected readonly signing: SigningKey,
    readonly host: string,
    /** The secret a job presents to ask for a token (ACTIONS_ID_TOKEN_REQUEST_TOKEN, System.AccessToken). */
    protected readonly requestSecret: string
  ) {
    this.tokens = new TokenIssuer(signing);
  }

  abstract get issuer(): string;

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

  /** Listens on https as `name` in the request log, and makes Entra trust this issuer's key. */
  protected async listen(name: ServiceName, opts: IssuerOptions): Promise<void> {
    const listener = opts.log.listener(
      () => name,
      safe(async (req, res) => this.handle(req, res))
    );
    this.named = opts.named;
    ({ server: this.server, port: this.port } = await serveHttps(opts.named?.tls ?? opts.pki, this.host, listener, opts.named?.port ?? 0));
    opts.entra?.trustIssuer(this.issuer, this.signing.publicKey);
  }

  get url(): string {
    return this.named ? namedUrl('https', this.named) : `https://${this.host}:${this.port}`;
  }

  get publicKey(): SigningKey['publicKey'] {
    return this.signing.publicKey;
  }

  secrets(): string[] {
    return [this.requestSecret, ...this.tokens.tokens];
  }

  async close(): Promise<void> {
    if (this.server) await closeServer(this.server);
  }
}
