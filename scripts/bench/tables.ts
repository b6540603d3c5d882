// The two tables: every measurement of the build under test, and the before/after comparison.
import { ENDPOINTS } from './paths';
import type { AzRow, BundleFile, Comparison } from './results';
import { EXCHANGE_DELAY_MS } from './scaling';
import { bytes, ms, ratio, round1, times, type Summary } from './stats';
import { LIMITS, pathChecks, scalingChecks, againstPreviousBuild, toFloor, type Check, type Measurements } from './targets';

export interface TableRow {
  id: string;
  cells: string[];
  met: boolean | null;
  values: Record<string, number | string | boolean | null>;
}

export const COLUMNS = ['measurement', 'result: median (p90)', 'cold start: median (p90)', 'requests per step', 'target', 'status'];
export const BEFORE_AFTER_COLUMNS = [
  'path',
  'cold start: before → after',
  'after / before',
  'wall: before → after',
  'after / before',
  'code loaded',
  'status'
];

const timed = (s: Summary): string => `${ms(s.median)} (p90 ${ms(s.p90)})`;

function status(checks: Check[]): { met: boolean; text: string } {
  const missed = checks.filter((c) => !c.ok);
  if (missed.length === 0) return { met: true, text: 'met' };
  const noise = missed.every((c) => c.noise === true) ? ' (within the noise)' : '';
  return { met: false, text: `not met${noise}: ${missed.map((c) => c.text).join('; ')}` };
}

export function requestText(requests: Record<string, number>, range?: Record<string, [number, number]>): string {
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

export function mainTable(m: Measurements, bundles: BundleFile[], az: AzRow[]): TableRow[] {
  const { baseline } = m;
  const rows: TableRow[] = [
    {
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
    }
  ];
  for (const p of m.paths) {
    const checks = pathChecks(p, m);
    const { met, text } = status(checks);
    const floor = toFloor(p, baseline);
    rows.push({
      id: `path:${p.id}`,
      cells: [
        p.label,
        `${timed(p.wallMs)}, ${times(floor.wall)} floor`,
        `${timed(p.coldStartMs)}, ${times(floor.coldStart)} floor`,
        requestText(p.requests, p.requestsRange),
        checks.map((c) => c.text).join('; '),
        text
      ],
      met,
      values: {
        wallMedianMs: p.wallMs.median,
        wallP90Ms: p.wallMs.p90,
        coldStartMedianMs: p.coldStartMs.median,
        coldStartP90Ms: p.coldStartMs.p90,
        wallToFloor: floor.wall,
        coldStartToFloor: floor.coldStart,
        runs: p.runs,
        bytesLoaded: p.bytesLoaded,
        entraCodeLoaded: p.entraCodeLoaded
      }
    });
  }
  const one = m.scaling.find((s) => s.registries === 1);
  for (const s of m.scaling) {
    const checks = scalingChecks(s, m);
    const { met, text } = status(checks);
    const factor = one ? s.wallMs.median / one.wallMs.median : Number.NaN;
    const range = (r: [number, number]): string => (r[0] === r[1] ? String(r[0]) : r.join('–'));
    const several = s.registries > 1;
    rows.push({
      id: `scaling:${s.registries}`,
      cells: [
        `${s.registries} ${several ? 'registries' : 'registry'} in one step (SP secret, exchanges answered after ${EXCHANGE_DELAY_MS} ms)`,
        `${timed(s.wallMs)}${several ? `, ${times(factor)} 1 registry` : ''}`,
        '—',
        `Entra token ${range(s.entraTokenRequests)} · exchange ${range(s.exchangesPerStep)}${several ? ` (up to ${s.maxExchangesInFlight} in flight at once)` : ''}`,
        checks.map((c) => c.text).join('; '),
        text
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
  const spWall = m.paths.find((p) => p.id === 'sp-secret')?.wallMs.median ?? Number.NaN;
  for (const a of az) {
    rows.push({
      id: a.id,
      cells: [
        a.label,
        a.ms ? `${timed(a.ms)} = ${ratio(a.ms.median, spWall)} our SP login` : a.note,
        '—',
        a.requests ? requestText(a.requests) : '—',
        a.ms ? a.note : '—',
        '—'
      ],
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
  return rows;
}

/** One row per path: medians of each build, and the median of the run-by-run ratios (with its confidence interval). */
export function beforeAfterTable(comparisons: Comparison[]): TableRow[] {
  const limit = LIMITS.previousBuild;
  const pair = (before: number, after: number): string => `${ms(before)} → ${ms(after)}`;
  const spread = (r: Comparison['wall']['ratio']): string => `${times(r.median)} (${times(r.low)}–${times(r.high)})`;
  const words = { within: `met (≤ ${times(limit)})`, over: `NOT MET (> ${times(limit)})`, noise: `> ${times(limit)} within the noise` };
  return comparisons.map((c) => {
    const standing = againstPreviousBuild(c);
    return {
      id: `compare:${c.id}`,
      cells: [
        c.label,
        pair(c.coldStart.before, c.coldStart.after),
        spread(c.coldStart.ratio),
        pair(c.wall.before, c.wall.after),
        spread(c.wall.ratio),
        pair(c.cpuMs.before, c.cpuMs.after),
        `${bytes(c.bytesLoaded.before)} → ${bytes(c.bytesLoaded.after)}`,
        words[standing]
      ],
      met: standing === 'within',
      values: {
        coldStartBeforeMs: c.coldStart.before,
        coldStartAfterMs: c.coldStart.after,
        coldStartRatio: c.coldStart.ratio.median,
        wallBeforeMs: c.wall.before,
        wallAfterMs: c.wall.after,
        wallRatio: c.wall.ratio.median,
        cpuBeforeMs: c.cpuMs.before,
        cpuAfterMs: c.cpuMs.after,
        bytesLoadedBefore: c.bytesLoaded.before,
        bytesLoadedAfter: c.bytesLoaded.after
      }
    };
  });
}

export function markdown(columns: string[], rows: TableRow[]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  return [
    `| ${columns.join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.cells.map(esc).join(' | ')} |`)
  ].join('\n');
}
