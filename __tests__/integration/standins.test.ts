// Proof that the stand-ins speak the real protocols: the installed @azure/identity, a real docker-registry and skopeo.
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { TOKEN_USERNAME } from '../../test/support/acr';
import { decodeJwt, generateSigningKey, nowSeconds, signJwt, verifyJwt } from '../../test/support/jwt';
import { inspect } from '../../test/support/skopeo';
import { startWorld, type RegistryRef, type World } from '../../test/support/world';

const ACR_SCOPE = 'https://containerregistry.azure.net/.default';
const ARM_SCOPE = 'https://management.azure.com/.default';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

let world: World;
let ca: string;

beforeAll(async () => {
  world = await startWorld();
  ca = readFileSync(world.caCertPath, 'utf8');
}, 30000);

afterAll(async () => {
  await world?.close();
});

// ------------------------------------------------------------------ helpers

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown>;
}

function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; form?: Record<string, string> } = {}
): Promise<Reply> {
  const u = new URL(url);
  const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers['Content-Length'] = String(Buffer.byteLength(body));
  }
  const doRequest = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolvePromise, reject) => {
    const req = doRequest(
      u,
      { method: init.method ?? (body ? 'POST' : 'GET'), headers, agent: false, ...(u.protocol === 'https:' ? { ca } : {}) },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            /* not JSON */
          }
          resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      }
    );
    req.on('error', reject);
    req.end(body);
  });
}

type IdentityCase =
  | { name: string; kind: 'secret'; tenantId: string; clientId: string; secret: string; scope: string }
  | { name: string; kind: 'certificate'; tenantId: string; clientId: string; pem: string; scope: string }
  | { name: string; kind: 'github-assertion'; tenantId: string; clientId: string; scope: string }
  | { name: string; kind: 'managed-identity'; clientId?: string; objectId?: string; scope: string };

/** Runs in a child `node` so NODE_EXTRA_CA_CERTS and the managed-identity variables apply from process start. */
const CHILD = `
const identity = require('@azure/identity');
const https = require('node:https');
function githubToken() {
  return new Promise((ok, fail) => {
    const url = new URL(process.env.ACTIONS_ID_TOKEN_REQUEST_URL);
    url.searchParams.set('audience', 'api://AzureADTokenExchange');
    https.get(url, { headers: { Authorization: 'Bearer ' + process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN } }, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => (res.statusCode === 200 ? ok(JSON.parse(b).value) : fail(new Error('GitHub ' + res.statusCode))));
    }).on('error', fail);
  });
}
(async () => {
  const out = [];
  for (const c of JSON.parse(process.env.CASES)) {
    const o = { authorityHost: process.env.AUTHORITY_HOST, disableInstanceDiscovery: true };
    let cred;
    if (c.kind === 'secret') cred = new identity.ClientSecretCredential(c.tenantId, c.clientId, c.secret, o);
    else if (c.kind === 'certificate') cred = new identity.ClientCertificateCredential(c.tenantId, c.clientId, { certificate: c.pem }, o);
    else if (c.kind === 'github-assertion') cred = new identity.ClientAssertionCredential(c.tenantId, c.clientId, githubToken, o);
    else cred = new identity.ManagedIdentityCredential(c.clientId ? { clientId: c.clientId } : c.objectId ? { objectId: c.objectId } : {});
    try {
      out.push({ name: c.name, token: (await cred.getToken(c.scope)).token });
    } catch (e) {
      out.push({ name: c.name, error: String(e && e.message) });
    }
  }
  process.stdout.write(JSON.stringify(out));
})();
`;

function runIdentity(cases: IdentityCase[], env: Record<string, string> = {}): Promise<Map<string, { token?: string; error?: string }>> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      ['-e', CHILD],
      {
        cwd: resolve(__dirname, '..', '..'),
        timeout: 40000,
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          HOME: world.dir,
          NODE_EXTRA_CA_CERTS: world.caCertPath,
          AUTHORITY_HOST: world.entra.url,
          CASES: JSON.stringify(cases),
          ...env
        }
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`identity child failed: ${error.message}\n${stderr}`));
          return;
        }
        const results = JSON.parse(stdout) as { name: string; token?: string; error?: string }[];
        resolvePromise(new Map(results.map((r) => [r.name, r])));
      }
    );
  });
}

