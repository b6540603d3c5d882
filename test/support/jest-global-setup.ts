// jest globalSetup: a temp directory of the run's own, and ONE docker engine for the whole run, both shared by every
// suite through the environment the test workers inherit.
// - TMPDIR (TEMP and TMP on Windows) names the run's directory: what the suites, the product and the stand-ins put in
//   the temp directory goes there, and jest-global-teardown.ts removes it, whatever a suite forgot.
// - DOCKER_HOST and ACR_LOGIN_TEST_DOCKER_HOST name the engine. When it cannot start, the reason goes into
//   ACR_LOGIN_TEST_DOCKER_ERROR and sharedDockerEngine() fails the suites that need it (the others run as usual).
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_ERROR_ENV, DOCKER_HOST_ENV, startDockerEngine, type DockerEngine } from './docker-engine';

export const ENGINE_KEY = Symbol.for('acr-login.test.dockerEngine');
/** The environment variable holding the run's temp directory (for the teardown: TMPDIR itself is the run's now). */
export const RUN_TMPDIR_ENV = 'ACR_LOGIN_TEST_RUN_TMPDIR';

function useRunTempDir(): void {
  const dir = mkdtempSync(join(tmpdir(), 'acr-login-tests-'));
  // As /tmp is: the rootless clients' test user makes its own directories in it.
  chmodSync(dir, 0o1777);
  for (const name of ['TMPDIR', 'TEMP', 'TMP', RUN_TMPDIR_ENV]) process.env[name] = dir;
}

export default async function globalSetup(): Promise<void> {
  useRunTempDir();
  try {
    const engine = await startDockerEngine();
    (globalThis as Record<symbol, DockerEngine | undefined>)[ENGINE_KEY] = engine;
    process.env[DOCKER_HOST_ENV] = engine.host;
    process.env['DOCKER_HOST'] = engine.host;
    delete process.env[DOCKER_ERROR_ENV];
  } catch (err) {
    process.env[DOCKER_ERROR_ENV] = err instanceof Error ? err.message : String(err);
    delete process.env[DOCKER_HOST_ENV];
    process.stderr.write(`\nNo docker engine for this run (suites that need one will fail): ${process.env[DOCKER_ERROR_ENV]}\n`);
  }
}
