// The benchmark, start to end: the stand-ins up, the builds ready, the auth paths timed (interleaved with the
// floor and, when given, the previous build), scaling, the Azure CLI, then the report and the verdicts.
// The exit code is 1 when an enforced target is missed (targets.ts).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { nowMs } from '../../test/support/request-log';
import { startWorld } from '../../test/support/world';
import { parseArgs } from './args';
import { measureAzureCli } from './azure-cli-runs';
import { buildToCompare, buildUnderTest, ROOT, type PreparedBuild } from './builds';
import { bundleFiles } from './bundles';
import type { Bench } from './jobs';
import { measurePaths } from './measure';
import { measureNetwork, networkTargets } from './network';
import { jsonDocument, loadAverage, machine, renderText, type RunRecord } from './report';
import { measureScaling } from './scaling';
import { round1 } from './stats';
import { compareBuilds, evaluateTargets, missed } from './targets';

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const after = buildUnderTest(args.dist);
  const info = machine(args.node);
  const startedAt = new Date().toISOString();
  const began = nowMs();
  let compared: PreparedBuild | undefined;
  const removeCompared = (): void => compared?.remove();
  const interrupted = (): void => {
    removeCompared();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const dir = mkdtempSync(join(tmpdir(), 'acr-login-bench-'));
  try {
    compared = await buildToCompare(args.compare, log);
    const builds = compared ? [after, compared.build] : [after];
    log(
      `acr-login benchmark${args.quick ? ' (--quick)' : ''}: ${args.runs} runs per auth path, ${builds.map((b) => b.label).join(' vs ')}, node ${info.node}`
    );
    const world = await startWorld();
    try {
      log('  stand-ins up');
      const bench: Bench = { world, dir, node: args.node };
      const paths = await measurePaths(bench, builds, args, log);
      const [afterResult, beforeResult] = paths.builds;
      if (!afterResult) throw new Error('no results for the build under test');
      const scaling = await measureScaling(bench, after, args, log);
      const spWall = afterResult.paths.find((p) => p.id === 'sp-secret')?.wallMs.median ?? Number.NaN;
      const az = await measureAzureCli(bench, args, spWall, log);
      const network = await measureNetwork(dir, builds, { rtts: args.rtts, runs: args.networkRuns, node: args.node }, log);
      const measurements = {
        baseline: paths.baseline,
        paths: afterResult.paths,
        comparisons: beforeResult ? compareBuilds(afterResult.paths, beforeResult.paths) : [],
        scaling
      };
      const record: RunRecord = {
        args,
        command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
        startedAt,
        machine: info,
        loadAverageAtEnd: loadAverage(),
        loadAverages: paths.loadAverages,
        durationS: round1((nowMs() - began) / 1000),
        after: afterResult,
        before: beforeResult,
        measurements,
        bundles: bundleFiles(after.dir, join(ROOT, 'task', 'dist'), afterResult.paths),
        az,
        network,
        targets: [...evaluateTargets(measurements, args.quick), ...networkTargets(network, args.quick)]
      };
      process.stdout.write(renderText(record));
      if (args.json) {
        mkdirSync(dirname(args.json), { recursive: true });
        writeFileSync(args.json, `${JSON.stringify(jsonDocument(record), null, 2)}\n`);
        log(`  wrote ${args.json}`);
      }
      return missed(record.targets).length === 0 ? 0 : 1;
    } finally {
      await world.close();
    }
  } finally {
    removeCompared();
    rmSync(dir, { recursive: true, force: true });
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
  }
}
