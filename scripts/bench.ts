// npm run bench [-- --quick] [-- --json out.json] [-- --runs N] [-- --dist DIR] [-- --no-az]
//
// Starts the integration tests' stand-ins (Entra ID, GitHub OIDC, IMDS, ACR login servers in front of the
// real docker-registry), runs the bundled action as the runner does (a fresh node process per run, INPUT_*,
// GITHUB_OUTPUT/GITHUB_STATE files) and prints one table: wall time and cold start per auth path, requests
// per login by endpoint, scaling to 20 registries, bundle sizes, and the Azure CLI path side by side.
//
// Cold start = from spawning the step's process to the first request any stand-in logs.
// Wall = from spawning it to its exit. Every run must log in; a failed run stops the benchmark.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { AcrStandIn } from '../test/support/acr';
import { actionDefaults, runStep, type StepResult } from '../test/support/action-runner';
import { nowMs, type RequestLogEntry, type ServiceName } from '../test/support/request-log';
import { runNode } from '../test/support/spawn-node';
import { startWorld, type RegistryRef, type World } from '../test/support/world';
import { AZ_NOT_INSTALLED, azEnv, azPath, azVersion, runAz, startAzStandIns, type AzStandIns } from './bench/azure-cli';
import { AUTH_PATHS, ENDPOINTS, type AuthPath } from './bench/paths';
import { bytes, maxInFlight, ms, ratio, round1, summarize, type Summary } from './bench/stats';

const ROOT = join(__dirname, '..', '..');

/** How long the scaling runs' login servers take to answer an exchange. */
const EXCHANGE_DELAY_MS = 50;

const TARGETS = {
  coldStartMs: 150,
  spWallMs: 300,
  scalingFactor: 3
};

interface Args {
  quick: boolean;
  json: string | undefined;
  runs: number;
  dist: string;
  az: boolean;
  azRuns: number;
  registryCounts: number[];
  scalingRuns: number;
}

function parseArgs(argv: string[]): Args {
  const quick = argv.includes('--quick');
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    if (i === -1) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
    return v;
  };
  const known = new Set(['--quick', '--json', '--runs', '--dist', '--no-az']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!known.has(a)) throw new Error(`unknown argument '${a}' (use --quick, --json FILE, --runs N, --dist DIR, --no-az)`);
    if (a === '--json' || a === '--runs' || a === '--dist') i++;
  }
  const runs = Number(value('--runs') ?? (quick ? 3 : 15));
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  const json = value('--json');
  return {
    quick,
    json: json === undefined ? undefined : resolve(process.env.INIT_CWD ?? process.cwd(), json),
    runs,
    dist: value('--dist') ?? 'dist',
    az: !quick && !argv.includes('--no-az'),
    azRuns: quick ? 0 : 5,
    registryCounts: quick ? [1, 5] : [1, 5, 20],
    scalingRuns: quick ? 2 : Math.max(10, runs)
  };
}

// ---------------------------------------------------------------- running the action

interface Job {
  env: Record<string, string>;
}

let jobsDir = '';

/** A fresh job: its own HOME and docker config, the stand-ins' CA trusted, no docker CLI (login: config). */
function newJob(world: World, extra: Record<string, string> = {}): Job {
  const home = mkdtempSync(join(jobsDir, 'job-'));
  return {
    env: { PATH: '/usr/bin:/bin', HOME: home, DOCKER_CONFIG: join(home, '.docker'), NODE_EXTRA_CA_CERTS: world.caCertPath, ...extra }
  };
}

interface Measured {
  step: StepResult;
  /** nowMs() when the step was spawned. */
  started: number;
  wallMs: number;
  coldStartMs: number;
  requests: RequestLogEntry[];
}

async function runMain(world: World, args: Args, inputs: Record<string, string>, env: Record<string, string>): Promise<Measured> {
  const inputEnv: Record<string, string> = {};
  for (const [name, v] of Object.entries({ ...actionDefaults(), login: 'config', ...inputs })) inputEnv[`INPUT_${name.toUpperCase()}`] = v;
  const mark = world.requests.mark();
  const started = nowMs();
  const step = await runStep(`${args.dist}/index.js`, { ...env, ...inputEnv });
  const ended = nowMs();
  const requests = world.requests.since(mark);
  if (step.exitCode !== 0 || step.errors.length > 0) {
    throw new Error(`the step failed (exit ${step.exitCode}): ${step.errors.join(' | ') || step.log.slice(-2000)}`);
  }
  const first = Math.min(...requests.map((r) => r.start));
  return { step, started, wallMs: ended - started, coldStartMs: first - started, requests };
}

function countBy(requests: RequestLogEntry[]): Partial<Record<ServiceName, number>> {
  const counts: Partial<Record<ServiceName, number>> = {};
  for (const r of requests) counts[r.service] = (counts[r.service] ?? 0) + 1;
  return counts;
}

/**
 * A --require preload for a few extra runs per path (not the timed ones): which files of the bundle
 * directory the process loaded (require.cache at exit), and in-process timestamps, in ms since the
 * process started: the bundle starts, a lazy chunk is loaded, the first socket connects, exit.
 */
