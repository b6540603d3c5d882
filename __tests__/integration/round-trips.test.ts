// The connections and requests of one login per auth path, counted by the relays in front of the stand-ins (a
// simulated network of 10 ms: counts, not times) and the stand-ins' request log: a new request, connection or
// serial round trip fails here, not only in the benchmark. The bundled action (dist/) runs as the runner runs it.
import { join } from 'node:path';
import { leakedFromStep } from '../../test/support/action-runner';
import { SimulatedNetwork, type RoundTrips } from '../../test/support/network-relay';
import { resolverHookEnv } from '../../test/support/resolver-hook-env';
import type { ServiceName } from '../../test/support/request-log';
import { startWorld, type World } from '../../test/support/world';
import { newJob, runBundle, type Bench } from '../../scripts/bench/jobs';
import type { Build } from '../../scripts/bench/results';
import { countBy } from '../../scripts/bench/measure';
import { AUTH_PATHS } from '../../scripts/bench/paths';
import { observeLoading } from '../../scripts/bench/preload';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const BUILD: Build = { role: 'after', label: 'dist', dir: join(__dirname, '..', '..', 'dist') };

let world: World;
let bench: Bench;
let network: SimulatedNetwork;

beforeAll(async () => {
  network = new SimulatedNetwork(10);
  world = await startWorld({ network });
  bench = { world, dir: mkdtempSync(join(tmpdir(), 'round-trips-')) };
}, 30000);

afterAll(async () => {
  await world?.close();
  if (bench) rmSync(bench.dir, { recursive: true, force: true });
});

/** The service principal with a secret, Entra ID at the stand-in's own address (a custom authority host). */
function spSecret(w: World): Record<string, string> {
  return { 'client-id': w.secretApp.clientId, 'tenant-id': w.tenantId, 'client-secret': w.secretApp.secret, 'authority-host': w.entra.url };
}

interface Counted {
  trips: Omit<RoundTrips, 'byTarget' | 'flights'>;
  requests: Partial<Record<ServiceName, number>>;
}

async function loginOnce(
  inputs: (w: World) => Record<string, string>,
  env: (w: World) => Record<string, string> = () => ({})
): Promise<Counted> {
  const mark = network.mark();
  const measured = await runBundle(
    bench,
    BUILD,
    { registry: world.registries.armAllowed.url, login: 'config', ...inputs(world) },
    newJob(bench, env(world))
  );
  expect(leakedFromStep(measured.step.log, world.secrets())).toEqual([]);
  const { connections, tlsHandshakes, serialRoundTrips } = network.since(mark);
  return { trips: { connections, tlsHandshakes, serialRoundTrips }, requests: countBy(measured.requests) };
}

// Entra (custom authority host: MSAL reads the tenant's metadata, then asks for the token) on one kept-alive TLS
// connection opened while @azure/identity loads; the registry's connection opened at the same time, so that only
// the exchange itself is left after the token: connect, ClientHello, metadata, token, exchange.
it('service principal with a secret: 2 connections, 1 TLS handshake, 3 requests, 5 serial round trips', async () => {
  const counted = await loginOnce(spSecret);
  expect(counted).toEqual({
    trips: { connections: 2, tlsHandshakes: 1, serialRoundTrips: 5 },
    requests: { 'entra-metadata': 1, 'entra-token': 1, 'acr-exchange': 1 }
  });
});

it('the default login (auto; the docker CLI on PATH, no credential store): the config written, no docker login, the same 5 round trips', async () => {
  const counted = await loginOnce((w) => ({ login: 'auto', ...spSecret(w) }));
  expect(counted).toEqual({
    trips: { connections: 2, tlsHandshakes: 1, serialRoundTrips: 5 },
    requests: { 'entra-metadata': 1, 'entra-token': 1, 'acr-exchange': 1 }
  });
});

it('managed identity (IMDS): 2 connections, 2 requests, 3 serial round trips', async () => {
  const counted = await loginOnce(
    () => ({ 'auth-type': 'managed-identity' }),
    (w) => w.imds.env()
  );
  expect(counted).toEqual({
    trips: { connections: 2, tlsHandshakes: 0, serialRoundTrips: 3 },
    requests: { imds: 1, 'acr-exchange': 1 }
  });
});

it('username and password: 1 connection, 1 request, 2 serial round trips', async () => {
  const counted = await loginOnce((w) => ({ username: w.scopedToken.username, password: w.scopedToken.password }));
  expect(counted).toEqual({ trips: { connections: 1, tlsHandshakes: 0, serialRoundTrips: 2 }, requests: { 'acr-token': 1 } });
});

