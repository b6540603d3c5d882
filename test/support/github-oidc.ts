// GitHub Actions ID-token endpoint stand-in (https): what ACTIONS_ID_TOKEN_REQUEST_URL points at on a runner.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, queryOf, safeEqual, sendJson } from './http-util';
import { generateSigningKey, nowSeconds, type SigningKey } from './jwt';
import { OidcIssuerStandIn, type IssuerOptions } from './oidc-issuer';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface GitHubOidcOptions extends IssuerOptions {
  /** `owner/repo`, default octo-org/octo-repo. */
  repository?: string;
  ref?: string;
}

export class GitHubOidcStandIn extends OidcIssuerStandIn {
  readonly issuer = GITHUB_ISSUER;
  readonly repository: string;
  readonly ref: string;
  readonly defaultSubject: string;
  /** The `sub` the next tokens carry. */
  subject: string;
  /** The `audience` of every token request, in order ('' when a request named none). */
  readonly audiencesRequested: string[] = [];

  private constructor(signing: SigningKey, opts: GitHubOidcOptions, host: string) {
    super(signing, host, randomBytes(24).toString('base64url'));
    this.repository = opts.repository ?? 'octo-org/octo-repo';
    this.ref = opts.ref ?? 'refs/heads/main';
    this.defaultSubject = `repo:${this.repository}:ref:${this.ref}`;
    this.subject = this.defaultSubject;
  }

  static async start(opts: GitHubOidcOptions): Promise<GitHubOidcStandIn> {
    const gh = new GitHubOidcStandIn(await generateSigningKey(), opts, opts.host ?? '127.0.0.1');
    await gh.listen('github-oidc', opts);
    return gh;
  }

  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN of the running job. */
  get requestToken(): string {
    return this.requestSecret;
  }

  /** What the runner sets when the job has `permissions: id-token: write`. */
  env(): { ACTIONS_ID_TOKEN_REQUEST_URL: string; ACTIONS_ID_TOKEN_REQUEST_TOKEN: string } {
    return {
      ACTIONS_ID_TOKEN_REQUEST_URL: `${this.url}/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: this.requestToken
    };
  }

  /** Change the subject of the next tokens (e.g. to present one no federated credential matches). */
  setSubject(subject: string = this.defaultSubject): void {
    this.subject = subject;
  }

  /** Mint a token directly (tests that need one without going through HTTP). */
  mint(audience: string): string {
    const now = nowSeconds();
    const [owner = 'octo-org'] = this.repository.split('/');
    return this.tokens.sign({
      jti: randomUUID(),
      sub: this.subject,
      aud: audience,
      ref: this.ref,
      sha: randomBytes(20).toString('hex'),
      repository: this.repository,
      repository_owner: owner,
      repository_owner_id: '65432',
      run_id: '1234567890',
      run_number: '42',
      run_attempt: '1',
      repository_visibility: 'private',
      repository_id: '123456',
      actor_id: '7654',
      actor: 'octocat',
      workflow: 'ci',
      head_ref: '',
      base_ref: '',
      event_name: 'push',
      ref_protected: 'false',
      ref_type: 'branch',
      workflow_ref: `${this.repository}/.github/workflows/ci.yml@${this.ref}`,
      workflow_sha: randomBytes(20).toString('hex'),
      job_workflow_ref: `${this.repository}/.github/workflows/ci.yml@${this.ref}`,
      job_workflow_sha: randomBytes(20).toString('hex'),
      runner_environment: 'github-hosted',
      iss: this.issuer,
      nbf: now - 5,
      exp: now + 300,
      iat: now,
      ...this.claimOverrides
    });
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/token') {
      sendJson(res, 404, { message: 'Not Found' });
      return;
    }
    if (req.method !== 'GET') {
      sendJson(res, 405, { message: 'Method Not Allowed' }, { Allow: 'GET' });
      return;
    }
    const presented = bearerToken(req);
    if (!presented || !safeEqual(presented, this.requestToken)) {
      sendJson(res, 401, { message: 'Unauthorized' }, { 'WWW-Authenticate': 'Bearer' });
      return;
    }
    const q = queryOf(req);
    if (!q.get('api-version')) {
      sendJson(res, 400, { message: 'api-version is required' });
      return;
    }
    // GitHub's default audience when none is requested is the URL of the repository owner.
    const [owner = 'octo-org'] = this.repository.split('/');
    this.audiencesRequested.push(q.get('audience') ?? '');
    const audience = q.get('audience') || `https://github.com/${owner}`;
    sendJson(res, 200, { count: 1, value: this.mint(audience) });
  }
}
