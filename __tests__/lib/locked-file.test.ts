// Locks: a holder killed while it held one never blocks the next writer, nor leaves its temporary file.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { editJsonFile, withFileLock } from '../../src/lib/locked-file';
import { holdLock, startLockedWriter } from '../../test/support/lock-holder';

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

describe('a holder in another PID namespace (another container sharing the file) is never presumed dead while it lives', () => {
  const otherNamespace = ['unshare', '--pid', '--fork', '--mount-proc'];

  it('a writer in its own PID namespace waits for the live holder it cannot see, and leaves the holder’s temporary file alone', async () => {
    const dir = fresh();
    const path = join(dir, 'config.json');
    writeFileSync(path, '{"kept":true}');
    const holder = await holdLock(path, '{"being":"written"}');
    try {
      const holdersFile = readdirSync(dir).filter((name) => name.endsWith('.tmp'));
      expect(holdersFile).toHaveLength(1);
      const writer = startLockedWriter(path, 'fromOtherNamespace', otherNamespace);
      await writer.started;
      // Long enough for a writer that judged the holder dead to take over and write (it takes milliseconds).
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(writer.written()).toBe(false);
      expect(readdirSync(dir)).toEqual(expect.arrayContaining(holdersFile));
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ kept: true });

      await holder.release();
      const done = await writer.done;
      expect(done).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ kept: true, fromOtherNamespace: true });
    } finally {
      await holder.kill();
    }
  }, 60000);

  it('a lock naming another PID namespace is judged by its age alone, even when its pid runs nowhere here', async () => {
    const dir = fresh();
    const path = join(dir, 'file.json');
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: 999999, host: hostname(), pidNamespace: 'pid:[1]', nonce: 'n' }));
    let entered = false;
    const waiting = withFileLock(
      path,
      'test file',
      async () => {
        entered = true;
      },
      { staleMs: 3000 }
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(entered).toBe(false);
    // Nobody touches it: once staleMs passed it is taken over.
    await waiting;
    expect(entered).toBe(true);
  }, 30000);
});
