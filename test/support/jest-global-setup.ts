// jest globalSetup: ONE docker engine for the whole run, shared by every suite through the environment the test
// workers inherit (DOCKER_HOST and ACR_LOGIN_TEST_DOCKER_HOST). When it cannot start, the reason goes into
// ACR_LOGIN_TEST_DOCKER_ERROR and sharedDockerEngine() fails the suites that need it (the others run as usual).
import { DOCKER_ERROR_ENV, DOCKER_HOST_ENV, startDockerEngine, type DockerEngine } from './docker-engine';

export const ENGINE_KEY = Symbol.for('acr-login.test.dockerEngine');

export default async function globalSetup(): Promise<void> {
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
