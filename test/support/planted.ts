// Files and directories as another user (nobody) or an attacker would leave them, for the tests that
// check the product trusts only what the current user owns.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NOBODY = 65534;

/** A world-writable, sticky directory (as /tmp is) where another user can create things. */
export function sharedDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shared-'));
  chmodSync(dir, 0o1777);
  return dir;
}

/** `mkdir -p` run as nobody (setpriv): the directories belong to another user, as if planted by them. */
export function mkdirAsNobody(dir: string): void {
  execFileSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'mkdir', '-p', '-m', '0755', dir]);
}

/** Runs a node process under `NODE_OPTIONS=--require peak-memory.cjs` and reads its peak resident memory (MiB) afterwards. */
export function peakMemoryEnv(): { env: Record<string, string>; peakMiB: () => number } {
  const file = join(mkdtempSync(join(tmpdir(), 'peak-')), 'vmhwm');
  return {
    env: { NODE_OPTIONS: `--require ${join(__dirname, 'peak-memory.cjs')}`, ACR_LOGIN_TEST_PEAK_FILE: file },
    peakMiB: () => Number(readFileSync(file, 'utf8')) / 1024
  };
}
