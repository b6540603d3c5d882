// Starting one step of a build the way the runner does (a fresh node process, INPUT_*, the runner's files)
// in a fresh job, and timing it against the stand-ins' request log; and the bare-node floor.
//
// Cold start = from spawning the step's process to the first request any stand-in logs.
// Wall = from spawning it to its exit. Every run must log in; a failed run stops the benchmark.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { actionDefaults, runStep } from '../../test/support/action-runner';
import { nowMs, type RequestLogEntry } from '../../test/support/request-log';
import { runNode } from '../../test/support/spawn-node';
import type { World } from '../../test/support/world';
import { ROOT } from './builds';
import type { Build, Measured, Sample } from './results';

/** The stand-ins and a scratch directory for the jobs' homes, scripts and outputs. */
export interface Bench {
  world: World;
  dir: string;
  /** The node binary every step runs on; undefined: the one running the benchmark. */
  node?: string;
}

/** A fresh job: its own HOME, docker config and job summary file, the stand-ins' CA trusted, no docker CLI (login: config). */
export function newJob(bench: Bench, extra: Record<string, string> = {}): Record<string, string> {
  const home = mkdtempSync(join(bench.dir, 'job-'));
  return {
    PATH: '/usr/bin:/bin',
    HOME: home,
    DOCKER_CONFIG: join(home, '.docker'),
    GITHUB_STEP_SUMMARY: join(home, 'step-summary.md'),
    NODE_EXTRA_CA_CERTS: bench.world.caCertPath,
    ...extra
  };
}

/** Runs the build's main step with the inputs on top of action.yml's defaults (and login: config). */
export async function runBundle(
  bench: Bench,
  build: Build,
  inputs: Record<string, string>,
  env: Record<string, string>
): Promise<Measured> {
  const inputEnv: Record<string, string> = {};
  for (const [name, v] of Object.entries({ ...actionDefaults(), login: 'config', ...inputs })) inputEnv[`INPUT_${name.toUpperCase()}`] = v;
  const { requests: log } = bench.world;
  const mark = log.mark();
  const started = nowMs();
  const step = await runStep(relative(ROOT, join(build.dir, 'index.js')), { ...env, ...inputEnv }, undefined, bench.node);
  const ended = nowMs();
  const requests = log.since(mark);
  if (step.exitCode !== 0 || step.errors.length > 0) {
    throw new Error(`${build.label}: the step failed (exit ${step.exitCode}): ${step.errors.join(' | ') || step.log.slice(-2000)}`);
  }
  const first = Math.min(...requests.map((r) => r.start));
  return { step, started, wallMs: ended - started, coldStartMs: first - started, requests };
}

/** The floor: a node process whose only line sends one request (spawn → first request, spawn → exit). */
const BASELINE = `require('node:http').get(process.env.ACR_LOGIN_BENCH_URL, (res) => res.resume());\n`;

export async function runBaseline(bench: Bench): Promise<Sample> {
  const script = join(bench.dir, 'baseline.js');
  if (!existsSync(script)) writeFileSync(script, BASELINE);
  const registry = bench.world.registries.armAllowed;
  const mark = bench.world.requests.mark();
  const started = nowMs();
  const run = await runNode(script, {
    env: { PATH: '/usr/bin:/bin', ACR_LOGIN_BENCH_URL: `${registry.url}/oauth2/token?service=${registry.loginServer}` },
    timeoutMs: 30000,
    node: bench.node
  });
  const ended = nowMs();
  const requests = bench.world.requests.since(mark);
  if (run.exitCode !== 0 || requests.length !== 1) throw new Error(`the baseline script failed: ${run.log}`);
  return { wallMs: ended - started, coldStartMs: (requests[0] as RequestLogEntry).start - started };
}