/** Verify an Entra access token the way a resource would, return its claims. */
function entraClaims(token: string | undefined): Record<string, unknown> {
  expect(token).toEqual(expect.any(String));
  const { header, payload } = verifyJwt(token ?? '', world.entra.publicKey, ['RS256']);
  expect(header.kid).toBe(world.entra.kid);
  expect(payload['iss']).toBe(`https://sts.windows.net/${world.tenantId}/`);
  expect(payload['tid']).toBe(world.tenantId);
  expect(payload['idtyp']).toBe('app');
  expect(payload['exp']).toEqual(expect.any(Number));
  return payload;
}

function exchange(registry: RegistryRef, accessToken: string, tenant = world.tenantId): Promise<Reply> {
  return call(`${registry.url}/oauth2/exchange`, {
    form: { grant_type: 'access_token', service: registry.loginServer, tenant, access_token: accessToken }
  });
}

async function refreshTokenFor(registry: RegistryRef, accessToken: string | undefined): Promise<string> {
  const reply = await exchange(registry, accessToken ?? '');
  expect({ status: reply.status, body: reply.json }).toEqual({ status: 200, body: { refresh_token: expect.any(String) } });
  return String(reply.json['refresh_token']);
}

const tokens = new Map<string, { token?: string; error?: string }>();

// ------------------------------------------------------------------ tests

