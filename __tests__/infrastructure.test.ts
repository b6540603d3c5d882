// Proof that the test infrastructure is real: the shared docker engine builds and pushes to a real docker-registry,
// squid tunnels and forwards to stand-ins by the names in its hosts file (and asks for and checks credentials), the
// resolver hook resolves only hosts-file names in node 20 and 24 child processes, and Node 24 from the npm registry runs.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { AcrStandIn } from '../test/support/acr';
import { buildAndPushScratchImage, docker, sharedDockerEngine } from '../test/support/docker-engine';
import { EntraStandIn } from '../test/support/entra';
import { closeServer, listen, serveHttps } from '../test/support/http-util';
import { node24 } from '../test/support/node24';
import { createPki, issueServerCertificate, type Pki } from '../test/support/pki';
import { startProxy, type TestProxy } from '../test/support/proxy';
import { RequestLog } from '../test/support/request-log';
import { resolverHookEnv, writeHostsFile } from '../test/support/resolver-hook-env';
import { writeAuthFile } from '../test/support/skopeo';
import { runNode } from '../test/support/spawn-node';

const REGISTRY_NAME = 'myreg.azurecr.io';
const REGISTRY_ADDRESS = '127.0.0.42';
const PLAIN_NAME = 'plain.stand-in.test';
const PLAIN_ADDRESS = '127.0.0.43';

let dir: string;
let pki: Pki;
/** https://myreg.azurecr.io:<port> stand-in on 127.0.0.42 (certificate for that name from the test CA). */
let httpsServer: HttpsServer;
let httpsPort: number;
/** http://plain.stand-in.test:<port> stand-in on 127.0.0.43. */
let httpServer: Server;
let httpPort: number;

/** Both stand-ins answer with what reached them. */
function echo(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ host: req.headers.host, url: req.url, from: req.socket.remoteAddress }));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'acr-login-infra-'));
  pki = await createPki(join(dir, 'pki'));
  const certificate = await issueServerCertificate(pki.dir, pki, 'myreg', REGISTRY_NAME, [`DNS:${REGISTRY_NAME}`]);
  ({ server: httpsServer, port: httpsPort } = await serveHttps(
    { serverKeyPem: certificate.keyPem, serverCertPem: certificate.certPem },
    REGISTRY_ADDRESS,
    echo
  ));
  httpServer = createServer(echo);
  httpPort = await listen(httpServer, PLAIN_ADDRESS);
});

afterAll(async () => {
  await Promise.all([httpsServer && closeServer(httpsServer), httpServer && closeServer(httpServer)]);
  await rm(dir, { recursive: true, force: true });
});

