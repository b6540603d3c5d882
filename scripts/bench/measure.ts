// The auth paths, timed: one warm-up run per path and build, then rounds in which every path is run by every
// build back to back after a run of the bare-node floor (the builds' order alternating from round to round),
// so that background load spreads evenly and sample i of every build's series of a path comes from the same round.
import { loadavg } from 'node:os';
import type { RequestLogEntry, ServiceName } from '../../test/support/request-log';
import { holdsEntraCode, shownFile, totalBytes } from './bundles';
import { newJob, runBaseline, runBundle, type Bench } from './jobs';
import { AUTH_PATHS, ENDPOINTS, type AuthPath } from './paths';
import { observeLoading } from './preload';
import type { Baseline, Build, BuildResult, Measured, PathResult, Sample, Timeline } from './results';
import { median, round1, summarize } from './stats';

export interface PathRuns {
  runs: number;
  preloadRuns: number;
}

export async function measurePaths(
  bench: Bench,
  builds: Build[],
  options: PathRuns,
  log: (line: string) => void
): Promise<{ baseline: Baseline; builds: BuildResult[]; loadAverages: number[] }> {
  const inputs = (path: AuthPath): Record<string, string> => ({
    registry: bench.world.registries.armAllowed.url,
    ...path.inputs(bench.world)
  });
  const run = (build: Build, path: AuthPath): Promise<Measured> =>
    runBundle(bench, build, inputs(path), newJob(bench, path.env(bench.world)));
  const samples = new Map(builds.map((b) => [b.role, new Map<AuthPath['id'], Measured[]>(AUTH_PATHS.map((p) => [p.id, []]))]));
  const floor: Sample[] = [];
  const loadAverages: number[] = [];

  // Warm-up: page cache, first TLS key generation.
  await runBaseline(bench);
  for (const path of AUTH_PATHS) for (const build of builds) await run(build, path);
  for (let i = 0; i < options.runs; i++) {
    const order = i % 2 === 0 ? builds : [...builds].reverse();
    for (const path of AUTH_PATHS) {
      floor.push(await runBaseline(bench));
      for (const build of order)
        samples
          .get(build.role)
          ?.get(path.id)
          ?.push(await run(build, path));
    }
    loadAverages.push(loadavg()[0] ?? Number.NaN);
    log(`  auth paths: round ${i + 1}/${options.runs}`);
  }

  const results: BuildResult[] = [];
  for (const build of builds) {
    const paths: PathResult[] = [];
    for (const path of AUTH_PATHS) {
      const loading = await observeLoading(bench, build, path, inputs(path), options.preloadRuns);
      const measured = samples.get(build.role)?.get(path.id) ?? [];
      const wall = measured.map((m) => m.wallMs);
      const cold = measured.map((m) => m.coldStartMs);
      const { requests, range } = requestSummary(measured.map((m) => countBy(m.requests)));
      paths.push({
        id: path.id,
        label: path.label,
        runs: measured.length,
        wallMs: summarize(wall),
        coldStartMs: summarize(cold),
        requests,
        requestsRange: range,
        bundleFilesLoaded: loading.files.map((f) => shownFile(build.dir, f)).sort(),
        bytesLoaded: totalBytes(loading.files),
        entraCodeLoaded: holdsEntraCode(loading.files),
        timeline: medianTimeline(measured),
        phases: loading.phases
      });
    }
    results.push({ build, paths });
  }
  const baseline = { wallMs: summarize(floor.map((f) => f.wallMs)), coldStartMs: summarize(floor.map((f) => f.coldStartMs)) };
  return { baseline, builds: results, loadAverages };
}

export function countBy(requests: RequestLogEntry[]): Partial<Record<ServiceName, number>> {
  const counts: Partial<Record<ServiceName, number>> = {};
  for (const r of requests) counts[r.service] = (counts[r.service] ?? 0) + 1;
  return counts;
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

/** The requests of the run whose wall time is the median. */
export function medianTimeline(measured: Measured[]): Timeline {
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
