import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerLogin, dockerRunner } from '../../../src/core/docker/cli';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** An environment whose `docker` is this shell script, in a directory of its own. */
function withDocker(script: string): { env: NodeJS.ProcessEnv; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'docker-runner-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'docker'), `#!/bin/sh\n${script}\n`);
  chmodSync(join(dir, 'docker'), 0o755);
  return { env: { PATH: `${dir}:/usr/bin:/bin`, MARK: 'given' }, dir };
}

const entry = { server: 'myreg.azurecr.io', username: 'u', password: 'p'.repeat(200000) };

describe('dockerRunner', () => {
  it('survives a docker that exits before reading a large input, and reports its exit code', async () => {
    const { env } = withDocker('exit 7');
    await expect(dockerRunner(env)(['login'], 'x'.repeat(1 << 20))).resolves.toEqual({ exitCode: 7, stderr: '' });
    await expect(dockerLogin(entry, dockerRunner(env))).rejects.toThrow(/^docker login myreg.azurecr.io exited with 7$/);
  });

  it('runs with exactly the environment given', async () => {
    const { env, dir } = withDocker('env > "$(dirname "$0")/env.txt"');
    await dockerRunner(env)(['version'], '');
    expect(readFileSync(join(dir, 'env.txt'), 'utf8')).toContain('MARK=given');
  });

  it('keeps the first and last 4 KiB of a long standard error', async () => {
    const { env } = withDocker('printf start >&2; head -c 3000000 /dev/zero | tr "\\0" x >&2; printf end >&2; exit 1');
    const { exitCode, stderr } = await dockerRunner(env)(['login'], '');
    expect(exitCode).toBe(1);
    expect(stderr.length).toBeLessThan(9000);
    expect(stderr.startsWith('start')).toBe(true);
    expect(stderr.endsWith('end')).toBe(true);
    expect(stderr).toMatch(/\[\d+ bytes left out\]/);
  });

  it('kills a docker past its deadline and waits for it', async () => {
    const { env, dir } = withDocker('echo $$ > "$(dirname "$0")/pid"\nexec sleep 600');
    const run = await dockerRunner(env, 1000)(['login'], '');
    expect(run.killedAfterMs).toBe(1000);
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(dockerLogin(entry, () => Promise.resolve(run))).rejects.toThrow(/^docker login myreg.azurecr.io was stopped after 1 s$/);
  });
});
