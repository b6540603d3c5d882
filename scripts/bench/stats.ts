// Small statistics and formatting helpers for the benchmark.
import type { RequestLogEntry } from '../../test/support/request-log';

export interface Summary {
  median: number;
  p90: number;
  min: number;
  max: number;
  samples: number[];
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  return n % 2 === 1 ? (sorted[(n - 1) / 2] as number) : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2;
}

export function summarize(samples: number[]): Summary {
  const rounded = samples.map((s) => Math.round(s * 10) / 10);
  return {
    median: round1(median(samples)),
    p90: round1(percentile(samples, 90)),
    min: round1(Math.min(...samples)),
    max: round1(Math.max(...samples)),
    samples: rounded
  };
}

export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/**
 * Ratios of paired samples (a[i] / b[i], runs taken side by side): their median, two decimals, and a
 * distribution-free confidence interval of that median (the whole range when there are too few pairs for it).
 */
export interface RatioSummary {
  median: number;
  low: number;
  high: number;
  samples: number[];
}

export function pairedRatios(a: number[], b: number[], confidence = 0.95): RatioSummary {
  const ratios = a.slice(0, b.length).map((x, i) => x / (b[i] as number));
  const sorted = [...ratios].sort((x, y) => x - y);
  const k = medianIntervalRank(sorted.length, confidence);
  const two = (n: number): number => Math.round(n * 100) / 100;
  return {
    median: two(median(ratios)),
    low: two(sorted[k] ?? Number.NaN),
    high: two(sorted[sorted.length - 1 - k] ?? Number.NaN),
    samples: ratios.map(two)
  };
}

/**
 * The 0-based index i such that sorted[i] … sorted[n - 1 - i] holds the population's median with at least the
 * given confidence: the 1-based order statistics x(k) … x(n + 1 - k) for the largest k with
 * P(Binomial(n, ½) ≤ k - 1) ≤ (1 - confidence) / 2. 0 (the whole range) when no k fits (n < 6 at 95 %).
 */
export function medianIntervalRank(n: number, confidence = 0.95): number {
  const tail = (1 - confidence) / 2;
  let k = 0;
  let below = 0; // P(B ≤ k - 1)
  let term = 0.5 ** n; // P(B = k)
  while (k < n / 2 && below + term <= tail) {
    below += term;
    term = (term * (n - k)) / (k + 1);
    k++;
  }
  return Math.max(k - 1, 0);
}

/** The most requests of the given entries that were in flight at the same moment. */
export function maxInFlight(entries: RequestLogEntry[]): number {
  const events: [number, number][] = [];
  for (const e of entries) {
    events.push([e.start, 1]);
    events.push([e.end ?? Number.POSITIVE_INFINITY, -1]);
  }
  // Ends before starts at the same instant: touching is not overlapping.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let most = 0;
  for (const [, delta] of events) {
    current += delta;
    most = Math.max(most, current);
  }
  return most;
}

export function ms(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n >= 10000) return `${(n / 1000).toFixed(1)} s`;
  if (n >= 1000) return `${(n / 1000).toFixed(2)} s`;
  return `${Math.round(n)} ms`;
}

export function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(2)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/** A ratio as the tables print it: `1.04×`. */
export function times(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : '—';
}

export function ratio(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return '—';
  const r = a / b;
  return `${r >= 10 ? Math.round(r) : r.toFixed(1)}×`;
}
