// A few extra runs per path and build (not the timed ones) with a --require preload: which files of the
// build directory the process loaded (require.cache at exit), and in-process timestamps, in ms since the
// process started: the bundle starts, the Entra chunk (the file holding @azure/identity) is loaded, the
// first socket connects, exit; and the CPU time the process used (user + system), which load on the
// machine changes far less than the elapsed times.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newJob, runBundle, type Bench } from './jobs';
import { holdsEntraCode } from './bundles';
import type { AuthPath } from './paths';
import type { Build, Phases } from './results';
import { median, round1 } from './stats';

const PRELOAD = `const Module = require('node:module');
const { writeFileSync } = require('node:fs');
const entraChunks = (process.env.ACR_LOGIN_BENCH_ENTRA_CHUNKS || '').split(',').filter(Boolean);
const at = {};
const mark = (name) => { if (at[name] === undefined) at[name] = performance.now(); };
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (isMain) mark('bundleStart');
  const chunk = entraChunks.some((name) => request === './' + name || request.endsWith('/' + name));
  if (chunk) mark('chunkStart');
  try { return load.apply(this, arguments); } finally { if (chunk) mark('chunkLoaded'); }
};
// The first request (not the first connect: connections are opened ahead, while the Entra code loads).
for (const name of ['node:http', 'node:https']) {
  const mod = require(name);
  for (const key of ['request', 'get']) {
    const original = mod[key];
    mod[key] = function () { mark('firstRequest'); return original.apply(this, arguments); };
  }
}
process.on('exit', () => {
  mark('exit');
  const cpu = process.cpuUsage();
  at.cpu = (cpu.user + cpu.system) / 1000;
  try { writeFileSync(process.env.ACR_LOGIN_BENCH_PRELOAD_OUT, JSON.stringify({ loaded: Object.keys(require.cache), at })); } catch {}
});
`;

type Marks = Record<string, number>;

export interface Loading {
  /** Absolute paths of the build directory's files the step loaded, in any of the runs. */
  files: string[];
  phases: Phases;
}

export async function observeLoading(
  bench: Bench,
  build: Build,
  path: AuthPath,
  inputs: Record<string, string>,
  runs: number
): Promise<Loading> {
  const preload = join(bench.dir, 'bench-preload.js');
  writeFileSync(preload, PRELOAD);
  const out = join(bench.dir, `preload-${build.role}-${path.id}.json`);
  const entraChunks = readdirSync(build.dir).filter((f) => f.endsWith('.js') && holdsEntraCode([join(build.dir, f)]));
  const observed: { loaded: string[]; at: Marks }[] = [];
  for (let i = 0; i < runs; i++) {
    const env = newJob(bench, {
      ...path.env(bench.world),
      NODE_OPTIONS: `--require ${preload}`,
      ACR_LOGIN_BENCH_PRELOAD_OUT: out,
      ACR_LOGIN_BENCH_ENTRA_CHUNKS: entraChunks.join(',')
    });
    await runBundle(bench, build, inputs, env);
    observed.push(JSON.parse(readFileSync(out, 'utf8')) as { loaded: string[]; at: Marks });
  }
  const files = [...new Set(observed.flatMap((o) => o.loaded))].filter((f) => f.startsWith(build.dir + '/'));
  return { files, phases: phases(observed.map((o) => o.at)) };
}

function phases(runs: Marks[]): Phases {
  const phase = (f: (at: Marks) => number | undefined): number | null => {
    const values = runs.map(f).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return values.length > 0 ? round1(median(values)) : null;
  };
  const chunk = (at: Marks): boolean => at['chunkStart'] !== undefined && at['chunkStart'] < (at['firstRequest'] ?? Infinity);
  return {
    nodeStartMs: phase((at) => at['bundleStart']) ?? Number.NaN,
    bundleMs: phase((at) => ((chunk(at) ? at['chunkStart'] : at['firstRequest']) ?? Number.NaN) - (at['bundleStart'] ?? 0)) ?? Number.NaN,
    chunkLoadMs: phase((at) => (chunk(at) ? (at['chunkLoaded'] ?? Number.NaN) - (at['chunkStart'] ?? 0) : undefined)),
    entraToRequestMs: phase((at) => (chunk(at) ? (at['firstRequest'] ?? Number.NaN) - (at['chunkLoaded'] ?? 0) : undefined)),
    firstRequestMs: phase((at) => at['firstRequest']) ?? Number.NaN,
    exitMs: phase((at) => at['exit']) ?? Number.NaN,
    cpuMs: phase((at) => at['cpu']) ?? Number.NaN
  };
}
