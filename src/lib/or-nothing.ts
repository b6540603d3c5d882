// Small synchronous file reads that may fail, without a try/catch at each: the docker config's, its lock's and the
// kept entries' few reads and writes are synchronous calls, each microseconds, where a trip through libuv's thread
// pool and back took far longer (docs/performance.md). Only waiting for another holder of a lock is asynchronous.
import { readFileSync } from 'node:fs';

/** What `call` returns; undefined when it throws. */
export function orNothing<T>(call: () => T): T | undefined {
  try {
    return call();
  } catch {
    return undefined;
  }
}

/** The text of `path`; '' when it cannot be read. */
export function textOrEmpty(path: string): string {
  return orNothing(() => readFileSync(path, 'utf8')) ?? '';
}
