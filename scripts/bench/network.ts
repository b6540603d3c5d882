// The network mode: the stand-ins behind a simulated distance (test/support/network-relay.ts: every chunk
// delayed RTT/2 each way, a new connection's first client bytes one RTT more, below TLS), at each --rtt. In each
// round every row runs once, order alternating: the default logins (login: auto, the docker CLI on PATH and a
// docker engine to talk to), the service principal in config mode, and two anchors run as the runner runs a step:
// docker/login-action's admin login (`docker login`) and Azure/docker-login's file-only write. Per row: the times,
// and the connections, TLS handshakes, flights and serial round trips the relays saw. Targets are ratios of
// rows of the same run.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadavg } from 'node:os';
import { runStep } from '../../test/support/action-runner';
import { startDockerEngine, DOCKER_HOST_ENV, type DockerEngine } from '../../test/support/docker-engine';
import { SimulatedNetwork, type RoundTrips } from '../../test/support/network-relay';
import { resolverHookEnv } from '../../test/support/resolver-hook-env';
import { nowMs } from '../../test/support/request-log';
import { startWorld, type World } from '../../test/support/world';
import { ROOT } from './builds';
import { newJob, runBundle, type Bench } from './jobs';
import type { Build } from './results';
import { median, ms, pairedRatios, round1, summarize, times, type RatioSummary, type Summary } from './stats';
import type { Target } from './targets';

export type RowId =
  'sp-default' | 'sp-config' | 'admin-default' | 'anchor-login-action' | 'anchor-login-action-floor' | 'anchor-docker-login';

interface RowSpec {
  id: RowId;
  label: string;
  /** The build that runs it; undefined for an anchor. */
  build?: Build;
  run(bench: Bench, docker: Record<string, string>): Promise<{ wallMs: number; coldStartMs: number }>;
}

export interface NetworkRow {
  id: RowId;
  label: string;
  build: Build['role'] | 'anchor';
  wallMs: Summary;
  coldStartMs: Summary;
  /** Median over the runs, and the range seen. */
  roundTrips: RoundTrips;
  roundTripsRange: Record<'connections' | 'tlsHandshakes' | 'flights' | 'serialRoundTrips', [number, number]>;
}

export interface NetworkRun {
  rttMs: number;
  runs: number;
  rows: NetworkRow[];
  loadAverages: number[];
}

export const NETWORK_LIMITS = {
  /** At 30 ms: the default logins against docker/login-action's admin login. */
  distant: { sp: 0.65, admin: 0.4 },
  /** On loopback: the default service principal against docker/login-action, config mode against Azure/docker-login. */
  loopback: { sp: 0.75, spConfig: 1.25 },
  /** Against the previous build, per row (as the bench judges noise: over only when the interval is above 1). */
  previousBuild: 1.05
};

const admin = (w: World): Record<string, string> => ({ username: w.admin.username, password: w.admin.password });
// Entra ID where a login with the default inputs finds it (the world's publicAuthority): no authority-host input.
const sp = (w: World): Record<string, string> => ({
  'client-id': w.secretApp.clientId,
  'tenant-id': w.tenantId,
  'client-secret': w.secretApp.secret
});

/**
 * A fresh job whose node resolves the stand-ins' names through the resolver hook: every row's, the anchors' too, so
 * that the preload weighs the same in every ratio whether or not the step resolves a name.
 */
function networkJob(bench: Bench, extra: Record<string, string>): Record<string, string> {
  return newJob(bench, { ...extra, ...resolverHookEnv(bench.world.authorityHostsFile) });
}

function productRows(build: Build): RowSpec[] {
  const product = (id: RowId, label: string, inputs: (w: World) => Record<string, string>): RowSpec => ({
    id,
    label: `${label} (${build.role})`,
    build,
    run: async (bench, docker) => {
      const registry = bench.world.registries.armAllowed.url;
      const m = await runBundle(bench, build, { registry, ...inputs(bench.world) }, networkJob(bench, docker));
      return { wallMs: m.wallMs, coldStartMs: m.coldStartMs };
    }
  });
  return [
    // login: auto is action.yml's default, what a workflow that names no login input gets.
    product('sp-default', 'service principal, default login', (w) => ({ ...sp(w), login: 'auto' })),
    product('sp-config', 'service principal, login: config', (w) => ({ ...sp(w), login: 'config' })),
    product('admin-default', 'admin user, default login', (w) => ({ ...admin(w), login: 'auto' }))
  ];
}