describe('@azure/identity (installed version) against the stand-ins', () => {
  it('gets ACR tokens with a secret, a certificate, a GitHub assertion, IMDS and App Service managed identity', async () => {
    const sp = { tenantId: world.tenantId };
    const [servicePrincipals, imds, appService] = await Promise.all([
      runIdentity(
        [
          { name: 'secret', kind: 'secret', ...sp, clientId: world.secretApp.clientId, secret: world.secretApp.secret, scope: ACR_SCOPE },
          {
            name: 'secret-arm',
            kind: 'secret',
            ...sp,
            clientId: world.secretApp.clientId,
            secret: world.secretApp.secret,
            scope: ARM_SCOPE
          },
          { name: 'no-role', kind: 'secret', ...sp, clientId: world.noRoleApp.clientId, secret: world.noRoleApp.secret, scope: ACR_SCOPE },
          {
            name: 'certificate',
            kind: 'certificate',
            ...sp,
            clientId: world.certApp.clientId,
            pem: world.certApp.certificate.combinedPem,
            scope: ACR_SCOPE
          },
          { name: 'github', kind: 'github-assertion', ...sp, clientId: world.federatedApp.clientId, scope: ACR_SCOPE }
        ],
        world.github.env()
      ),
      runIdentity(
        [
          { name: 'imds-system', kind: 'managed-identity', scope: ACR_SCOPE },
          { name: 'imds-user', kind: 'managed-identity', clientId: world.userAssigned.clientId, scope: ACR_SCOPE },
          { name: 'imds-user-by-object-id', kind: 'managed-identity', objectId: world.userAssigned.objectId, scope: ACR_SCOPE }
        ],
        world.imds.env()
      ),
      runIdentity(
        [
          { name: 'app-service-system', kind: 'managed-identity', scope: ACR_SCOPE },
          { name: 'app-service-user', kind: 'managed-identity', clientId: world.userAssigned.clientId, scope: ACR_SCOPE }
        ],
        world.appService.env()
      )
    ]);
    for (const [name, result] of [...servicePrincipals, ...imds, ...appService]) tokens.set(name, result);

    const expectations: [string, string, string][] = [
      ['secret', world.secretApp.objectId, world.secretApp.clientId],
      ['no-role', world.noRoleApp.objectId, world.noRoleApp.clientId],
      ['certificate', world.certApp.objectId, world.certApp.clientId],
      ['github', world.federatedApp.objectId, world.federatedApp.clientId],
      ['imds-system', world.systemAssigned.objectId, world.systemAssigned.clientId],
      ['imds-user', world.userAssigned.objectId, world.userAssigned.clientId],
      ['imds-user-by-object-id', world.userAssigned.objectId, world.userAssigned.clientId],
      ['app-service-system', world.systemAssigned.objectId, world.systemAssigned.clientId],
      ['app-service-user', world.userAssigned.objectId, world.userAssigned.clientId]
    ];
    for (const [name, oid, appid] of expectations) {
      const result = tokens.get(name);
      expect({ name, error: result?.error }).toEqual({ name, error: undefined });
      const claims = entraClaims(result?.token);
      expect({ name, aud: claims['aud'], oid: claims['oid'], appid: claims['appid'] }).toEqual({
        name,
        aud: 'https://containerregistry.azure.net',
        oid,
        appid
      });
    }
    expect(entraClaims(tokens.get('secret-arm')?.token)['aud']).toBe('https://management.azure.com/');

    // What MSAL actually sent: a PS256 certificate assertion identified by x5t#S256, a GitHub token as-is.
    const cert = world.entra.assertionsReceived.find((a) => a.clientId === world.certApp.clientId);
    expect(cert?.header.alg).toBe('PS256');
    expect(cert?.header['x5t#S256']).toBe(world.certApp.certificate.sha256Thumbprint);
    expect(cert?.aud).toBe(world.entra.tokenEndpoint(world.tenantId));
    const federated = world.entra.assertionsReceived.find((a) => a.clientId === world.federatedApp.clientId);
    expect(federated).toMatchObject({
      kind: 'federated',
      iss: 'https://token.actions.githubusercontent.com',
      sub: world.github.defaultSubject,
      aud: 'api://AzureADTokenExchange'
    });

    // Paths as the SDK sends them: IMDS with a trailing slash, App Service exactly IDENTITY_ENDPOINT.
    expect(new Set(world.requests.of('imds').map((e) => `${e.method} ${e.path} ${e.status}`))).toEqual(
      new Set(['GET /metadata/identity/oauth2/token/ 200'])
    );
    expect(new Set(world.requests.of('app-service').map((e) => `${e.method} ${e.path} ${e.status}`))).toEqual(
      new Set(['GET /msi/token 200'])
    );
    expect(world.requests.count('entra-metadata')).toBeGreaterThan(0);
    expect(world.requests.count('instance-discovery')).toBe(0); // disableInstanceDiscovery: true
  });

  it('returns the AADSTS codes for a wrong secret, an unknown client, a wrong subject; an unknown tenant fails at metadata', async () => {
    world.github.setSubject('repo:octo-org/octo-repo:pull_request');
    let results: Map<string, { token?: string; error?: string }>;
    try {
      results = await runIdentity(
        [
          {
            name: 'wrong-secret',
            kind: 'secret',
            tenantId: world.tenantId,
            clientId: world.secretApp.clientId,
            secret: 'not-the-secret',
            scope: ACR_SCOPE
          },
          {
            name: 'unknown-client',
            kind: 'secret',
            tenantId: world.tenantId,
            clientId: '11111111-2222-3333-4444-555555555555',
            secret: 'x',
            scope: ACR_SCOPE
          },
          {
            name: 'unknown-tenant',
            kind: 'secret',
            tenantId: world.unknownTenantId,
            clientId: world.secretApp.clientId,
            secret: world.secretApp.secret,
            scope: ACR_SCOPE
          },
          {
            name: 'wrong-subject',
            kind: 'github-assertion',
            tenantId: world.tenantId,
            clientId: world.federatedApp.clientId,
            scope: ACR_SCOPE
          }
        ],
        world.github.env()
      );
    } finally {
      world.github.setSubject();
    }
    expect(results.get('wrong-secret')?.error).toMatch(/AADSTS7000215: Invalid client secret provided/);
    expect(results.get('unknown-client')?.error).toMatch(
      /AADSTS700016: Application with identifier '11111111-2222-3333-4444-555555555555' was not found/
    );
    expect(results.get('wrong-subject')?.error).toContain(
      "AADSTS700213: No matching federated identity record found for presented assertion subject 'repo:octo-org/octo-repo:pull_request'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion."
    );
    expect(results.get('wrong-subject')?.error).toContain("Assertion Issuer: 'https://token.actions.githubusercontent.com'");
    // MSAL fetches metadata for a non-built-in authority host; Entra answers 400 AADSTS90002 there and MSAL
    // reports endpoints_resolution_error without the body. The token endpoint answers 90002 too.
    expect(results.get('unknown-tenant')?.error).toMatch(/endpoints_resolution_error/);
    const metadata = await call(`${world.entra.url}/${world.unknownTenantId}/v2.0/.well-known/openid-configuration`);
    expect({ status: metadata.status, codes: metadata.json['error_codes'] }).toEqual({ status: 400, codes: [90002] });
    const token = await call(`${world.entra.url}/${world.unknownTenantId}/oauth2/v2.0/token`, {
      form: {
        grant_type: 'client_credentials',
        client_id: world.secretApp.clientId,
        client_secret: world.secretApp.secret,
        scope: ACR_SCOPE
      }
    });
    expect(token.status).toBe(400);
    expect(token.json).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
    expect(String(token.json['error_description'])).toMatch(
      /^AADSTS90002: Tenant '.+' not found\..*\r\nTrace ID: .+\r\nCorrelation ID: .+\r\nTimestamp: /s
    );
  });
});