it('GitHub OIDC: 3 connections, 2 TLS handshakes, 4 requests', async () => {
  const counted = await loginOnce(
    (w) => ({ 'client-id': w.federatedApp.clientId, 'tenant-id': w.tenantId, 'authority-host': w.entra.url }),
    (w) => w.github.env()
  );
  expect(counted.trips).toMatchObject({ connections: 3, tlsHandshakes: 2 });
  expect(counted.requests).toEqual({ 'github-oidc': 1, 'entra-metadata': 1, 'entra-token': 1, 'acr-exchange': 1 });
});

it('two registries: their exchanges in parallel, each on a connection opened ahead: still 5 serial round trips', async () => {
  const counted = await loginOnce((w) => ({ registry: `${w.registries.armAllowed.url}\n${w.registries.armRefused.url}`, ...spSecret(w) }));
  expect(counted).toEqual({
    trips: { connections: 3, tlsHandshakes: 1, serialRoundTrips: 5 },
    requests: { 'entra-metadata': 1, 'entra-token': 1, 'acr-exchange': 2 }
  });
});

// The files the step loaded (require.cache at exit, through a --require preload): the username/password login
// loads the main bundle only, in which there is no Entra code (no @azure/identity, no AADSTS translations, no MSAL
// metadata paths); the service principal loads the Entra chunks besides.
it('the username/password login loads no Entra code; the service principal does', async () => {
  const entraMarkers = ['@azure/msal-node', 'AADSTS', 'openid-configuration'];
  const loaded = async (id: string): Promise<{ files: string[]; entra: string[] }> => {
    const path = AUTH_PATHS.find((p) => p.id === id);
    if (!path) throw new Error(id);
    const { files } = await observeLoading(bench, BUILD, path, { registry: world.registries.armAllowed.url, ...path.inputs(world) }, 1);
    const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    return { files: files.map((f) => f.slice(BUILD.dir.length + 1)).sort(), entra: entraMarkers.filter((m) => text.includes(m)) };
  };
  expect(await loaded('scoped-token')).toEqual({ files: ['index.js'], entra: [] });
  expect((await loaded('sp-secret')).entra).toEqual(entraMarkers);
});

// MSAL imports jsonwebtoken for one call, signing a certificate's client assertion: the import resolves to a module
// that loads the real one then (src/core/entra/jsonwebtoken.ts). Evaluating jsonwebtoken parses semver ranges,
// which Node's standard NODE_DEBUG=semver prints as SEMVER lines: none for a secret, some for a certificate.
it('jsonwebtoken and semver are evaluated only when a certificate signs a client assertion', async () => {
  const semverLines = async (inputs: Record<string, string>): Promise<number> => {
    const measured = await runBundle(
      bench,
      BUILD,
      { registry: world.registries.armAllowed.url, login: 'config', ...inputs },
      newJob(bench, { NODE_DEBUG: 'semver' })
    );
    return measured.step.stderr.split('\n').filter((line) => line.startsWith('SEMVER')).length;
  };
  expect(await semverLines(spSecret(world))).toBe(0);
  const certificate = {
    ...spSecret(world),
    'client-id': world.certApp.clientId,
    'client-secret': '',
    'client-certificate': world.certApp.certificate.path
  };
  expect(await semverLines(certificate)).toBeGreaterThan(0);
});

// Loading @azure/identity is tens of ms of synchronous work; the loading steps turn the event loop between them
// (letConnectionsProgress), so the connection to Entra ID opened ahead takes its DNS answer, connects and starts its
// TLS handshake meanwhile. Without the turns it would connect only once the token request is made, a round trip later.
it('the connection to Entra ID opened ahead connects while @azure/identity loads, before the first request', async () => {
  const hook = join(bench.dir, 'order-hook.cjs');
  const out = join(bench.dir, 'order.txt');
  writeFileSync(
    hook,
    [
      "const dc = require('node:diagnostics_channel');",
      'const seen = [];',
      "const tls = require('node:tls');",
      'const tlsConnect = tls.connect;',
      'tls.connect = function (options, ...rest) {',
      '  const socket = tlsConnect.call(this, options, ...rest);',
      "  socket.once('connect', () => seen.push(`connect ${options.port}`));",
      '  return socket;',
      '};',
      "dc.subscribe('http.client.request.start', ({ request }) => seen.push(`request ${request.method} ${request.path}`));",
      "process.on('exit', () => require('node:fs').writeFileSync(process.env.ORDER_OUT, seen.join('\\n')));",
      ''
    ].join('\n')
  );
  await runBundle(
    bench,
    BUILD,
    { registry: world.registries.armAllowed.url, login: 'config', ...spSecret(world) },
    newJob(bench, { NODE_OPTIONS: `--require ${hook}`, ORDER_OUT: out })
  );
  const seen = readFileSync(out, 'utf8').split('\n');
  const connected = seen.indexOf(`connect ${new URL(world.entra.url).port}`);
  const firstRequest = seen.findIndex((event) => event.startsWith('request '));
  expect(connected).toBeGreaterThanOrEqual(0);
  expect(firstRequest).toBeGreaterThan(connected);
});

