// The targets and their verdicts. Time targets are ratios of times taken in the same run (absolute
// milliseconds do not carry from one machine to another): each path against the bare-node floor run beside
// it, against the previous build run by run, the username/password path against the Entra paths, many
// registries against one. Count targets do not depend on the machine at all.
import { AUTH_PATHS } from './paths';
import type { Baseline, Comparison, PathResult, ScalingResult } from './results';
import { ms, pairedRatios, times } from './stats';

export const LIMITS = {
  /** Against the previous build: no path may cost more than 5 % more cold start or wall. */
  previousBuild: 1.05,
  /** Against the bare-node floor (median over median): 1.5× what a quiet machine shows (about 4× and 2×). */
  floor: { entra: { coldStart: 6, wall: 6 }, plain: { coldStart: 3, wall: 3 } },
  /** The most registries in one step against one registry. */
  scaling: 3
};

export type TargetId =
  'floor-cold-start' | 'floor-wall' | 'previous-build' | 'token-path-faster' | 'scaling' | 'lazy-entra' | 'one-token' | 'exchanges-overlap';

/** time: a ratio of times measured in this run; count: requests and files, whatever the machine. */
const KINDS: Record<TargetId, 'time' | 'count'> = {
  'floor-cold-start': 'time',
  'floor-wall': 'time',
  'previous-build': 'time',
  'token-path-faster': 'time',
  scaling: 'time',
  'lazy-entra': 'count',
  'one-token': 'count',
  'exchanges-overlap': 'count'
};

export interface Check {
  target: TargetId;
  text: string;
  ok: boolean;
  /** Missed, but the runs do not show the build slower at all: reported, never a failure. */
  noise?: boolean;
}

export interface Target {
  /** network-*: the network mode's (network.ts). */
  id: TargetId | `network-${string}`;
  kind: 'time' | 'count';
  description: string;
  /** null: nothing to check in this run (no second build). */
  met: boolean | null;
  /** Missed only within the noise (see againstPreviousBuild). */
  noise: boolean;
  /** A missed enforced target makes the benchmark exit non-zero; with --quick time targets are reported only. */
  enforced: boolean;
  detail: string;
}

export interface Measurements {
  baseline: Baseline;
  paths: PathResult[];
  /** The build under test against the previous one, per path; empty without a second build. */
  comparisons: Comparison[];
  scaling: ScalingResult[];
}

const usesEntra = (p: PathResult): boolean => AUTH_PATHS.find((a) => a.id === p.id)?.entra ?? true;
const floorLimit = (p: PathResult): { coldStart: number; wall: number } => (usesEntra(p) ? LIMITS.floor.entra : LIMITS.floor.plain);
const exactly = (range: [number, number] | undefined, n: number): boolean => range?.[0] === n && range[1] === n;

/** A path's medians over the floor's (the floor's one short process jitters too much to be paired run by run). */
export function toFloor(p: PathResult, baseline: Baseline): { coldStart: number; wall: number } {
  const two = (n: number): number => Math.round(n * 100) / 100;
  return { coldStart: two(p.coldStartMs.median / baseline.coldStartMs.median), wall: two(p.wallMs.median / baseline.wallMs.median) };
}

/**
 * Each path against the previous build, cold start and wall. Each interval is taken at 1 - 5 % / (their number),
 * 99.5 % for five paths, so that the run's ten intervals hold together at 95 % and a build compared with itself
 * rarely shows one of them above 1.
 */
export function compareBuilds(after: PathResult[], before: PathResult[]): Comparison[] {
  const confidence = 1 - 0.05 / (2 * after.filter((a) => before.some((b) => b.id === a.id)).length);
  return after.flatMap((a) => {
    const b = before.find((p) => p.id === a.id);
    if (!b) return [];
    const side = (key: 'coldStartMs' | 'wallMs'): Comparison['wall'] => ({
      before: b[key].median,
      after: a[key].median,
      ratio: pairedRatios(a[key].samples, b[key].samples, confidence)
    });
    return [
      {
        id: a.id,
        label: a.label,
        coldStart: side('coldStartMs'),
        wall: side('wallMs'),
        bytesLoaded: { before: b.bytesLoaded, after: a.bytesLoaded },
        cpuMs: { before: b.phases.cpuMs, after: a.phases.cpuMs }
      }
    ];
  });
}

