// What the benchmark measured, as the targets and the report read it (and as --json writes it).
import type { StepResult } from '../../test/support/action-runner';
import type { RequestLogEntry, ServiceName } from '../../test/support/request-log';
import type { AuthPath } from './paths';
import type { RatioSummary, Summary } from './stats';

/** A build of the action: the one under test ('after', --dist) or the one it is compared with ('before'). */
export interface Build {
  role: 'after' | 'before';
  /** How the tables name it: `dist/ at 1a2b3c4`, `main~1 (5d6e7f8)`. */
  label: string;
  /** Absolute path of its dist/ directory (index.js and its lazy chunks). */
  dir: string;
}

/** One timed step. */
export interface Measured {
  step: StepResult;
  /** nowMs() when the step was spawned. */
  started: number;
  wallMs: number;
  coldStartMs: number;
  requests: RequestLogEntry[];
}

/** One run of the bare-node floor. */
export interface Sample {
  wallMs: number;
  coldStartMs: number;
}

/** The floor: a node process whose only line sends one request, run before each path in every round. */
export interface Baseline {
  wallMs: Summary;
  coldStartMs: Summary;
}

/** One request of a run, in ms from the spawn of the step: where the time goes. */
export interface TimelineEntry {
  service: ServiceName;
  method: string;
  path: string;
  startMs: number;
  endMs: number | null;
  status: number;
}

export interface Timeline {
  wallMs: number;
  requests: TimelineEntry[];
}

/** In-process timestamps from the --require preload, medians in ms since the process started. */
export interface Phases {
  /** Node's own start-up: process start → the bundle starts. */
  nodeStartMs: number;
  /** The bundle's own code until the Entra chunk is required (or until the first request when none is). */
  bundleMs: number;
  /** Reading and compiling the lazy Entra chunk. */
  chunkLoadMs: number | null;
  /** From the chunk loaded to the first request: @azure/identity and MSAL evaluating and preparing the first request. */
  entraToRequestMs: number | null;
  /** Process start → first request (in-process cold start; the table's cold start also counts spawning and the TLS handshake when the connection was not opened ahead). */
  firstRequestMs: number;
  exitMs: number;
  /** CPU time (user + system) of the whole process. */
  cpuMs: number;
}

export interface PathResult {
  id: AuthPath['id'];
  label: string;
  runs: number;
  /** Samples in run order: sample i of every build's series of a path comes from the same round. */
  wallMs: Summary;
  coldStartMs: Summary;
  /** Requests per login by endpoint (median over runs), and the range seen. */
  requests: Record<string, number>;
  requestsRange: Record<string, [number, number]>;
  /** Files of the build's directory the step loaded, as `dist/<file>`. */
  bundleFilesLoaded: string[];
  bytesLoaded: number;
  /** A loaded file holds @azure/identity / MSAL. */
  entraCodeLoaded: boolean;
  timeline: Timeline;
  phases: Phases;
}

export interface BuildResult {
  build: Build;
  paths: PathResult[];
}

export interface ScalingResult {
  registries: number;
  runs: number;
  wallMs: Summary;
  entraTokenRequests: [number, number];
  exchangesPerStep: [number, number];
  /** The most exchanges in flight at once, lowest over the runs. */
  maxExchangesInFlight: number;
  overlap: boolean;
  timeline: Timeline;
}

export interface AzRow {
  id: string;
  label: string;
  status: 'measured' | 'failed' | 'not installed' | 'skipped';
  note: string;
  ms?: Summary;
  requests?: Record<string, number>;
  ratioToOurs?: number;
}

export interface BundleFile {
  file: string;
  bytes: number;
  note: string;
}

/** A path of the build under test against the same path of the previous build, run by run. */
export interface Comparison {
  id: AuthPath['id'];
  label: string;
  coldStart: { before: number; after: number; ratio: RatioSummary };
  wall: { before: number; after: number; ratio: RatioSummary };
  bytesLoaded: { before: number; after: number };
  /** In-process CPU time, median of the preload runs. */
  cpuMs: { before: number; after: number };
}