function anchorRows(): RowSpec[] {
  const step = async (bench: Bench, script: string, inputs: Record<string, string>, env: Record<string, string>) => {
    const inputEnv = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));
    const mark = bench.world.requests.mark();
    const started = nowMs();
    const result = await runStep(script, { ...networkJob(bench, env), ...inputEnv }, undefined, bench.node);
    const ended = nowMs();
    if (result.exitCode !== 0) throw new Error(`the ${script} anchor failed: ${result.log.slice(-2000)}`);
    const first = Math.min(...bench.world.requests.since(mark).map((r) => r.start));
    return { wallMs: ended - started, coldStartMs: Number.isFinite(first) ? first - started : Number.NaN };
  };
  const loginAction = unpackLoginAction();
  return [
    {
      id: 'anchor-login-action',
      label: 'docker/login-action, admin user (docker login)',
      run: (bench, docker) =>
        step(
          bench,
          loginAction,
          // action.yml's defaults, as the runner passes them.
          {
            registry: bench.world.registries.armAllowed.loginServer,
            ...admin(bench.world),
            ecr: '',
            scope: '',
            logout: 'true',
            'registry-auth': ''
          },
          docker
        )
    },
    {
      id: 'anchor-login-action-floor',
      label: 'docker/login-action reduced to its docker login (lower bound)',
      run: (bench, docker) =>
        step(
          bench,
          join(ANCHORS, 'login-action.js'),
          { registry: bench.world.registries.armAllowed.loginServer, ...admin(bench.world) },
          docker
        )
    },
    {
      id: 'anchor-docker-login',
      label: 'Azure/docker-login (writes the file)',
      run: (bench) =>
        step(
          bench,
          join(ANCHORS, 'docker-login.js'),
          { 'login-server': bench.world.registries.armAllowed.loginServer, ...admin(bench.world) },
          {}
        )
    }
  ];
}

const ANCHORS = join('scripts', 'bench', 'anchors');

/** docker/login-action's published bundle (anchors/docker-login-action/SOURCE.md), unpacked under build/; its path from the root. */
function unpackLoginAction(): string {
  const script = join('build', 'bench-anchors', 'docker-login-action', 'index.cjs');
  mkdirSync(dirname(join(ROOT, script)), { recursive: true });
  writeFileSync(join(ROOT, script), gunzipSync(readFileSync(join(ROOT, ANCHORS, 'docker-login-action', 'index.cjs.gz'))));
  return script;
}

type CountKey = 'connections' | 'tlsHandshakes' | 'flights' | 'serialRoundTrips';

export async function measureNetwork(
  dir: string,
  builds: Build[],
  options: { rtts: number[]; runs: number; node?: string },
  log: (line: string) => void
): Promise<NetworkRun[]> {
  if (options.rtts.length === 0) return [];
  let engine: DockerEngine | undefined;
  const shared = process.env[DOCKER_HOST_ENV];
  if (!shared) {
    engine = await startDockerEngine();
    log(`  docker engine up (${engine.host})`);
  }
  const docker = { DOCKER_HOST: shared ?? (engine as DockerEngine).host };
  try {
    const results: NetworkRun[] = [];
    for (const rttMs of options.rtts) {
      const network = new SimulatedNetwork(rttMs);
      const world = await startWorld({ network, publicAuthority: true });
      try {
        results.push(await measureAt(rttMs, network, { world, dir, node: options.node }, builds, docker, options.runs, log));
      } finally {
        await world.close();
      }
    }
    return results;
  } finally {
    await engine?.stop();
  }
}

async function measureAt(
  rttMs: number,
  network: SimulatedNetwork,
  bench: Bench,
  builds: Build[],
  docker: Record<string, string>,
  runs: number,
  log: (line: string) => void
): Promise<NetworkRun> {
  const specs = [...builds.flatMap(productRows), ...anchorRows()];
  const samples = new Map(specs.map((s) => [s, [] as { wallMs: number; coldStartMs: number; trips: RoundTrips }[]]));
  const once = async (spec: RowSpec): Promise<{ wallMs: number; coldStartMs: number; trips: RoundTrips }> => {
    const mark = network.mark();
    const timed = await spec.run(bench, docker);
    return { ...timed, trips: network.since(mark) };
  };
  for (const spec of specs) await once(spec); // warm-up
  const loadAverages: number[] = [];
  for (let i = 0; i < runs; i++) {
    for (const spec of i % 2 === 0 ? specs : [...specs].reverse()) samples.get(spec)?.push(await once(spec));
    loadAverages.push(loadavg()[0] ?? Number.NaN);
    log(`  network ${rttMs} ms: round ${i + 1}/${runs}`);
  }
  const rows = specs.map((spec): NetworkRow => {
    const s = samples.get(spec) ?? [];
    const range = (key: CountKey): [number, number] => [Math.min(...s.map((x) => x.trips[key])), Math.max(...s.map((x) => x.trips[key]))];
    return {
      id: spec.id,
      label: spec.label,
      build: spec.build?.role ?? 'anchor',
      wallMs: summarize(s.map((x) => x.wallMs)),
      coldStartMs: summarize(s.map((x) => x.coldStartMs)),
      roundTrips: {
        connections: median(s.map((x) => x.trips.connections)),
        tlsHandshakes: median(s.map((x) => x.trips.tlsHandshakes)),
        flights: median(s.map((x) => x.trips.flights)),
        serialRoundTrips: median(s.map((x) => x.trips.serialRoundTrips)),
        byTarget: s[s.length - 1]?.trips.byTarget ?? {}
      },
      roundTripsRange: {
        connections: range('connections'),
        tlsHandshakes: range('tlsHandshakes'),
        flights: range('flights'),
        serialRoundTrips: range('serialRoundTrips')
      }
    };
  });
  return { rttMs, runs, rows, loadAverages };
}