/**
 * 'within' the limit (both medians of the run-by-run ratios), 'over' it, or over it only within the noise:
 * no side over the limit has the confidence interval of its median ratio above 1, i.e. the runs do not even
 * show this build slower than the previous one (identical builds land there on a busy machine).
 */
export function againstPreviousBuild(c: Comparison): 'within' | 'over' | 'noise' {
  const over = [c.coldStart.ratio, c.wall.ratio].filter((r) => r.median > LIMITS.previousBuild);
  if (over.length === 0) return 'within';
  return over.some((r) => r.low > 1) ? 'over' : 'noise';
}

export function pathChecks(p: PathResult, m: Measurements): Check[] {
  const limit = floorLimit(p);
  const floor = toFloor(p, m.baseline);
  const checks: Check[] = [
    { target: 'floor-cold-start', text: `cold start ≤ ${limit.coldStart}× floor`, ok: floor.coldStart <= limit.coldStart },
    { target: 'floor-wall', text: `wall ≤ ${limit.wall}× floor`, ok: floor.wall <= limit.wall }
  ];
  const c = m.comparisons.find((x) => x.id === p.id);
  if (c) {
    const standing = againstPreviousBuild(c);
    checks.push({
      target: 'previous-build',
      text: `≤ ${times(LIMITS.previousBuild)} previous build`,
      ok: standing === 'within',
      noise: standing === 'noise'
    });
  }
  if (p.id === 'managed-identity') {
    const ok = exactly(p.requestsRange['imds'], 1) && (p.requestsRange['entra-token']?.[1] ?? 0) === 0;
    checks.push({ target: 'one-token', text: '1 token request', ok });
  } else if (usesEntra(p)) {
    checks.push({ target: 'one-token', text: '1 Entra token request', ok: exactly(p.requestsRange['entra-token'], 1) });
  }
  if (usesEntra(p)) {
    checks.push({ target: 'one-token', text: 'no instance discovery', ok: (p.requestsRange['instance-discovery']?.[1] ?? 0) === 0 });
  } else {
    const fastest = Math.min(...m.paths.filter(usesEntra).map((e) => e.coldStartMs.median));
    checks.push({ target: 'lazy-entra', text: 'no Entra code loaded', ok: !p.entraCodeLoaded });
    checks.push({
      target: 'token-path-faster',
      text: `cold start below every Entra path's (${ms(fastest)})`,
      ok: p.coldStartMs.median < fastest
    });
  }
  return checks;
}

export function scalingChecks(s: ScalingResult, m: Measurements): Check[] {
  const one = m.scaling.find((x) => x.registries === 1);
  const most = Math.max(...m.scaling.map((x) => x.registries));
  const checks: Check[] = [{ target: 'one-token', text: '1 Entra token request', ok: exactly(s.entraTokenRequests, 1) }];
  if (s.registries > 1) checks.push({ target: 'exchanges-overlap', text: 'exchanges overlap', ok: s.overlap });
  if (s.registries === most && s.registries > 1 && one) {
    const ok = s.wallMs.median < LIMITS.scaling * one.wallMs.median;
    checks.push({ target: 'scaling', text: `< ${LIMITS.scaling}× 1 registry (${ms(LIMITS.scaling * one.wallMs.median)})`, ok });
  }
  return checks;
}