describe('Entra assertion checks, Azure DevOps OIDC', () => {
  const tokenUrl = (): string => world.entra.tokenEndpoint(world.tenantId);
  const assertionForm = (clientId: string, assertion: string, scope = ACR_SCOPE): Record<string, string> => ({
    grant_type: 'client_credentials',
    client_id: clientId,
    scope,
    client_assertion_type: JWT_BEARER,
    client_assertion: assertion
  });

  it('an Azure DevOps OIDC token is a valid assertion; the endpoint rejects what the real one rejects', async () => {
    const ado = world.ado;
    const auth = { Authorization: `Bearer ${ado.accessToken}`, 'X-TFS-FedAuthRedirect': 'Suppress', 'Content-Type': 'application/json' };
    const url = `${ado.requestUri}?api-version=7.1&serviceConnectionId=${ado.serviceConnectionId}`;
    expect((await call(`${ado.requestUri}?serviceConnectionId=${ado.serviceConnectionId}`, { method: 'POST', headers: auth })).status).toBe(
      400
    );
    expect((await call(url, { method: 'POST', headers: { ...auth, Authorization: 'Bearer nope' } })).status).toBe(401);
    const unknown = await call(`${ado.requestUri}?api-version=7.1&serviceConnectionId=${randomUUID()}`, { method: 'POST', headers: auth });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ $id: '1', message: expect.any(String), typeName: expect.any(String), errorCode: 0 });

    const reply = await call(url, { method: 'POST', headers: auth });
    expect(reply.status).toBe(200);
    const oidcToken = String(reply.json['oidcToken']);
    expect(decodeJwt(oidcToken).payload).toMatchObject({
      iss: ado.issuer,
      sub: `sc://${ado.organization}/${ado.project}/${ado.serviceConnectionName}`,
      aud: 'api://AzureADTokenExchange'
    });
    const token = await call(tokenUrl(), { form: assertionForm(world.federatedApp.clientId, oidcToken) });
    expect(token.status).toBe(200);
    expect(token.json).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    expect(entraClaims(String(token.json['access_token']))['oid']).toBe(world.federatedApp.objectId);
  });

  it('expired, wrong-audience, unknown-issuer, forged and unregistered-certificate assertions get their codes', async () => {
    const gh = world.github;
    const codeOf = async (clientId: string, assertion: string): Promise<[number, unknown]> => {
      const r = await call(tokenUrl(), { form: assertionForm(clientId, assertion) });
      return [r.status, (r.json['error_codes'] as unknown[] | undefined)?.[0]];
    };
    const fed = world.federatedApp.clientId;
    expect((await call(`${gh.env().ACTIONS_ID_TOKEN_REQUEST_URL}&audience=x`)).status).toBe(401);

    gh.claimOverrides = { exp: nowSeconds() - 3600, iat: nowSeconds() - 4000, nbf: nowSeconds() - 4000 };
    const expired = gh.mint('api://AzureADTokenExchange');
    gh.claimOverrides = {};
    expect(await codeOf(fed, expired)).toEqual([401, 700024]);
    expect(await codeOf(fed, gh.mint('api://SomethingElse'))).toEqual([400, 700212]);

    const stranger = await generateSigningKey();
    const claims = decodeJwt(gh.mint('api://AzureADTokenExchange')).payload;
    expect(await codeOf(fed, signJwt({ ...claims, iss: 'https://issuer.example' }, stranger.privateKey))).toEqual([400, 700211]);
    expect(await codeOf(fed, signJwt(claims, stranger.privateKey, { kid: 'forged' }))).toEqual([401, 700027]);

    const now = nowSeconds();
    const certAssertion = signJwt(
      { aud: tokenUrl(), iss: world.certApp.clientId, sub: world.certApp.clientId, jti: randomUUID(), nbf: now, exp: now + 600 },
      stranger.privateKey,
      { x5t: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA' }
    );
    expect(await codeOf(world.certApp.clientId, certAssertion)).toEqual([401, 700027]);
  });
});