const PRELOAD = `const Module = require('node:module');
const net = require('node:net');
const { writeFileSync } = require('node:fs');
const at = {};
const mark = (name) => { if (at[name] === undefined) at[name] = performance.now(); };
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (isMain) mark('bundleStart');
  const chunk = /(^|\\/)\\d+\\.index\\.js$/.test(request);
  if (chunk) mark('chunkStart');
  try { return load.apply(this, arguments); } finally { if (chunk) mark('chunkLoaded'); }
};
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function () { mark('firstConnect'); return connect.apply(this, arguments); };
process.on('exit', () => {
  mark('exit');
  try { writeFileSync(process.env.ACR_LOGIN_BENCH_PRELOAD_OUT, JSON.stringify({ loaded: Object.keys(require.cache), at })); } catch {}
});
`;

interface Phases {
  /** Node's own start-up: process start → the bundle starts. */
  nodeStartMs: number;
  /** The bundle's own code until the Entra chunk is required (or until the first connect when none is). */
  bundleMs: number;
  /** Reading and compiling the lazy Entra chunk. */
  chunkLoadMs: number | null;
  /** From the chunk loaded to the first socket connect: @azure/identity and MSAL evaluating and preparing the first request. */
  entraToConnectMs: number | null;
  /** Process start → first socket connect (in-process cold start; the table's cold start also counts spawning and the TLS handshake). */
  firstConnectMs: number;
  exitMs: number;
}

// ---------------------------------------------------------------- results

/** One run's requests, in ms from the spawn of the step: where the time goes. */
interface TimelineEntry {
  service: ServiceName;
  method: string;
  path: string;
  startMs: number;
  endMs: number | null;
  status: number;
}

/** The requests of the run whose wall time is the median. */
function medianTimeline(measured: Measured[]): { wallMs: number; requests: TimelineEntry[] } {
  const sorted = [...measured].sort((a, b) => a.wallMs - b.wallMs);
  const m = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!m) return { wallMs: Number.NaN, requests: [] };
  return {
    wallMs: round1(m.wallMs),
    requests: m.requests.map((r) => ({
      service: r.service,
      method: r.method,
      path: r.path,
      startMs: round1(r.start - m.started),
      endMs: r.end === undefined ? null : round1(r.end - m.started),
      status: r.status
    }))
  };
}

interface PathResult {
  id: AuthPath['id'];
  label: string;
  runs: number;
  wallMs: Summary;
  coldStartMs: Summary;
  /** Requests per login by endpoint (median over runs), and the range seen. */
  requests: Record<string, number>;
  requestsRange: Record<string, [number, number]>;
  bundleFilesLoaded: string[];
  entraCodeLoaded: boolean;
  timeline: { wallMs: number; requests: TimelineEntry[] };
  phases: Phases;
}

interface ScalingResult {
  registries: number;
  runs: number;
  wallMs: Summary;
  entraTokenRequests: [number, number];
  exchangesPerStep: [number, number];
  /** The most exchanges in flight at once, lowest over the runs. */
  maxExchangesInFlight: number;
  overlap: boolean;
  timeline: { wallMs: number; requests: TimelineEntry[] };
}

interface AzRow {
  id: string;
  label: string;
  status: 'measured' | 'failed' | 'not installed' | 'skipped';
  note: string;
  ms?: Summary;
  requests?: Record<string, number>;
  ratioToOurs?: number;
}

interface TableRow {
  id: string;
  cells: [string, string, string, string, string, string];
  met: boolean | null;
  values: Record<string, number | string | boolean | null>;
}

function median(values: number[]): number {
  return summarize(values).median;
}

function requestSummary(perRun: Partial<Record<ServiceName, number>>[]): {
  requests: Record<string, number>;
  range: Record<string, [number, number]>;
} {
  const requests: Record<string, number> = {};
  const range: Record<string, [number, number]> = {};
  for (const { service } of ENDPOINTS) {
    const counts = perRun.map((c) => c[service] ?? 0);
    requests[service] = median(counts);
    range[service] = [Math.min(...counts), Math.max(...counts)];
  }
  return { requests, range };
}

function requestText(requests: Record<string, number>, range?: Record<string, [number, number]>): string {
  const asked = (service: string): boolean => (range?.[service]?.[1] ?? requests[service] ?? 0) > 0;
  // Instance discovery is shown as 0 too wherever Entra ID was asked: that is what the target is about.
  const entra = asked('entra-metadata') || asked('entra-token');
  const parts = ENDPOINTS.filter(({ service }) => asked(service) || (entra && service === 'instance-discovery')).map(
    ({ service, short }) => {
      const r = range?.[service];
      return `${short} ${r && r[0] !== r[1] ? `${r[0]}–${r[1]}` : String(requests[service] ?? 0)}`;
    }
  );
  if ((requests['arm'] ?? 0) > 0) parts.push(`ARM ${requests['arm']}`);
  return parts.length > 0 ? parts.join(' · ') : 'none';
}

function bundleFiles(dir: string): { file: string; bytes: number }[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  // Each other entry point (command line, credential helper) is a directory bundle behind a tiny launcher file.
  const entryPoints = readdirSync(abs, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(abs, entry.name, 'index.js')))
    .map((entry) => `${entry.name}/index.js`);
  const files = readdirSync(abs).filter((f) => f.endsWith('.js') && statSync(join(abs, f)).size >= 1024);
  return [...files, ...entryPoints]
    .sort((a, b) => (a === 'index.js' ? -1 : b === 'index.js' ? 1 : a.localeCompare(b)))
    .map((f) => ({ file: `${dir}/${f}`, bytes: statSync(join(abs, f)).size }));
}