describe('the shared docker engine', () => {
  let acr: AcrStandIn;
  let entra: EntraStandIn;
  let host: string;
  const admin = { username: 'contosoregistry', password: randomBytes(24).toString('base64') };

  beforeAll(async () => {
    ({ host } = await sharedDockerEngine());
    const log = new RequestLog();
    entra = await EntraStandIn.start({ pki, log });
    acr = await AcrStandIn.start({ dir: join(dir, 'acr'), log, entra });
    acr.enableAdminUser(admin.username, admin.password);
  });

  afterAll(async () => {
    await Promise.all([acr?.close(), entra?.close()]);
  });

  async function configDir(name: string, credentials?: { username: string; password: string }): Promise<string> {
    const configDir = join(dir, name);
    if (credentials) await writeAuthFile(join(configDir, 'config.json'), acr.loginServer, credentials.username, credentials.password);
    else {
      await mkdir(configDir, { recursive: true });
      await writeFile(join(configDir, 'config.json'), '{}\n');
    }
    return configDir;
  }

  it('builds a FROM scratch image and pushes it to the real docker-registry with credentials from DOCKER_CONFIG', async () => {
    const image = `${acr.loginServer}/infra/scratch:${randomUUID()}`;
    const dockerConfig = await configDir('with-admin', admin);
    const pushed = await buildAndPushScratchImage(image, { host, dockerConfig, workDir: dir });
    expect(pushed).toMatchObject({ step: 'push', exitCode: 0 });
    expect(pushed.stdout).toMatch(/digest: sha256:[0-9a-f]{64}/);

    // The registry has it: delete the local copy and pull it back through the engine.
    const options = { host, dockerConfig };
    expect((await docker(['image', 'rm', image], options)).exitCode).toBe(0);
    const pulled = await docker(['pull', image], options);
    expect(pulled.exitCode).toBe(0);
    expect((await docker(['image', 'inspect', '--format', '{{.Os}}', image], options)).exitCode).toBe(0);
  });

  it('fails the push when the registry demands credentials and DOCKER_CONFIG has none', async () => {
    const image = `${acr.loginServer}/infra/denied:${randomUUID()}`;
    const pushed = await buildAndPushScratchImage(image, { host, dockerConfig: await configDir('empty'), workDir: dir });
    expect(pushed.step).toBe('push');
    expect(pushed.exitCode).not.toBe(0);
    expect(pushed.stderr).toMatch(/unauthorized|authentication required|no basic auth credentials/i);
  });

  it('fails the push with a wrong password', async () => {
    const image = `${acr.loginServer}/infra/wrong:${randomUUID()}`;
    const dockerConfig = await configDir('wrong-password', { username: admin.username, password: 'not-the-password' });
    const pushed = await buildAndPushScratchImage(image, { host, dockerConfig, workDir: dir });
    expect(pushed.step).toBe('push');
    expect(pushed.exitCode).not.toBe(0);
    expect(pushed.stderr).toMatch(/unauthorized/i);
  });
});

interface ConnectResult {
  status: number;
  headers: IncomingMessage['headers'];
  socket: Socket;
}

/** A raw CONNECT through the proxy; resolves on its answer, whatever the status. */
function proxyConnect(proxy: TestProxy, target: string, credentials?: { username: string; password: string }): Promise<ConnectResult> {
  const headers: Record<string, string> = { Host: target };
  if (credentials)
    headers['Proxy-Authorization'] = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: proxy.host, port: proxy.port, method: 'CONNECT', path: target, headers, agent: false });
    req.once('connect', (res, socket) => resolve({ status: res.statusCode ?? 0, headers: res.headers, socket }));
    req.once('error', reject);
    req.end();
  });
}

/** GET https://myreg.azurecr.io:<port>/path through an established tunnel (TLS checked against the test CA); closes it. */
function getOverTunnel(socket: Socket, path: string): Promise<{ status: number; body: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const tls = tlsConnect({ socket, servername: REGISTRY_NAME, ca: pki.caCertPem });
    const req = httpRequest({ createConnection: () => tls, host: REGISTRY_NAME, port: httpsPort, path }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        tls.destroy();
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) as Record<string, string> });
      });
    });
    req.once('error', reject);
    req.end();
  });
}

/** GET an absolute http URL through the proxy (plain forwarding). */
function proxyGet(proxy: TestProxy, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: proxy.host, port: proxy.port, path: url, headers: { Host: new URL(url).host }, agent: false },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }
    );
    req.once('error', reject);
    req.end();
  });
}

