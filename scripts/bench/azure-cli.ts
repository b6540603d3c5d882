// The Azure CLI path, side by side: `az version` start-up, then `az login --service-principal` and
// `az acr login --expose-token` pointed at the same stand-ins through a registered cloud.
//
// What the Azure CLI needs beyond the world's stand-ins, all on loopback:
// - an ARM stand-in (subscriptions, the registry resource): `az login` lists subscriptions and
//   `az acr login -n` looks the registry up in ARM;
// - an https front for the registry: `az acr login` always asks https://<loginServer>/v2/ for the challenge;
// - login.microsoftonline.com routed to the Entra stand-in by a CONNECT proxy that terminates TLS with a
//   certificate of the bench's own CA: MSAL Python sends any other authority host to
//   login.microsoftonline.com for instance discovery, so the cloud keeps that well-known host (as
//   AzureCloud does) and gets no instance-discovery request, like acr-login.
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as tlsConnect, TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { closeServer, listen, sendJson, type HttpServer } from '../../test/support/http-util';
import { nowMs } from '../../test/support/request-log';
import { createPki, issueServerCertificate } from '../../test/support/pki';
import type { RegistryRef, World } from '../../test/support/world';

const execFileAsync = promisify(execFile);
export const AZ_NOT_INSTALLED = 'not installed: run apt-get install azure-cli';
const REGISTRY_NAME = 'benchregistry';
const AZ_TIMEOUT_MS = 120000;

export function azPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'az'), constants.X_OK);
      return join(dir, 'az');
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface AzRun {
  ok: boolean;
  ms: number;
  stdout: string;
  stderr: string;
}

export function runAz(az: string, args: string[], env: Record<string, string>): Promise<AzRun> {
  return new Promise((resolve) => {
    const started = nowMs();
    const child = spawn(az, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), AZ_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, ms: nowMs() - started, stdout, stderr: stderr + String(error) });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, ms: nowMs() - started, stdout, stderr });
    });
  });
}

/** The environment every az call gets: a private config dir, no telemetry, no update or survey prompts. */
export function azEnv(configDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: configDir,
    AZURE_CONFIG_DIR: configDir,
    AZURE_CORE_COLLECT_TELEMETRY: 'false',
    AZURE_CORE_SURVEY_MESSAGE: 'false',
    AZURE_CORE_NO_COLOR: 'true',
    ...extra
  };
}