describe('ACR exchange, token endpoint and docker-registry behind it', () => {
  it('exchanges ACR tokens everywhere, ARM tokens only where allowed, and refresh tokens push with skopeo', async () => {
    const { armAllowed, armRefused } = world.registries;
    const acrToken = tokens.get('secret')?.token;
    const armToken = tokens.get('secret-arm')?.token;
    expect(acrToken && armToken).toBeTruthy();

    const v2 = await call(`${armRefused.url}/v2/`);
    expect(v2.status).toBe(401);
    expect(v2.headers['www-authenticate']).toBe(
      `Bearer realm="http://${armRefused.loginServer}/oauth2/token",service="${armRefused.loginServer}"`
    );

    const refreshRefused = await refreshTokenFor(armRefused, acrToken);
    const refreshAllowed = await refreshTokenFor(armAllowed, acrToken);
    const refreshFromArm = await refreshTokenFor(armAllowed, armToken);
    const claims = decodeJwt(refreshRefused).payload;
    expect(claims).toMatchObject({ aud: armRefused.loginServer, oid: world.secretApp.objectId, tid: world.tenantId });
    expect(Number(claims['exp']) - nowSeconds()).toBeGreaterThan(3 * 3600 - 60);
    expect(decodeJwt(refreshAllowed).payload['aud']).toBe(armAllowed.loginServer);

    const refused = await exchange(armRefused, armToken ?? '');
    expect(refused.status).toBe(401);
    expect(refused.json).toEqual({
      errors: [{ code: 'UNAUTHORIZED', message: expect.stringContaining('arm aad token disallowed'), detail: expect.any(String) }]
    });
    expect((await exchange(armAllowed, acrToken ?? '', world.unknownTenantId)).status).toBe(401);
    expect((await exchange(armAllowed, `${acrToken ?? ''}x`)).status).toBe(401);

    // A refresh token is bound to its login server.
    const crossed = await call(`${armRefused.url}/oauth2/token`, {
      form: { grant_type: 'refresh_token', service: armRefused.loginServer, scope: 'repository:app:pull', refresh_token: refreshAllowed }
    });
    expect(crossed.status).toBe(401);
    expect(crossed.json).toMatchObject({ errors: [{ code: 'UNAUTHORIZED' }] });
    const granted = await call(`${armRefused.url}/oauth2/token`, {
      form: {
        grant_type: 'refresh_token',
        service: armRefused.loginServer,
        scope: 'repository:app:pull,push',
        refresh_token: refreshRefused
      }
    });
    expect(decodeJwt(String(granted.json['access_token'])).payload['access']).toEqual([
      { type: 'repository', name: 'app', actions: ['pull', 'push'] }
    ]);

    const [pushRefused, pushFromArm] = await Promise.all([
      world.push(await world.writeAuthFile(armRefused, TOKEN_USERNAME, refreshRefused), armRefused, 'app'),
      world.push(await world.writeAuthFile(armAllowed, TOKEN_USERNAME, refreshFromArm), armAllowed, 'app')
    ]);
    expect({ ok: pushRefused.ok, stderr: pushRefused.stderr }).toEqual({ ok: true, stderr: '' });
    expect({ ok: pushFromArm.ok, stderr: pushFromArm.stderr }).toEqual({ ok: true, stderr: '' });

    const adminAuth = await world.writeAuthFile(armRefused, world.admin.username, world.admin.password);
    const manifest = await inspect(adminAuth, armRefused.loginServer, 'app', world.image.tag, { workDir: world.dir });
    expect(manifest.ok).toBe(true);
    expect(`sha256:${createHash('sha256').update(manifest.stdout).digest('hex')}`).toBe(world.image.manifestDigest);
  });

  it('scoped token pushes only to its repository; no role, garbage password and foreign refresh token are denied', async () => {
    const registry = world.registries.armAllowed;
    const scopedAuth = await world.writeAuthFile(registry, world.scopedToken.username, world.scopedToken.password);
    const noRoleRefresh = await refreshTokenFor(registry, tokens.get('no-role')?.token);
    const [inScope, outOfScope, noRole, garbage] = await Promise.all([
      world.push(scopedAuth, registry, world.scopedToken.repository),
      world.push(scopedAuth, registry, 'elsewhere'),
      world.push(await world.writeAuthFile(registry, TOKEN_USERNAME, noRoleRefresh), registry, 'app'),
      world.push(await world.writeAuthFile(registry, TOKEN_USERNAME, 'garbage'), registry, 'app')
    ]);
    expect({ ok: inScope.ok, stderr: inScope.stderr }).toEqual({ ok: true, stderr: '' });
    expect(outOfScope.ok).toBe(false);
    expect(outOfScope.stderr).toMatch(/denied|unauthorized|authentication required/i);
    expect(noRole.ok).toBe(false);
    expect(noRole.stderr).toMatch(/denied|unauthorized|authentication required/i);
    expect(garbage.ok).toBe(false);
    expect(garbage.stderr).toMatch(/unable to retrieve auth token|unauthorized/i);

    const denied = await call(`${registry.url}/oauth2/token?service=${registry.loginServer}&scope=repository:app:push`, {
      headers: { Authorization: `Basic ${Buffer.from(`${world.scopedToken.username}:wrong`).toString('base64')}` }
    });
    expect(denied.status).toBe(401);
    expect(denied.json).toEqual({ errors: [{ code: 'UNAUTHORIZED', message: expect.any(String), detail: null }] });

    const secrets = world.secrets();
    for (const s of [
      world.secretApp.secret,
      world.scopedToken.password,
      world.github.requestToken,
      world.ado.accessToken,
      noRoleRefresh,
      tokens.get('imds-system')?.token ?? '?'
    ]) {
      expect(secrets).toContain(s);
    }
  });
});