describe('the squid proxy', () => {
  const hosts = { [REGISTRY_NAME]: REGISTRY_ADDRESS, [PLAIN_NAME]: PLAIN_ADDRESS };
  const proxies: TestProxy[] = [];
  const start = async (options: Parameters<typeof startProxy>[0]): Promise<TestProxy> => {
    const started = Date.now();
    const proxy = await startProxy(options);
    proxies.push(proxy);
    expect(Date.now() - started).toBeLessThan(3000);
    return proxy;
  };

  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.stop()));
  });

  it('tunnels https to a name from its hosts file, forwards plain http, and logs both', async () => {
    const proxy = await start({ hosts });
    expect(proxy.url).toBe(`http://127.0.0.1:${proxy.port}`);
    expect(await readFile(proxy.hostsFile, 'utf8')).toContain(`${REGISTRY_ADDRESS} ${REGISTRY_NAME}`);

    const tunnel = await proxyConnect(proxy, `${REGISTRY_NAME}:${httpsPort}`);
    expect(tunnel.status).toBe(200);
    const answer = await getOverTunnel(tunnel.socket, '/v2/');
    expect(answer).toEqual({ status: 200, body: { host: `${REGISTRY_NAME}:${httpsPort}`, url: '/v2/', from: '127.0.0.1' } });
    const connect = await proxy.waitForAccessLog((e) => e.method === 'CONNECT');
    expect(connect).toMatchObject({
      target: `${REGISTRY_NAME}:${httpsPort}`,
      status: 200,
      result: 'TCP_TUNNEL',
      serverAddress: REGISTRY_ADDRESS,
      serverPort: httpsPort
    });

    const plain = await proxyGet(proxy, `http://${PLAIN_NAME}:${httpPort}/hello?x=1`);
    expect(plain.status).toBe(200);
    expect(JSON.parse(plain.body)).toMatchObject({ host: `${PLAIN_NAME}:${httpPort}`, url: '/hello?x=1' });
    const get = await proxy.waitForAccessLog((e) => e.method === 'GET');
    expect(get).toMatchObject({ target: `http://${PLAIN_NAME}:${httpPort}/hello?`, status: 200, serverAddress: PLAIN_ADDRESS });
  });

  it('answers 407 without (or with wrong) credentials and tunnels with the right ones', async () => {
    const credentials = { username: 'ci-proxy', password: `p@ss:${randomBytes(9).toString('base64')}` };
    const proxy = await start({ hosts, credentials });

    const anonymous = await proxyConnect(proxy, `${REGISTRY_NAME}:${httpsPort}`);
    anonymous.socket.destroy();
    expect(anonymous.status).toBe(407);
    expect(anonymous.headers['proxy-authenticate']).toMatch(/^Basic realm="acr-login test proxy"/);

    const wrong = await proxyConnect(proxy, `${REGISTRY_NAME}:${httpsPort}`, { ...credentials, password: 'wrong' });
    wrong.socket.destroy();
    expect(wrong.status).toBe(407);

    const authenticated = await proxyConnect(proxy, `${REGISTRY_NAME}:${httpsPort}`, credentials);
    expect(authenticated.status).toBe(200);
    expect((await getOverTunnel(authenticated.socket, '/v2/')).status).toBe(200);
    await proxy.waitForAccessLog((e) => e.status === 200);
    expect((await proxy.accessLog()).map((e) => [e.method, e.status, e.user])).toEqual([
      ['CONNECT', 407, undefined],
      ['CONNECT', 407, 'ci-proxy'],
      ['CONNECT', 200, 'ci-proxy']
    ]);
  });

  it('refuses everything with 403 when told to', async () => {
    const proxy = await start({ hosts, refuseAll: true });
    const tunnel = await proxyConnect(proxy, `${REGISTRY_NAME}:${httpsPort}`);
    tunnel.socket.destroy();
    expect(tunnel.status).toBe(403);
    expect((await proxyGet(proxy, `http://${PLAIN_NAME}:${httpPort}/`)).status).toBe(403);
  });

  it('reaches no name outside its hosts file', async () => {
    const proxy = await start({ hosts });
    const started = Date.now();
    const tunnel = await proxyConnect(proxy, `login.microsoftonline.com:443`);
    tunnel.socket.destroy();
    expect(tunnel.status).toBeGreaterThanOrEqual(400);
    expect(Date.now() - started).toBeLessThan(5000);
    const entry = await proxy.waitForAccessLog((e) => e.method === 'CONNECT');
    expect(entry.serverAddress).toBeUndefined();
  });
});