function describe(id: TargetId, m: Measurements): { description: string; detail: string } {
  const entra = m.paths.filter(usesEntra);
  const token = m.paths.find((p) => !usesEntra(p));
  const most = m.scaling.find((s) => s.registries === Math.max(...m.scaling.map((x) => x.registries)));
  const one = m.scaling.find((s) => s.registries === 1);
  const { entra: e, plain } = LIMITS.floor;
  const perPath = (f: (p: PathResult) => string): string => m.paths.map((p) => `${p.id} ${f(p)}`).join(', ');
  switch (id) {
    case 'floor-cold-start':
      return {
        description: `cold start within ${e.coldStart}× the bare-node floor's (the username/password path ${plain.coldStart}×), medians`,
        detail: `${perPath((p) => times(toFloor(p, m.baseline).coldStart))}; floor ${ms(m.baseline.coldStartMs.median)}`
      };
    case 'floor-wall':
      return {
        description: `wall within ${e.wall}× the bare-node floor's (the username/password path ${plain.wall}×), medians`,
        detail: `${perPath((p) => times(toFloor(p, m.baseline).wall))}; floor ${ms(m.baseline.wallMs.median)}`
      };
    case 'previous-build':
      return {
        description: `no path costs more than ${Math.round((LIMITS.previousBuild - 1) * 100)} % of its cold start or wall against the previous build, run by run`,
        detail:
          m.comparisons.length === 0
            ? 'no second build: give --compare DIR or --compare-ref REF'
            : m.comparisons.map((c) => `${c.id} ${times(c.coldStart.ratio.median)} / ${times(c.wall.ratio.median)}`).join(', ')
      };
    case 'token-path-faster':
      return {
        description: 'the username/password path starts faster than every Entra path',
        detail: token ? `cold start ${ms(token.coldStartMs.median)} vs ${ms(Math.min(...entra.map((p) => p.coldStartMs.median)))}` : ''
      };
    case 'scaling':
      return {
        description: `${most?.registries ?? 20} registries in one step take less than ${LIMITS.scaling}× one registry`,
        detail:
          most && one ? `${ms(most.wallMs.median)} vs ${ms(one.wallMs.median)} (${times(most.wallMs.median / one.wallMs.median)})` : ''
      };
    case 'lazy-entra':
      return {
        description: 'the username/password path loads no Entra code',
        detail: token ? `loads ${token.bundleFilesLoaded.join(', ')}` : ''
      };
    case 'one-token':
      return {
        description: 'exactly one Entra token request per step whatever the number of registries, no instance discovery',
        detail: `token requests per step: ${m.scaling.map((s) => `${s.registries} reg → ${s.entraTokenRequests[1]}`).join(', ')}`
      };
    case 'exchanges-overlap':
      return {
        description: 'with several registries the exchanges are in flight at once',
        detail: most ? `up to ${most.maxExchangesInFlight} of ${most.registries} exchanges in flight at once` : ''
      };
  }
}

export function evaluateTargets(m: Measurements, quick: boolean): Target[] {
  const checks = [...m.paths.flatMap((p) => pathChecks(p, m)), ...m.scaling.flatMap((s) => scalingChecks(s, m))];
  return (Object.keys(KINDS) as TargetId[]).map((id) => {
    const mine = checks.filter((c) => c.target === id);
    const misses = mine.filter((c) => !c.ok);
    return {
      id,
      kind: KINDS[id],
      ...describe(id, m),
      met: mine.length === 0 ? null : misses.length === 0,
      noise: misses.length > 0 && misses.every((c) => c.noise === true),
      enforced: KINDS[id] === 'count' || !quick
    };
  });
}

export function missed(targets: Target[]): Target[] {
  return targets.filter((t) => t.enforced && t.met === false && !t.noise);
}

export function verdict(t: Target): string {
  if (t.met === null) return 'n/a';
  if (t.met) return 'met';
  if (t.noise) return 'not met, within the noise (more --runs or a quieter machine can tell)';
  return t.enforced ? 'NOT MET' : 'not met (reported only: --quick)';
}
