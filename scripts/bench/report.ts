// What the benchmark prints on stdout (the tables, where the cold start goes, the verdicts) and writes with --json.
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Args } from './args';
import type { AzRow, BuildResult, BundleFile, PathResult } from './results';
import { ms } from './stats';
import { BEFORE_AFTER_COLUMNS, COLUMNS, beforeAfterTable, mainTable, markdown } from './tables';
import { missed, verdict, type Measurements, type Target } from './targets';
import { NETWORK_COLUMNS, networkTable, type NetworkRun } from './network';

export interface RunRecord {
  args: Args;
  command: string;
  startedAt: string;
  machine: Record<string, string | number>;
  loadAverageAtEnd: string;
  /** The 1-minute load average after each timed round of the auth paths. */
  loadAverages: number[];
  durationS: number;
  after: BuildResult;
  before: BuildResult | undefined;
  measurements: Measurements;
  bundles: BundleFile[];
  az: { version: string | null; rows: AzRow[] };
  /** The network mode, one run per --rtt. */
  network: NetworkRun[];
  targets: Target[];
}

export const loadAverage = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** The machine, and the version of the node the steps run on (`node`, else the one running the benchmark). */
export function machine(node?: string): Record<string, string | number> {
  const cpuModel = (readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? cpus()[0]?.model ?? 'unknown').trim();
  return {
    node: node ? execFileSync(node, ['--version'], { encoding: 'utf8' }).trim() : process.version,
    cpus: cpus().length,
    cpuModel,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB (${(freemem() / 1024 ** 3).toFixed(1)} GiB free)`,
    os: `${process.platform} ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()}`,
    loadAverageAtStart: loadAverage()
  };
}

function phaseLine(p: PathResult): string {
  const f = p.phases;
  const parts = [`node start-up ${ms(f.nodeStartMs)}`, `action bundle ${ms(f.bundleMs)}`];
  if (f.chunkLoadMs !== null) {
    parts.push(
      `Entra chunk load ${ms(f.chunkLoadMs)}`,
      `@azure/identity + MSAL to the first request ${ms(f.entraToRequestMs ?? Number.NaN)}`
    );
  }
  return `- ${p.label}: ${parts.join(' + ')} = first request at ${ms(f.firstRequestMs)}; exit at ${ms(f.exitMs)}; CPU ${ms(f.cpuMs)}`;
}

function loadLine(r: RunRecord): string {
  const during = r.loadAverages.filter(Number.isFinite);
  const range = during.length > 0 ? `, ${Math.min(...during).toFixed(2)}–${Math.max(...during).toFixed(2)} during the timed rounds` : '';
  return `load average ${r.machine.loadAverageAtStart} at start, ${r.loadAverageAtEnd} at end (1 min${range})`;
}

export function renderText(r: RunRecord): string {
  const { args, machine: info } = r;
  const builds = r.before
    ? `${r.after.build.label} (after) and ${r.before.build.label} (before), run back to back in alternating order`
    : r.after.build.label;
  const phases = args.preloadRuns === 1 ? 'one extra run' : `median of ${args.preloadRuns} extra runs`;
  const lines = [
    '',
    `acr-login benchmark — ${r.startedAt}${args.quick ? ' — quick run, not for publishing' : ''}`,
    `Node ${info.node} · ${info.cpus} × ${info.cpuModel} · ${info.memory} · ${loadLine(r)}`,
    `${args.runs} rounds after one warm-up, in each a run of the floor before every path; build ${builds}; ` +
      `${args.scalingRuns} runs per registry count; login: config; Azure CLI ${r.az.version ?? '—'}`,
    '',
    markdown(COLUMNS, mainTable(r.measurements, r.bundles, r.az.rows)),
    ''
  ];
  if (r.before) {
    lines.push(
      `Before/after, same run: ${r.before.build.label} → ${r.after.build.label}; medians; after / before is the median of the run-by-run ratios, in brackets its confidence interval (99.5 % each, 95 % for the ten together):`,
      '',
      markdown(BEFORE_AFTER_COLUMNS, beforeAfterTable(r.measurements.comparisons)),
      ''
    );
  }
  if (r.network.length > 0) {
    const during = r.network.flatMap((n) => n.loadAverages).filter(Number.isFinite);
    lines.push(
      `Network mode: the stand-ins behind a relay delaying every chunk RTT/2 each way (a new connection's first bytes one RTT more), below TLS; ` +
        `${r.network[0]?.runs ?? 0} rounds per RTT, rows interleaved; counts are what the relays saw per login (median, range when it varied); ` +
        `serial round trips: the longest chain of flights one after the other, a connect counted as one; ` +
        `load average ${during.length ? `${Math.min(...during).toFixed(2)}–${Math.max(...during).toFixed(2)}` : '—'} during these rounds:`,
      '',
      [
        `| ${NETWORK_COLUMNS.join(' | ')} |`,
        `|${NETWORK_COLUMNS.map(() => '---').join('|')}|`,
        ...networkTable(r.network).map((c) => `| ${c.join(' | ')} |`)
      ].join('\n'),
      ''
    );
  }
  lines.push(
    `Where the cold start goes (in-process, ms since the process started; ${phases} with a --require preload):`,
    ...r.after.paths.map(phaseLine)
  );
  lines.push('', 'Targets (time: ratios of times taken in this run; count: requests and files loaded):');
  lines.push(...r.targets.map((t) => `- ${verdict(t)} [${t.kind}]: ${t.description} (${t.detail})`));
  const failed = missed(r.targets);
  lines.push(failed.length === 0 ? 'Every enforced target met.' : `Missed: ${failed.map((t) => t.id).join(', ')} — exit code 1.`, '');
  return lines.join('\n');
}

export function jsonDocument(r: RunRecord): Record<string, unknown> {
  const { args } = r;
  const rows = mainTable(r.measurements, r.bundles, r.az.rows);
  const beforeAfter = beforeAfterTable(r.measurements.comparisons);
  return {
    generatedAt: r.startedAt,
    command: r.command,
    machine: { ...r.machine, loadAverageAtEnd: r.loadAverageAtEnd, loadAveragesDuringRounds: r.loadAverages, durationS: r.durationS },
    options: {
      quick: args.quick,
      runs: args.runs,
      dist: args.dist,
      compare: args.compare ?? null,
      registryCounts: args.registryCounts,
      scalingRuns: args.scalingRuns,
      azRuns: args.azRuns
    },
    builds: { after: r.after.build, before: r.before?.build ?? null },
    azureCli: r.az,
    baseline: r.measurements.baseline,
    paths: r.after.paths,
    before: r.before ? { paths: r.before.paths } : null,
    comparisons: r.measurements.comparisons,
    scaling: r.measurements.scaling,
    bundles: r.bundles,
    targets: r.targets,
    network: r.network,
    table: { columns: COLUMNS, rows, markdown: markdown(COLUMNS, rows) },
    beforeAfter: {
      columns: BEFORE_AFTER_COLUMNS,
      rows: beforeAfter,
      markdown: beforeAfter.length ? markdown(BEFORE_AFTER_COLUMNS, beforeAfter) : ''
    }
  };
}