/** Run by node 20 and node 24 child processes with the hook: every way node resolves a name, as JSON on stdout. */
const PROBE = `
const dns = require('node:dns');
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const util = require('node:util');
const [httpsUrl, httpUrl, ca] = process.argv.slice(2);
const settle = (p) => p.then((v) => ({ ok: v }), (e) => ({ error: e.code + ' ' + e.message, syscall: e.syscall, hostname: e.hostname }));
const viaCallback = (host, options) =>
  new Promise((resolve, reject) => dns.lookup(host, options, (err, address, family) => (err ? reject(err) : resolve([address, family].filter((x) => x !== undefined)))));
const get = (mod, url, options = {}) =>
  new Promise((resolve, reject) => {
    const req = mod.request(url, { ...options, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(JSON.parse(body).host));
    });
    req.on('error', reject);
    req.end();
  });
const connect = (host, port) =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ host, port }, () => { resolve(socket.remoteAddress); socket.destroy(); });
    socket.on('error', reject);
  });
(async () => {
  const name = new URL(httpsUrl).hostname;
  const port = Number(new URL(httpUrl).port);
  const plainName = new URL(httpUrl).hostname;
  const out = {
    lookupCallback: await settle(viaCallback(name, {})),
    lookupCallbackAll: await settle(viaCallback(name, { all: true })),
    lookupFamily6: await settle(viaCallback(name, 6)),
    lookupLocalhost: await settle(viaCallback('localhost', {})),
    lookupIpLiteral: await settle(viaCallback('10.11.12.13', { all: true })),
    lookupPromises: await settle(dns.promises.lookup(name)),
    lookupPromisesAll: await settle(dns.promises.lookup(name, { all: true })),
    lookupPromisify: await settle(util.promisify(dns.lookup)(name)),
    lookupUnknown: await settle(dns.promises.lookup('login.microsoftonline.com')),
    resolve4: await settle(dns.promises.resolve4(name)),
    resolveUnknown: await settle(dns.promises.resolve4('login.microsoftonline.com')),
    esmLookupPatched: (await import('node:dns')).lookup === dns.lookup,
    httpGet: await settle(get(http, httpUrl)),
    httpsRequest: await settle(get(https, httpsUrl, { ca })),
    httpUnknown: await settle(get(http, 'http://login.microsoftonline.com/')),
    netConnect: await settle(connect(plainName, port)),
    netUnknown: await settle(connect('login.microsoftonline.com', 443)),
    fetch: await settle(fetch(httpUrl).then((r) => r.json()).then((b) => b.host)),
    fetchUnknown: await settle(fetch('https://login.microsoftonline.com/').then((r) => r.status).catch((e) => { throw e.cause ?? e; })),
  };
  process.stdout.write(JSON.stringify(out));
})();
`;