/** Run-by-run ratio of two rows' wall times. */
function ratioOf(
  run: NetworkRun,
  a: RowId,
  aBuild: NetworkRow['build'],
  b: RowId,
  bBuild: NetworkRow['build'],
  confidence = 0.95
): RatioSummary | undefined {
  const x = run.rows.find((r) => r.id === a && r.build === aBuild);
  const y = run.rows.find((r) => r.id === b && r.build === bBuild);
  return x && y ? pairedRatios(x.wallMs.samples, y.wallMs.samples, confidence) : undefined;
}

export function networkTargets(runs: NetworkRun[], quick: boolean): Target[] {
  const targets: Target[] = [];
  const time = (id: string, description: string, ratio: RatioSummary | undefined, limit: number): void => {
    targets.push({
      id: `network-${id}`,
      kind: 'time',
      description,
      met: ratio === undefined ? null : ratio.median <= limit,
      noise: false,
      enforced: !quick,
      detail: ratio === undefined ? 'not run' : `${times(ratio.median)} [${times(ratio.low)}–${times(ratio.high)}], limit ${times(limit)}`
    });
  };
  for (const run of runs) {
    const at = `at ${run.rttMs} ms RTT`;
    if (run.rttMs >= 30) {
      time(
        `${run.rttMs}-sp`,
        `${at}: default service-principal login ≤ ${NETWORK_LIMITS.distant.sp}× docker/login-action's admin login`,
        ratioOf(run, 'sp-default', 'after', 'anchor-login-action', 'anchor'),
        NETWORK_LIMITS.distant.sp
      );
      time(
        `${run.rttMs}-admin`,
        `${at}: default admin login ≤ ${NETWORK_LIMITS.distant.admin}× docker/login-action's`,
        ratioOf(run, 'admin-default', 'after', 'anchor-login-action', 'anchor'),
        NETWORK_LIMITS.distant.admin
      );
    }
    if (run.rttMs === 0) {
      time(
        `0-sp`,
        `${at}: default service-principal login ≤ ${NETWORK_LIMITS.loopback.sp}× docker/login-action's admin login`,
        ratioOf(run, 'sp-default', 'after', 'anchor-login-action', 'anchor'),
        NETWORK_LIMITS.loopback.sp
      );
      time(
        `0-config`,
        `${at}: service principal, login: config ≤ ${NETWORK_LIMITS.loopback.spConfig}× Azure/docker-login's file-only write`,
        ratioOf(run, 'sp-config', 'after', 'anchor-docker-login', 'anchor'),
        NETWORK_LIMITS.loopback.spConfig
      );
    }
    const ids = [...new Set(run.rows.filter((r) => r.build === 'before').map((r) => r.id))];
    if (ids.length > 0) {
      const confidence = 1 - 0.05 / ids.length;
      const ratios = ids.map((id) => ({ id, ratio: ratioOf(run, id, 'after', id, 'before', confidence) as RatioSummary }));
      const over = ratios.filter((r) => r.ratio.median > NETWORK_LIMITS.previousBuild);
      targets.push({
        id: `network-${run.rttMs}-previous-build`,
        kind: 'time',
        description: `${at}: no row slower than the previous build by more than ${Math.round((NETWORK_LIMITS.previousBuild - 1) * 100)} %, run by run`,
        met: over.length === 0,
        noise: over.length > 0 && over.every((r) => r.ratio.low <= 1),
        enforced: !quick,
        detail: ratios.map((r) => `${r.id} ${times(r.ratio.median)} [${times(r.ratio.low)}–${times(r.ratio.high)}]`).join(', ')
      });
    }
  }
  return targets;
}

export const NETWORK_COLUMNS = [
  'RTT',
  'row',
  'wall (median)',
  'cold start',
  'connections',
  'TLS handshakes',
  'flights',
  'serial round trips',
  'vs docker/login-action',
  'vs its lower bound'
];

export function networkTable(runs: NetworkRun[]): string[][] {
  return runs.flatMap((run) =>
    run.rows.map((row) => {
      const anchor = ratioOf(run, row.id, row.build, 'anchor-login-action', 'anchor');
      const floor = ratioOf(run, row.id, row.build, 'anchor-login-action-floor', 'anchor');
      const count = (key: CountKey): string => {
        const [lo, hi] = row.roundTripsRange[key];
        return lo === hi ? String(lo) : `${row.roundTrips[key]} (${lo}–${hi})`;
      };
      return [
        `${run.rttMs} ms`,
        row.label,
        ms(row.wallMs.median),
        Number.isFinite(row.coldStartMs.median) ? ms(row.coldStartMs.median) : '—',
        count('connections'),
        count('tlsHandshakes'),
        count('flights'),
        count('serialRoundTrips'),
        anchor ? times(anchor.median) : '—',
        floor ? times(floor.median) : '—'
      ];
    })
  );
}

export function roundNetwork(runs: NetworkRun[]): unknown {
  return runs.map((run) => ({
    ...run,
    rows: run.rows.map((r) => ({ ...r, wallMs: { ...r.wallMs, median: round1(r.wallMs.median) } }))
  }));
}
