// Locks: a holder killed while it held one never blocks the next writer, nor leaves its temporary file.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { editJsonFile, withFileLock } from '../../src/lib/locked-file';
import { holdLock } from '../../test/support/lock-holder';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'locked-file-'));

it('a writer killed (kill -9) while holding the lock is taken over at once, and its half-written file goes', async () => {
  const dir = fresh();
  const path = join(dir, 'config.json');
  writeFileSync(path, '{"kept":true}');
  const holder = await holdLock(path, '{"auths":{"a.azurecr.io":{"auth":"c2VjcmV0LWluLWEtdGVtcG9yYXJ5LWZpbGU="}}}');
  expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toHaveLength(1);
  await holder.kill();

  const started = Date.now();
  await editJsonFile(path, 'test file', (current) => ({ ...current, written: true }));
  expect(Date.now() - started).toBeLessThan(2000);
  expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ kept: true, written: true });
  expect(readdirSync(dir).sort()).toEqual(['config.json']);
});

it('a live holder is waited for, not taken over', async () => {
  const dir = fresh();
  const path = join(dir, 'file.json');
  const holder = await holdLock(path);
  let entered = false;
  const waiting = withFileLock(path, 'test file', async () => {
    entered = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(entered).toBe(false);
  await holder.kill();
  await waiting;
  expect(entered).toBe(true);
  expect(existsSync(`${path}.lock`)).toBe(false);
});

it('waits longer than a lock takes to go stale, so a holder on another machine that died is taken over, not failed on', async () => {
  const dir = fresh();
  const path = join(dir, 'file.json');
  // A holder on another host (its pid cannot be checked from here) that stops touching its lock.
  writeFileSync(`${path}.lock`, JSON.stringify({ pid: 1, host: 'another-machine', nonce: 'n' }));
  const started = Date.now();
  await withFileLock(path, 'test file', async () => undefined, { staleMs: 1000, waitMs: 100 });
  expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  expect(Date.now() - started).toBeLessThan(3000);
});
