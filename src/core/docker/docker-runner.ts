import type { DockerRunner } from './cli';

/**
 * `docker` from PATH with exactly `env`, as cli.ts runs it. Its code (and Node's child_process) loads at the first run,
 * so that a login that runs no docker (the default one) loads none of it.
 */
export function dockerRunner(env: NodeJS.ProcessEnv): DockerRunner {
  return async (args, stdin) => (await import('./cli')).dockerRunner(env)(args, stdin);
}