describe('the resolver hook', () => {
  let probe: string;
  let lookupOne: string;
  let hostsFile: string;

  beforeAll(async () => {
    probe = join(dir, 'probe.js');
    await writeFile(probe, PROBE);
    lookupOne = join(dir, 'lookup-one.js');
    await writeFile(
      lookupOne,
      `require('node:dns').lookup(process.argv[2], (err, address) => process.stdout.write(err ? err.code : address));\n`
    );
    hostsFile = await writeHostsFile(join(dir, 'hook-hosts'), { [REGISTRY_NAME]: REGISTRY_ADDRESS, [PLAIN_NAME]: PLAIN_ADDRESS });
  });

  const notFound = (hostname: string): Record<string, string> => ({
    error: `ENOTFOUND getaddrinfo ENOTFOUND ${hostname}`,
    syscall: 'getaddrinfo',
    hostname
  });

  it.each([
    ['node 20 (the tests)', (): string => process.execPath],
    ['node 24 (the runtime)', node24]
  ])('resolves only hosts-file names in %s', async (_label, binary) => {
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...resolverHookEnv(hostsFile) };
    const args = [`https://${REGISTRY_NAME}:${httpsPort}/`, `http://${PLAIN_NAME}:${httpPort}/`, pki.caCertPem];
    const run = await runNode(probe, { node: binary(), args, env, timeoutMs: 20000 });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(out).toEqual({
      lookupCallback: { ok: [REGISTRY_ADDRESS, 4] },
      lookupCallbackAll: { ok: [[{ address: REGISTRY_ADDRESS, family: 4 }]] },
      lookupFamily6: notFound(REGISTRY_NAME),
      lookupLocalhost: notFound('localhost'),
      lookupIpLiteral: { ok: [[{ address: '10.11.12.13', family: 4 }]] },
      lookupPromises: { ok: { address: REGISTRY_ADDRESS, family: 4 } },
      lookupPromisesAll: { ok: [{ address: REGISTRY_ADDRESS, family: 4 }] },
      lookupPromisify: { ok: { address: REGISTRY_ADDRESS, family: 4 } },
      lookupUnknown: notFound('login.microsoftonline.com'),
      resolve4: { ok: [REGISTRY_ADDRESS] },
      resolveUnknown: {
        error: 'ENOTFOUND queryA ENOTFOUND login.microsoftonline.com',
        syscall: 'queryA',
        hostname: 'login.microsoftonline.com'
      },
      esmLookupPatched: true,
      httpGet: { ok: `${PLAIN_NAME}:${httpPort}` },
      httpsRequest: { ok: `${REGISTRY_NAME}:${httpsPort}` },
      httpUnknown: notFound('login.microsoftonline.com'),
      netConnect: { ok: PLAIN_ADDRESS },
      netUnknown: notFound('login.microsoftonline.com'),
      fetch: { ok: `${PLAIN_NAME}:${httpPort}` },
      fetchUnknown: notFound('login.microsoftonline.com')
    });
  });

  it('is what makes the difference: without it localhost resolves and the test names do not', async () => {
    const lookup = async (name: string, env: Record<string, string>): Promise<string> =>
      (await runNode(lookupOne, { args: [name], env, timeoutMs: 20000 })).stdout;
    const plain = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
    expect(await lookup('localhost', plain)).toMatch(/^(127\.0\.0\.1|::1)$/);
    expect(await lookup(REGISTRY_NAME, plain)).not.toBe(REGISTRY_ADDRESS);
    expect(await lookup(REGISTRY_NAME, { ...plain, ...resolverHookEnv(hostsFile) })).toBe(REGISTRY_ADDRESS);
    expect(await lookup('localhost', { ...plain, ...resolverHookEnv() })).toBe('ENOTFOUND');
  });

  // The product opens connections ahead while it loads code, and turns the event loop between loading steps for their
  // DNS answers: a hook answering at once (process.nextTick) would connect them sooner than any real resolver lets it.
  it('answers when the event loop turns, as the real resolver does: after the code that asked and its queued callbacks', async () => {
    const order = join(dir, 'lookup-order.js');
    await writeFile(
      order,
      [
        'const seen = [];',
        "require('node:dns').lookup(process.argv[2], () => seen.push('answer'));",
        "process.nextTick(() => seen.push('nextTick'));",
        "Promise.resolve().then(() => seen.push('microtask'));",
        "setImmediate(() => seen.push('immediate'));",
        '// busy, as a process loading code is: an answer that is ready waits for the loop',
        'for (const until = Date.now() + 50; Date.now() < until; );',
        "setTimeout(() => process.stdout.write(seen.join(',')), 200);",
        ''
      ].join('\n')
    );
    const plain = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
    const real = await runNode(order, { args: ['localhost'], env: plain, timeoutMs: 20000 });
    const hooked = await runNode(order, { args: [REGISTRY_NAME], env: { ...plain, ...resolverHookEnv(hostsFile) }, timeoutMs: 20000 });
    expect(real.stdout).toBe('nextTick,microtask,answer,immediate');
    expect(hooked.stdout).toBe(real.stdout);
  });

  it('fails the process at start when the hosts file it names is missing', async () => {
    const run = await runNode(lookupOne, {
      args: ['localhost'],
      env: { PATH: '/usr/bin:/bin', ...resolverHookEnv(join(dir, 'no-such-hosts')) }
    });
    expect(run.exitCode).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('no-such-hosts');
  });
});

describe('Node 24 from the npm registry', () => {
  it("runs, and does not shadow the machine's node in npm scripts", async () => {
    const version = await new Promise<string>((resolve, reject) =>
      execFile(node24(), ['--version'], (err, stdout) => (err ? reject(err) : resolve(stdout.trim())))
    );
    expect(version).toMatch(/^v24\./);
    expect(existsSync(join(__dirname, '..', 'node_modules', '.bin', 'node'))).toBe(false);
    expect(realpathSync(process.execPath)).not.toBe(realpathSync(node24()));
  });
});