/** One login with a preload that records what Node itself loaded (process.moduleLoadList at exit). */
async function loginListingBuiltins(
  inputs: Record<string, string>,
  env: Record<string, string> = {}
): Promise<{ requests: Partial<Record<ServiceName, number>>; builtins: string[] }> {
  const hook = join(bench.dir, 'builtins-hook.cjs');
  const out = join(bench.dir, 'builtins.txt');
  writeFileSync(
    hook,
    "process.on('exit', () => require('node:fs').writeFileSync(process.env.BUILTINS_OUT, process.moduleLoadList.join('\\n')));\n"
  );
  const measured = await runBundle(
    bench,
    BUILD,
    { registry: world.registries.armAllowed.url, login: 'config', ...inputs },
    newJob(bench, { ...env, NODE_OPTIONS: `--require ${hook}`, BUILTINS_OUT: out })
  );
  return { requests: countBy(measured.requests), builtins: readFileSync(out, 'utf8').split('\n') };
}

// No child_process (the docker runner loads only when docker runs), no undici, not the proxy agents' tty/debug machinery.
it('the username/password login loads neither the docker runner nor undici', async () => {
  const { requests, builtins } = await loginListingBuiltins({ username: world.scopedToken.username, password: world.scopedToken.password });
  expect(requests).toEqual({ 'acr-token': 1 });
  expect(builtins.filter((m) => /child_process|undici|\btty\b/.test(m))).toEqual([]);
});

// @azure/core-rest-pipeline's HTTP runtime evaluates `typeof FormData` in its form-data policy, and Node's FormData
// global is a lazy getter that loads undici: the credentials' pipelines go without that policy, and no request uses undici.
it.each([
  {
    path: 'service principal',
    inputs: spSecret,
    env: (): Record<string, string> => ({}),
    expected: { 'entra-metadata': 1, 'entra-token': 1, 'acr-exchange': 1 }
  },
  {
    path: 'managed identity (IMDS)',
    inputs: (): Record<string, string> => ({ 'auth-type': 'managed-identity' }),
    env: (w: World): Record<string, string> => w.imds.env(),
    expected: { imds: 1, 'acr-exchange': 1 }
  }
])('a $path login does not make Node load undici, nor tty for the proxy agents nobody uses', async ({ inputs, env, expected }) => {
  const { requests, builtins } = await loginListingBuiltins(inputs(world), env(world));
  expect(requests).toEqual(expected);
  // tty: what the proxy agents' `debug` loads when @azure/core-rest-pipeline evaluates them (src/core/entra/deferred/proxy-agents.ts).
  expect(builtins.filter((m) => /undici|\btty\b/.test(m))).toEqual([]);
});

// With the default inputs Entra ID is login.microsoftonline.com, whose metadata MSAL carries: no metadata GET, so the
// service principal's round trips are connect, ClientHello, token, exchange.
describe('Entra ID at the public authority host, as the default inputs reach it', () => {
  let named: World;
  let namedBench: Bench;
  let namedNetwork: SimulatedNetwork;

  beforeAll(async () => {
    namedNetwork = new SimulatedNetwork(10);
    named = await startWorld({ network: namedNetwork, publicAuthority: true });
    namedBench = { world: named, dir: mkdtempSync(join(tmpdir(), 'round-trips-public-')) };
  }, 30000);

  afterAll(async () => {
    await named?.close();
    if (namedBench) rmSync(namedBench.dir, { recursive: true, force: true });
  });

  it('service principal without authority-host: 2 connections, 2 requests, 4 serial round trips', async () => {
    const mark = namedNetwork.mark();
    const measured = await runBundle(
      namedBench,
      BUILD,
      {
        registry: named.registries.armAllowed.url,
        'client-id': named.secretApp.clientId,
        'tenant-id': named.tenantId,
        'client-secret': named.secretApp.secret
      },
      newJob(namedBench, resolverHookEnv(named.authorityHostsFile))
    );
    expect(leakedFromStep(measured.step.log, named.secrets())).toEqual([]);
    const { connections, tlsHandshakes, serialRoundTrips } = namedNetwork.since(mark);
    expect({ trips: { connections, tlsHandshakes, serialRoundTrips }, requests: countBy(measured.requests) }).toEqual({
      trips: { connections: 2, tlsHandshakes: 1, serialRoundTrips: 4 },
      requests: { 'entra-token': 1, 'acr-exchange': 1 }
    });
  });
});