describe('fault injection and dead hosts', () => {
  it('failNext answers the next N requests of a service as asked, then the real service answers', async () => {
    const form = {
      grant_type: 'client_credentials',
      client_id: world.secretApp.clientId,
      client_secret: world.secretApp.secret,
      scope: ACR_SCOPE
    };
    const mark = world.requests.mark();
    world.requests.failNext('entra-token', 2, { status: 429, retryAfterSeconds: 7 });
    world.requests.failNext('registry', 1, { status: 503, body: 'upstream sad' });
    const first = await call(world.entra.tokenEndpoint(world.tenantId), { form });
    const second = await call(world.entra.tokenEndpoint(world.tenantId), { form });
    const third = await call(world.entra.tokenEndpoint(world.tenantId), { form });
    expect([first.status, second.status, third.status]).toEqual([429, 429, 200]);
    expect(first.headers['retry-after']).toBe('7');
    expect(first.json['error_codes']).toEqual(expect.any(Array));
    const v2a = await call(`${world.registries.armAllowed.url}/v2/`);
    const v2b = await call(`${world.registries.armAllowed.url}/v2/`);
    expect([v2a.status, v2a.text, v2b.status]).toEqual([503, 'upstream sad', 401]);
    expect(world.requests.since(mark).map((e) => [e.service, e.status, e.injected])).toEqual([
      ['entra-token', 429, true],
      ['entra-token', 429, true],
      ['entra-token', 200, false],
      ['registry', 503, true],
      ['registry', 401, false]
    ]);
    expect(world.requests.pendingFaults('entra-token')).toBe(0);
  });

  it('the blackhole accepts and never answers', async () => {
    const socket = connect(world.blackhole.port, world.blackhole.host);
    const got = await new Promise<string>((resolvePromise) => {
      socket.on('data', () => resolvePromise('data'));
      socket.on('close', () => resolvePromise('closed'));
      socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      setTimeout(() => resolvePromise('silence'), 300);
    });
    socket.destroy();
    expect(got).toBe('silence');
  });
});