function machine(): Record<string, string | number> {
  const cpuModel = (readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? cpus()[0]?.model ?? 'unknown').trim();
  return {
    node: process.version,
    cpus: cpus().length,
    cpuModel,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB (${(freemem() / 1024 ** 3).toFixed(1)} GiB free)`,
    os: `${process.platform} ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()}`,
    loadAverageAtStart: loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')
  };
}

// ---------------------------------------------------------------- the benchmark

/** The floor: a node process whose only line sends one request (spawn → first request, spawn → exit). */
const BASELINE = `require('node:http').get(process.env.ACR_LOGIN_BENCH_URL, (res) => res.resume());\n`;

async function runBaseline(world: World): Promise<{ wallMs: number; coldStartMs: number }> {
  const script = join(jobsDir, 'baseline.js');
  if (!existsSync(script)) writeFileSync(script, BASELINE);
  const registry = world.registries.armAllowed;
  const mark = world.requests.mark();
  const started = nowMs();
  const run = await runNode(script, {
    env: { PATH: '/usr/bin:/bin', ACR_LOGIN_BENCH_URL: `${registry.url}/oauth2/token?service=${registry.loginServer}` },
    timeoutMs: 30000
  });
  const ended = nowMs();
  const requests = world.requests.since(mark);
  if (run.exitCode !== 0 || requests.length !== 1) throw new Error(`the baseline script failed: ${run.log}`);
  return { wallMs: ended - started, coldStartMs: (requests[0] as RequestLogEntry).start - started };
}

interface Baseline {
  wallMs: Summary;
  coldStartMs: Summary;
}

async function measurePaths(world: World, args: Args, log: (s: string) => void): Promise<{ paths: PathResult[]; baseline: Baseline }> {
  const registry = world.registries.armAllowed;
  const samples = new Map<AuthPath['id'], Measured[]>(AUTH_PATHS.map((p) => [p.id, []]));
  const run = (path: AuthPath): Promise<Measured> =>
    runMain(world, args, { registry: registry.url, ...path.inputs(world) }, newJob(world, path.env(world)).env);
  // One warm-up run per path (page cache, first TLS key generation), then the runs interleaved
  // path by path so that background load spreads evenly over the paths.
  const baseline: { wallMs: number; coldStartMs: number }[] = [];
  await runBaseline(world);
  for (const path of AUTH_PATHS) await run(path);
  for (let i = 0; i < args.runs; i++) {
    baseline.push(await runBaseline(world));
    for (const path of AUTH_PATHS) samples.get(path.id)?.push(await run(path));
    log(`  auth paths: run ${i + 1}/${args.runs}`);
  }
  const preloadPath = join(jobsDir, 'bench-preload.js');
  writeFileSync(preloadPath, PRELOAD);
  const distAbs = join(ROOT, args.dist);
  const results: PathResult[] = [];
  const preloadRuns = args.quick ? 1 : 5;
  for (const path of AUTH_PATHS) {
    const out = join(jobsDir, `preload-${path.id}.json`);
    const observed: { loaded: string[]; at: Record<string, number> }[] = [];
    for (let i = 0; i < preloadRuns; i++) {
      const job = newJob(world, { ...path.env(world), NODE_OPTIONS: `--require ${preloadPath}`, ACR_LOGIN_BENCH_PRELOAD_OUT: out });
      await runMain(world, args, { registry: registry.url, ...path.inputs(world) }, job.env);
      observed.push(JSON.parse(readFileSync(out, 'utf8')) as { loaded: string[]; at: Record<string, number> });
    }
    const loaded = [...new Set(observed.flatMap((o) => o.loaded))].filter((f) => f.startsWith(distAbs + '/')).map((f) => relative(ROOT, f));
    const phase = (f: (at: Record<string, number>) => number | undefined): number | null => {
      const values = observed.map((o) => f(o.at)).filter((v): v is number => v !== undefined && Number.isFinite(v));
      return values.length > 0 ? round1(median(values)) : null;
    };
    const chunk = (at: Record<string, number>): boolean =>
      at['chunkStart'] !== undefined && at['chunkStart'] < (at['firstConnect'] ?? Infinity);
    const phases: Phases = {
      nodeStartMs: phase((at) => at['bundleStart']) ?? Number.NaN,
      bundleMs: phase((at) => ((chunk(at) ? at['chunkStart'] : at['firstConnect']) ?? Number.NaN) - (at['bundleStart'] ?? 0)) ?? Number.NaN,
      chunkLoadMs: phase((at) => (chunk(at) ? (at['chunkLoaded'] ?? Number.NaN) - (at['chunkStart'] ?? 0) : undefined)),
      entraToConnectMs: phase((at) => (chunk(at) ? (at['firstConnect'] ?? Number.NaN) - (at['chunkLoaded'] ?? 0) : undefined)),
      firstConnectMs: phase((at) => at['firstConnect']) ?? Number.NaN,
      exitMs: phase((at) => at['exit']) ?? Number.NaN
    };
    const measured = samples.get(path.id) ?? [];
    const { requests, range } = requestSummary(measured.map((m) => countBy(m.requests)));
    results.push({
      id: path.id,
      label: path.label,
      runs: measured.length,
      wallMs: summarize(measured.map((m) => m.wallMs)),
      coldStartMs: summarize(measured.map((m) => m.coldStartMs)),
      requests,
      requestsRange: range,
      bundleFilesLoaded: loaded,
      timeline: medianTimeline(measured),
      entraCodeLoaded: loaded.some((f) => !f.endsWith('/index.js')),
      phases
    });
  }
  return {
    paths: results,
    baseline: { wallMs: summarize(baseline.map((b) => b.wallMs)), coldStartMs: summarize(baseline.map((b) => b.coldStartMs)) }
  };
}

async function measureScaling(world: World, args: Args, log: (s: string) => void): Promise<ScalingResult[]> {
  const most = Math.max(...args.registryCounts);
  const registries: RegistryRef[] = [];
  const standIns: AcrStandIn[] = [];
  try {
    // Exchange-only login servers (no docker-registry behind them: the step only talks to /oauth2/exchange)
    // that answer after EXCHANGE_DELAY_MS, as a remote registry does. On loopback an exchange takes about
    // 1 ms, and serial exchanges could not be told from concurrent ones.
    const started = await Promise.allSettled(
      Array.from({ length: most }, (_, i) =>
        AcrStandIn.start({
          dir: join(jobsDir, `acr-${i}`),
          log: world.requests,
          entra: world.entra,
          host: '127.0.0.1',
          startRegistry: false,
          exchangeDelayMs: EXCHANGE_DELAY_MS
        })
      )
    );
    for (const result of started) if (result.status === 'fulfilled') standIns.push(result.value);
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    for (const acr of standIns) {
      acr.assignRole(world.secretApp.objectId, 'AcrPush');
      registries.push({ loginServer: acr.loginServer, url: acr.url, host: acr.host, port: acr.port, acr });
    }
    const sp = AUTH_PATHS.find((p) => p.id === 'sp-secret') as AuthPath;
    const results: ScalingResult[] = [];
    const perCount = new Map<number, Measured[]>(args.registryCounts.map((n) => [n, []]));
    const run = (n: number): Promise<Measured> =>
      runMain(
        world,
        args,
        {
          ...sp.inputs(world),
          registry: registries
            .slice(0, n)
            .map((r) => r.url)
            .join('\n')
        },
        newJob(world).env
      );
    for (const n of args.registryCounts) await run(n);
    for (let i = 0; i < args.scalingRuns; i++) {
      for (const n of args.registryCounts) perCount.get(n)?.push(await run(n));
      log(`  scaling: run ${i + 1}/${args.scalingRuns}`);
    }
    for (const n of args.registryCounts) {
      const measured = perCount.get(n) ?? [];
      const tokens = measured.map((m) => m.requests.filter((r) => r.service === 'entra-token').length);
      const exchanges = measured.map((m) => m.requests.filter((r) => r.service === 'acr-exchange'));
      const inFlight = exchanges.map((e) => maxInFlight(e));
      results.push({
        registries: n,
        runs: measured.length,
        wallMs: summarize(measured.map((m) => m.wallMs)),
        entraTokenRequests: [Math.min(...tokens), Math.max(...tokens)],
        exchangesPerStep: [Math.min(...exchanges.map((e) => e.length)), Math.max(...exchanges.map((e) => e.length))],
        maxExchangesInFlight: Math.min(...inFlight),
        overlap: n > 1 && Math.min(...inFlight) > 1,
        timeline: medianTimeline(measured)
      });
    }
    return results;
  } finally {
    await Promise.allSettled(standIns.map((acr) => acr.close()));
  }
}

async function measureAzureCli(
  world: World,
  args: Args,
  ours: { spWallMs: number; coldStartMs: number },
  log: (s: string) => void
): Promise<{ version: string | null; rows: AzRow[] }> {
  const labels = {
    version: '`az version` (start-up only)',
    'version-fresh': '`az version`, first call in a fresh config dir',
    login: '`az login --service-principal`',
    acr: '`az acr login --expose-token`',
    total: '`az login` + `az acr login`'
  };
  const rowsFor = (status: AzRow['status'], note: string): AzRow[] =>
    Object.entries(labels).map(([id, label]) => ({ id: `az:${id}`, label: `Azure CLI ${label}`, status, note }));
  if (!args.az) return { version: null, rows: rowsFor('skipped', args.quick ? 'skipped (--quick)' : 'skipped (--no-az)') };
  const az = azPath();
  if (!az) return { version: null, rows: rowsFor('not installed', AZ_NOT_INSTALLED) };
  const version = await azVersion(az);
  const rows: AzRow[] = [];
  const baseDir = mkdtempSync(join(jobsDir, 'az-'));

  // Start-up: `az version` in an empty private config dir, after one warm-up run.
  const versionDir = join(baseDir, 'version');
  mkdirSync(versionDir);
  await runAz(az, ['version', '-o', 'none'], azEnv(versionDir));
  const versionRuns: number[] = [];
  for (let i = 0; i < args.azRuns; i++) {
    const r = await runAz(az, ['version', '-o', 'none'], azEnv(versionDir));
    if (!r.ok) throw new Error(`az version failed: ${r.stderr}`);
    versionRuns.push(r.ms);
  }
  log('  Azure CLI: az version');
  const versionSummary = summarize(versionRuns);
  rows.push({
    id: 'az:version',
    label: `Azure CLI ${labels.version}`,
    status: 'measured',
    note: 'warm: command index cached in the config dir',
    ms: versionSummary,
    ratioToOurs: versionSummary.median / ours.spWallMs
  });
  // A fresh AZURE_CONFIG_DIR each time: the first call of a job builds the command index.
  const freshRuns: number[] = [];
  for (let i = 0; i < Math.min(args.azRuns, 3); i++) {
    const dir = join(baseDir, `fresh-${i}`);
    mkdirSync(dir);
    const r = await runAz(az, ['version', '-o', 'none'], azEnv(dir));
    if (!r.ok) throw new Error(`az version failed: ${r.stderr}`);
    freshRuns.push(r.ms);
  }
  const freshSummary = summarize(freshRuns);
  rows.push({
    id: 'az:version-fresh',
    label: `Azure CLI ${labels['version-fresh']}`,
    status: 'measured',
    note: 'cold: builds the command index',
    ms: freshSummary,
    ratioToOurs: freshSummary.median / ours.spWallMs
  });

  // The login itself, against the stand-ins.
  let standIns: AzStandIns | undefined;
  try {
    standIns = await startAzStandIns(world, world.registries.armAllowed, join(baseDir, 'stand-ins'));
    const template = join(baseDir, 'template');
    mkdirSync(template);
    const setup = [
      ['cloud', 'register', '-n', 'AcrLoginBench', ...standIns.cloudArgs],
      ['cloud', 'set', '-n', 'AcrLoginBench']
    ];
    for (const cmd of setup) {
      const r = await runAz(az, cmd, standIns.env(template));
      if (!r.ok) throw new Error(`az ${cmd.slice(0, 2).join(' ')} failed: ${r.stderr.trim().split('\n').pop() ?? ''}`);
    }
    const loginRuns: number[] = [];
    const acrRuns: number[] = [];
    const totals: number[] = [];
    const loginRequests: Partial<Record<ServiceName | 'arm', number>>[] = [];
    const acrRequests: Partial<Record<ServiceName | 'arm', number>>[] = [];
    const counts = (entries: RequestLogEntry[], armBefore: number): Partial<Record<ServiceName | 'arm', number>> => ({
      ...countBy(entries),
      arm: (standIns as AzStandIns).armRequests.length - armBefore
    });
    for (let i = 0; i < args.azRuns + 1; i++) {
      const dir = join(baseDir, `run-${i}`);
      cpSync(template, dir, { recursive: true });
      const env = standIns.env(dir);
      let mark = world.requests.mark();
      let armMark = standIns.armRequests.length;
      const login = await runAz(
        az,
        [
          'login',
          '--service-principal',
          '-u',
          world.secretApp.clientId,
          '-p',
          world.secretApp.secret,
          '--tenant',
          world.tenantId,
          '-o',
          'none'
        ],
        env
      );
      if (!login.ok) throw new Error(`az login failed: ${lastLine(login.stderr)}`);
      const loginCounts = counts(world.requests.since(mark), armMark);
      mark = world.requests.mark();
      armMark = standIns.armRequests.length;
      const acr = await runAz(az, ['acr', 'login', '-n', standIns.registryName, '--expose-token', '-o', 'json'], env);
      if (!acr.ok) throw new Error(`az acr login failed: ${lastLine(acr.stderr)}`);
      const token = (JSON.parse(acr.stdout) as { accessToken?: string }).accessToken ?? '';
      const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}') as { iss?: string };
      if (claims.iss !== 'Azure Container Registry') throw new Error('az acr login --expose-token returned no ACR refresh token');
      if (i === 0) continue; // warm-up
      loginRuns.push(login.ms);
      acrRuns.push(acr.ms);
      totals.push(login.ms + acr.ms);
      loginRequests.push(loginCounts);
      acrRequests.push(counts(world.requests.since(mark), armMark));
      log(`  Azure CLI: login run ${i}/${args.azRuns}`);
    }
    const med = (list: Partial<Record<string, number>>[]): Record<string, number> => {
      const keys = new Set(list.flatMap((c) => Object.keys(c)));
      return Object.fromEntries([...keys].map((k) => [k, median(list.map((c) => c[k] ?? 0))]));
    };
    const loginMedian = med(loginRequests);
    const acrMedian = med(acrRequests);
    const bothRequests = Object.fromEntries(
      [...new Set([...Object.keys(loginMedian), ...Object.keys(acrMedian)])].map((k) => [k, (loginMedian[k] ?? 0) + (acrMedian[k] ?? 0)])
    );
    const measured = (id: 'login' | 'acr' | 'total', runs: number[], requests: typeof loginMedian, note: string): AzRow => {
      const ms = summarize(runs);
      return {
        id: `az:${id}`,
        label: `Azure CLI ${labels[id]}`,
        status: 'measured',
        note,
        ms,
        requests,
        ratioToOurs: ms.median / ours.spWallMs
      };
    };
    rows.push(
      measured('login', loginRuns, loginMedian, 'against the stand-ins (registered cloud, ARM stand-in)'),
      measured('acr', acrRuns, acrMedian, 'against the stand-ins (https front of the same registry)'),
      measured('total', totals, bothRequests, 'what a job runs instead of one acr-login step')
    );
  } catch (error) {
    const note = `could not be pointed at the stand-ins (${(error as Error).message}); only the start-up is comparable`;
    for (const id of ['login', 'acr', 'total'] as const)
      rows.push({ id: `az:${id}`, label: `Azure CLI ${labels[id]}`, status: 'failed', note });
  } finally {
    await standIns?.close();
  }
  return { version, rows };
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .pop() ?? ''
  );
}

// ---------------------------------------------------------------- table

function buildTable(
  baseline: Baseline,
  paths: PathResult[],
  scaling: ScalingResult[],
  bundles: { file: string; bytes: number; note: string }[],
  az: AzRow[]
): { rows: TableRow[]; targets: { id: string; description: string; met: boolean | null; detail: string }[] } {
  const rows: TableRow[] = [];
  const targets: { id: string; description: string; met: boolean | null; detail: string }[] = [];
  const timed = (s: Summary): string => `${ms(s.median)} (p90 ${ms(s.p90)})`;
  const byId = new Map(paths.map((p) => [p.id, p]));
  const sp = byId.get('sp-secret');
  const token = byId.get('scoped-token');
  const entraPaths = paths.filter((p) => p.id !== 'scoped-token');
  rows.push({
    id: 'reference:node',
    cells: [
      'reference: bare `node`, a one-line `http.get` script',
      timed(baseline.wallMs),
      timed(baseline.coldStartMs),
      'ACR token endpoint 1',
      "the floor: this machine's node start-up",
      '—'
    ],
    met: null,
    values: {
      wallMedianMs: baseline.wallMs.median,
      wallP90Ms: baseline.wallMs.p90,
      coldStartMedianMs: baseline.coldStartMs.median,
      coldStartP90Ms: baseline.coldStartMs.p90
    }
  });

  for (const p of paths) {
    const checks: [string, boolean][] = [[`cold start ≤ ${TARGETS.coldStartMs} ms`, p.coldStartMs.median <= TARGETS.coldStartMs]];
    if (p.id === 'sp-secret') checks.push([`wall ≤ ${TARGETS.spWallMs} ms`, p.wallMs.median <= TARGETS.spWallMs]);
    if (p.id === 'managed-identity') {
      checks.push([
        '1 token request',
        p.requestsRange['imds']?.[0] === 1 && p.requestsRange['imds']?.[1] === 1 && p.requestsRange['entra-token']?.[1] === 0
      ]);
    } else if (p.id !== 'scoped-token') {
      checks.push(['1 Entra token request', p.requestsRange['entra-token']?.[0] === 1 && p.requestsRange['entra-token']?.[1] === 1]);
    }
    if (p.id !== 'scoped-token') checks.push(['no instance discovery', (p.requestsRange['instance-discovery']?.[1] ?? 0) === 0]);
    if (p.id === 'scoped-token') {
      const fastest = Math.min(...entraPaths.map((e) => e.coldStartMs.median));
      checks.push(['no Entra code loaded', !p.entraCodeLoaded]);
      checks.push([`cold start below every Entra path's (${ms(fastest)})`, p.coldStartMs.median < fastest]);
    }
    const met = checks.every(([, ok]) => ok);
    const missed = checks.filter(([, ok]) => !ok).map(([d]) => d);
    rows.push({
      id: `path:${p.id}`,
      cells: [
        p.label,
        timed(p.wallMs),
        timed(p.coldStartMs),
        requestText(p.requests, p.requestsRange),
        checks.map(([d]) => d).join('; '),
        met ? 'met' : `not met: ${missed.join('; ')}`
      ],
      met,
      values: {
        wallMedianMs: p.wallMs.median,
        wallP90Ms: p.wallMs.p90,
        coldStartMedianMs: p.coldStartMs.median,
        coldStartP90Ms: p.coldStartMs.p90,
        runs: p.runs,
        entraCodeLoaded: p.entraCodeLoaded
      }
    });
  }

  const one = scaling.find((s) => s.registries === 1);
  for (const s of scaling) {
    const checks: [string, boolean][] = [['1 Entra token request', s.entraTokenRequests[0] === 1 && s.entraTokenRequests[1] === 1]];
    if (s.registries > 1) checks.push(['exchanges overlap', s.overlap]);
    if (s.registries >= 20 && one)
      checks.push([
        `< ${TARGETS.scalingFactor}× 1 registry (${ms(TARGETS.scalingFactor * one.wallMs.median)})`,
        s.wallMs.median < TARGETS.scalingFactor * one.wallMs.median
      ]);
    const met = checks.every(([, ok]) => ok);
    const factor = one ? s.wallMs.median / one.wallMs.median : Number.NaN;
    const exchanges = s.exchangesPerStep[0] === s.exchangesPerStep[1] ? String(s.exchangesPerStep[0]) : s.exchangesPerStep.join('–');
    const tokens = s.entraTokenRequests[0] === s.entraTokenRequests[1] ? String(s.entraTokenRequests[0]) : s.entraTokenRequests.join('–');
    rows.push({
      id: `scaling:${s.registries}`,
      cells: [
        `${s.registries} ${s.registries === 1 ? 'registry' : 'registries'} in one step (SP secret, exchanges answered after ${EXCHANGE_DELAY_MS} ms)`,
        `${timed(s.wallMs)}${s.registries > 1 ? `, ${factor.toFixed(2)}× 1 registry` : ''}`,
        '—',
        `Entra token ${tokens} · exchange ${exchanges}${s.registries > 1 ? ` (up to ${s.maxExchangesInFlight} in flight at once)` : ''}`,
        checks.map(([d]) => d).join('; '),
        met
          ? 'met'
          : `not met: ${checks
              .filter(([, ok]) => !ok)
              .map(([d]) => d)
              .join('; ')}`
      ],
      met,
      values: {
        registries: s.registries,
        wallMedianMs: s.wallMs.median,
        wallP90Ms: s.wallMs.p90,
        factorToOneRegistry: round1(factor * 100) / 100,
        entraTokenRequestsMax: s.entraTokenRequests[1],
        exchangesMax: s.exchangesPerStep[1],
        maxExchangesInFlight: s.maxExchangesInFlight,
        overlap: s.overlap
      }
    });
  }

  for (const b of bundles) {
    rows.push({
      id: `bundle:${b.file}`,
      cells: [`bundle \`${b.file}\``, bytes(b.bytes), '—', '—', b.note, '—'],
      met: null,
      values: { bytes: b.bytes }
    });
  }

  for (const a of az) {
    const result = a.ms ? `${timed(a.ms)} = ${ratio(a.ms.median, sp?.wallMs.median ?? Number.NaN)} our SP login` : a.note;
    const req = a.requests ? requestText(a.requests) : '—';
    rows.push({
      id: a.id,
      cells: [a.label, result, '—', req, a.ms ? a.note : '—', '—'],
      met: null,
      values: {
        status: a.status,
        medianMs: a.ms?.median ?? null,
        p90Ms: a.ms?.p90 ?? null,
        ratioToOurs: a.ratioToOurs === undefined ? null : round1(a.ratioToOurs * 10) / 10,
        note: a.note
      }
    });
  }

  // The issue's targets, one verdict each.
  const cold = entraPaths.concat(token ? [token] : []);
  targets.push({
    id: 'cold-start',
    description: `cold start to first request ≤ ${TARGETS.coldStartMs} ms`,
    met: cold.every((p) => p.coldStartMs.median <= TARGETS.coldStartMs),
    detail: cold.map((p) => `${p.id} ${ms(p.coldStartMs.median)}`).join(', ')
  });
  targets.push({
    id: 'sp-wall',
    description: `service-principal login to one registry ≤ ${TARGETS.spWallMs} ms wall`,
    met: sp ? sp.wallMs.median <= TARGETS.spWallMs : null,
    detail: sp ? `median ${ms(sp.wallMs.median)}, p90 ${ms(sp.wallMs.p90)}` : ''
  });
  const oneToken =
    entraPaths.every((p) =>
      p.id === 'managed-identity'
        ? p.requestsRange['imds']?.[1] === 1
        : p.requestsRange['entra-token']?.[0] === 1 && p.requestsRange['entra-token']?.[1] === 1
    ) && scaling.every((s) => s.entraTokenRequests[0] === 1 && s.entraTokenRequests[1] === 1);
  const noDiscovery = entraPaths.every((p) => (p.requestsRange['instance-discovery']?.[1] ?? 0) === 0);
  targets.push({
    id: 'one-token',
    description: 'exactly one Entra token request per step whatever the number of registries, no instance discovery',
    met: oneToken && noDiscovery,
    detail: `token requests per step: ${scaling.map((s) => `${s.registries} reg → ${s.entraTokenRequests[1]}`).join(', ')}; instance discovery: ${noDiscovery ? 'none' : 'seen'}`
  });
  const fastestEntra = Math.min(...entraPaths.map((e) => e.coldStartMs.median));
  targets.push({
    id: 'lazy-entra',
    description: 'the username/password path never loads the Entra code, and is measurably faster for it',
    met: token ? !token.entraCodeLoaded && token.coldStartMs.median < fastestEntra : null,
    detail: token
      ? `loads ${token.bundleFilesLoaded.join(', ')}; cold start ${ms(token.coldStartMs.median)} vs ${ms(fastestEntra)} for the fastest Entra path`
      : ''
  });
  const twenty = scaling.find((s) => s.registries === Math.max(...scaling.map((x) => x.registries)));
  targets.push({
    id: 'concurrent-exchanges',
    description: `exchanges run concurrently: ${twenty?.registries ?? 20} registries take less than ${TARGETS.scalingFactor}× one registry`,
    met: twenty && one && twenty.registries > 1 ? twenty.overlap && twenty.wallMs.median < TARGETS.scalingFactor * one.wallMs.median : null,
    detail:
      twenty && one
        ? `${ms(twenty.wallMs.median)} vs ${ms(one.wallMs.median)} (${(twenty.wallMs.median / one.wallMs.median).toFixed(2)}×), up to ${twenty.maxExchangesInFlight} exchanges in flight`
        : ''
  });
  return { rows, targets };
}