export async function azVersion(az: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(az, ['version', '-o', 'json'], {
      env: azEnv(join(process.env.TMPDIR ?? '/tmp', `az-version-${process.pid}`)),
      timeout: AZ_TIMEOUT_MS
    });
    return (JSON.parse(stdout) as Record<string, string>)['azure-cli'] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The stand-ins the Azure CLI needs on top of the world's; close() stops them. */
export interface AzStandIns {
  env(configDir: string): Record<string, string>;
  /** `az cloud register` arguments for a cloud whose endpoints are the stand-ins. */
  cloudArgs: string[];
  registryName: string;
  /** https front of the registry: what ARM gives as its login server. */
  loginServer: string;
  /** Requests ARM and the https front answered (the world's log has Entra and the registry). */
  armRequests: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

/** A leaf for login.microsoftonline.com signed by the bench CA (the MITM of the CONNECT proxy). */
async function microsoftLoginCertificate(dir: string, caCertPath: string, caKeyPath: string): Promise<{ key: string; cert: string }> {
  const issued = await issueServerCertificate(dir, { caCertPath, caKeyPath }, 'login', 'login.microsoftonline.com', [
    'DNS:login.microsoftonline.com'
  ]);
  return { key: issued.keyPem, cert: issued.certPem };
}

export async function startAzStandIns(world: World, registry: RegistryRef, dir: string): Promise<AzStandIns> {
  mkdirSync(dir, { recursive: true });
  const pki = await createPki(join(dir, 'pki'));
  const login = await microsoftLoginCertificate(pki.dir, pki.caCertPath, pki.caKeyPath);
  const caBundle = join(dir, 'ca-bundle.pem');
  const worldCa = readFileSync(world.caCertPath, 'utf8');
  writeFileSync(caBundle, `${worldCa}\n${pki.caCertPem}`);
  const subscriptionId = randomUUID();
  const armRequests: AzStandIns['armRequests'] = [];
  const servers: HttpServer[] = [];

  // The registry behind TLS: every request forwarded as is to the ACR stand-in.
  const front = createHttpsServer({ key: pki.serverKeyPem, cert: pki.serverCertPem }, (req, res) => {
    const upstream = httpRequest(
      { host: registry.host, port: registry.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      }
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  servers.push(front as unknown as HttpServer);
  const frontPort = await listen(front, '127.0.0.1');
  const loginServer = `127.0.0.1:${frontPort}`;

  const registryResource = {
    id: `/subscriptions/${subscriptionId}/resourceGroups/bench/providers/Microsoft.ContainerRegistry/registries/${REGISTRY_NAME}`,
    name: REGISTRY_NAME,
    type: 'Microsoft.ContainerRegistry/registries',
    location: 'westeurope',
    sku: { name: 'Standard', tier: 'Standard' },
    properties: {
      loginServer,
      creationDate: '2024-01-01T00:00:00Z',
      provisioningState: 'Succeeded',
      adminUserEnabled: false,
      publicNetworkAccess: 'Enabled',
      policies: { azureADAuthenticationAsArmPolicy: { status: registry.acr.allowArmTokens ? 'enabled' : 'disabled' } }
    }
  };
  const arm = createHttpsServer({ key: pki.serverKeyPem, cert: pki.serverCertPem }, (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const answer = (status: number, body: unknown): void => {
      armRequests.push({ method: req.method ?? 'GET', path, status });
      sendJson(res, status, body);
    };
    if (!/^Bearer .+/.test(req.headers.authorization ?? ''))
      return answer(401, { error: { code: 'AuthenticationFailed', message: 'no bearer token' } });
    const lower = path.toLowerCase().replace(/\/$/, '');
    if (lower === '/subscriptions') {
      return answer(200, {
        value: [
          {
            id: `/subscriptions/${subscriptionId}`,
            subscriptionId,
            tenantId: world.tenantId,
            displayName: 'acr-login bench',
            state: 'Enabled',
            subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
            authorizationSource: 'RoleBased',
            managedByTenants: []
          }
        ]
      });
    }
    if (lower === '/tenants')
      return answer(200, { value: [{ id: `/tenants/${world.tenantId}`, tenantId: world.tenantId, tenantCategory: 'Home' }] });
    const sub = `/subscriptions/${subscriptionId}`.toLowerCase();
    if (lower === `${sub}/resources` || lower === `${sub}/providers/microsoft.containerregistry/registries`) {
      return answer(200, { value: [registryResource] });
    }
    if (lower === registryResource.id.toLowerCase()) return answer(200, registryResource);
    return answer(404, { error: { code: 'NotFound', message: `the ARM stand-in has no ${path}` } });
  });
  servers.push(arm as unknown as HttpServer);
  const armPort = await listen(arm, '127.0.0.1');

  // CONNECT login.microsoftonline.com:443 → TLS terminated with the bench's certificate → the Entra stand-in.
  const entraUrl = new URL(world.entra.url);
  const proxy = createHttpServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    if ((req.url ?? '').toLowerCase() !== 'login.microsoftonline.com:443') {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) client.unshift(head);
    const inner = new TLSSocket(client, { isServer: true, key: login.key, cert: login.cert });
    const upstream = tlsConnect({ host: entraUrl.hostname, port: Number(entraUrl.port), ca: worldCa });
    const drop = (): void => {
      inner.destroy();
      upstream.destroy();
    };
    inner.on('error', drop);
    upstream.on('error', drop);
    client.on('error', drop);
    inner.pipe(upstream).pipe(inner);
  });
  servers.push(proxy as unknown as HttpServer);
  const proxyPort = await listen(proxy, '127.0.0.1');

  const cloudArgs = [
    '--endpoint-active-directory',
    'https://login.microsoftonline.com',
    '--endpoint-active-directory-resource-id',
    'https://management.core.windows.net/',
    '--endpoint-active-directory-graph-resource-id',
    'https://graph.windows.net/',
    '--endpoint-resource-manager',
    `https://127.0.0.1:${armPort}/`,
    '--endpoint-management',
    'https://management.core.windows.net/',
    '--suffix-acr-login-server-endpoint',
    '.azurecr.io'
  ];
  return {
    cloudArgs,
    registryName: REGISTRY_NAME,
    loginServer,
    armRequests,
    env: (configDir) =>
      azEnv(configDir, {
        REQUESTS_CA_BUNDLE: caBundle,
        HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`,
        NO_PROXY: '127.0.0.1,localhost'
      }),
    async close() {
      await Promise.all(servers.map((server) => closeServer(server)));
    }
  };
}
