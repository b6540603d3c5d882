// The benchmark's command line: npm run bench [-- FLAGS].
import { join, resolve } from 'node:path';
import { ROOT } from './builds';

export const USAGE = `npm run bench [-- FLAGS]
  --quick            3 runs per path, 1 and 5 registries, 2 network rounds, no Azure CLI; time targets are reported, not enforced
  --runs N           runs per auth path (default 15, 3 with --quick)
  --json FILE        also write every figure, sample and verdict as JSON
  --dist DIR         the build under test (default dist)
  --compare DIR      a second build's dist/ directory: both builds are run interleaved and compared
  --compare-ref REF  build REF (git worktree in a temp dir, npm run build) and compare with it
  --no-az            leave out the Azure CLI rows
  --rtt LIST         the network mode's round trips in ms, comma-separated (default 0,30; none: leave it out)
  --node PATH        the node binary every step runs on, anchors included (default the one running the benchmark)`;

export interface Args {
  quick: boolean;
  json: string | undefined;
  runs: number;
  /** Absolute dist/ directory of the build under test. */
  dist: string;
  /** The build to compare with: a dist/ directory, or a git revision to build first. */
  compare: { dir: string } | { ref: string } | undefined;
  az: boolean;
  azRuns: number;
  registryCounts: number[];
  scalingRuns: number;
  /** Extra runs per path and build with the --require preload (files loaded, phases). */
  preloadRuns: number;
  /** The network mode's simulated round trips (ms), and its rounds. */
  rtts: number[];
  networkRuns: number;
  /** Absolute path of the node every step runs on; undefined: the one running the benchmark. */
  node: string | undefined;
}

const WITH_VALUE = new Set(['--json', '--runs', '--dist', '--compare', '--compare-ref', '--rtt', '--node']);
const FLAGS = new Set(['--quick', '--no-az']);

/** argv after `--`; paths are taken from where npm was started (INIT_CWD), as the user typed them. */
export function parseArgs(argv: string[], cwd = process.env.INIT_CWD ?? process.cwd()): Args {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (FLAGS.has(arg)) flags.add(arg);
    else if (WITH_VALUE.has(arg)) {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new Error(`${arg} needs a value\n${USAGE}`);
      values.set(arg, value);
    } else throw new Error(`unknown argument '${arg}'\n${USAGE}`);
  }
  const quick = flags.has('--quick');
  const runs = Number(values.get('--runs') ?? (quick ? 3 : 15));
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  const compareDir = values.get('--compare');
  const compareRef = values.get('--compare-ref');
  if (compareDir !== undefined && compareRef !== undefined) throw new Error('give --compare or --compare-ref, not both');
  const json = values.get('--json');
  const rttText = values.get('--rtt') ?? '0,30';
  const rtts = rttText === 'none' ? [] : rttText.split(',').map(Number);
  if (rtts.some((r) => !Number.isFinite(r) || r < 0)) throw new Error('--rtt takes round trips in ms, e.g. 0,30, or none');
  return {
    quick,
    json: json === undefined ? undefined : resolve(cwd, json),
    runs,
    dist: values.has('--dist') ? resolve(cwd, values.get('--dist') as string) : join(ROOT, 'dist'),
    compare: compareDir !== undefined ? { dir: resolve(cwd, compareDir) } : compareRef !== undefined ? { ref: compareRef } : undefined,
    az: !quick && !flags.has('--no-az'),
    azRuns: quick ? 0 : 5,
    registryCounts: quick ? [1, 5] : [1, 5, 20],
    scalingRuns: quick ? 2 : Math.max(10, runs),
    preloadRuns: quick ? 1 : 5,
    rtts,
    networkRuns: quick ? 2 : Math.max(10, runs),
    node: values.has('--node') ? resolve(cwd, values.get('--node') as string) : undefined
  };
}