function markdown(rows: TableRow[]): string {
  const header = ['measurement', 'result: median (p90)', 'cold start: median (p90)', 'requests per step', 'target', 'status'];
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.cells.map(esc).join(' | ')} |`)
  ].join('\n');
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  if (!existsSync(join(ROOT, args.dist, 'index.js'))) throw new Error(`${args.dist}/index.js does not exist: run npm run build`);
  const info = machine();
  const began = nowMs();
  jobsDir = mkdtempSync(join(tmpdir(), 'acr-login-bench-'));
  log(
    `acr-login benchmark${args.quick ? ' (--quick)' : ''}: ${args.runs} runs per auth path, bundle ${args.dist}/, node ${process.version}`
  );
  const world = await startWorld();
  try {
    log('  stand-ins up');
    const { paths, baseline } = await measurePaths(world, args, log);
    const scaling = await measureScaling(world, args, log);
    const sp = paths.find((p) => p.id === 'sp-secret');
    const az = await measureAzureCli(
      world,
      args,
      { spWallMs: sp?.wallMs.median ?? Number.NaN, coldStartMs: sp?.coldStartMs.median ?? Number.NaN },
      log
    );
    log('  Azure CLI done');
    const loadedBy = (file: string): string[] => paths.filter((p) => p.bundleFilesLoaded.includes(file)).map((p) => p.id);
    const bundles = [...bundleFiles(args.dist), ...bundleFiles('task/dist')].map((b) => {
      const by = loadedBy(b.file);
      const chunk = /\/\d+\.index\.js$/.test(b.file);
      const entryPoint = /dist\/([a-z-]+)\/index\.js$/.exec(b.file)?.[1];
      const note = entryPoint
        ? `${entryPoint} entry point (not run here)`
        : b.file.startsWith('task/')
          ? b.file.endsWith('/index.js')
            ? 'Azure Pipelines task, main (not run here)'
            : chunk
              ? 'Azure Pipelines task, lazy chunk'
              : 'Azure Pipelines task (not run here)'
          : b.file.endsWith('/post.js')
            ? 'post step (logout; not run here)'
            : !chunk && !b.file.endsWith('/index.js')
              ? 'another entry point (not run here)'
              : by.length === paths.length
                ? 'main step: loaded at start by every path'
                : by.length > 0
                  ? `lazy chunk, loaded by ${by.join(', ')}`
                  : 'lazy chunk, loaded by none of these paths';
      return { ...b, note };
    });
    const { rows, targets } = buildTable(baseline, paths, scaling, bundles, az.rows);
    const finished = {
      loadAverageAtEnd: loadavg()
        .map((l) => l.toFixed(2))
        .join(' '),
      durationS: round1((nowMs() - began) / 1000)
    };
    const table = markdown(rows);
    const machineLine = `Node ${info.node} · ${info.cpus} × ${info.cpuModel} · ${info.memory} · load average ${info.loadAverageAtStart} at start, ${finished.loadAverageAtEnd} at end`;
    const phaseLines = paths.map((p) => {
      const f = p.phases;
      const parts = [`node start-up ${ms(f.nodeStartMs)}`, `action bundle ${ms(f.bundleMs)}`];
      if (f.chunkLoadMs !== null)
        parts.push(
          `Entra chunk load ${ms(f.chunkLoadMs)}`,
          `@azure/identity + MSAL to the first socket ${ms(f.entraToConnectMs ?? Number.NaN)}`
        );
      return `- ${p.label}: ${parts.join(' + ')} = first connect at ${ms(f.firstConnectMs)}; exit at ${ms(f.exitMs)}`;
    });
    const targetLines = targets.map((t) => `- ${t.met === null ? 'n/a' : t.met ? 'met' : 'NOT MET'}: ${t.description} (${t.detail})`);
    process.stdout.write(
      [
        '',
        `acr-login benchmark — ${new Date().toISOString()}${args.quick ? ' — quick run, not for publishing' : ''}`,
        machineLine,
        `${args.runs} runs per auth path after one warm-up, interleaved; ${args.registryCounts.length ? `${args.scalingRuns} runs per registry count; ` : ''}login: config; Azure CLI ${az.version ?? '—'}`,
        '',
        table,
        '',
        `Where the cold start goes (in-process, ms since the process started; ${args.quick ? 'one extra run' : 'median of 5 extra runs'} with a --require preload):`,
        ...phaseLines,
        '',
        'Targets:',
        ...targetLines,
        ''
      ].join('\n')
    );
    if (args.json) {
      const doc = {
        generatedAt: new Date().toISOString(),
        command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
        machine: { ...info, ...finished },
        options: {
          quick: args.quick,
          runs: args.runs,
          dist: args.dist,
          registryCounts: args.registryCounts,
          scalingRuns: args.scalingRuns,
          azRuns: args.azRuns
        },
        azureCli: { version: az.version, rows: az.rows },
        baseline,
        paths,
        scaling,
        bundles,
        targets,
        table: { columns: ['measurement', 'result', 'cold start', 'requests per step', 'target', 'status'], rows, markdown: table }
      };
      mkdirSync(join(args.json, '..'), { recursive: true });
      writeFileSync(args.json, `${JSON.stringify(doc, null, 2)}\n`);
      log(`  wrote ${args.json}`);
    }
  } finally {
    await world.close();
    rmSync(jobsDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
