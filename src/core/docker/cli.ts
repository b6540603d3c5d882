import { runChild } from '../../lib/child-process';
import { describeError, LoginError } from '../../lib/errors';
import type { AuthEntry } from './config';

/** How long one docker command may take before it is killed. */
const DOCKER_DEADLINE_MS = 60000;
/** Of docker's standard error, the first and the last this many bytes are kept (the error line uses the start). */
const STDERR_KEPT_BYTES = 4096;

/** How one run of the docker CLI ended. */
export interface DockerRun {
  exitCode: number;
  stderr: string;
  /** It outlived its deadline and was killed. */
  killedAfterMs?: number;
}

/** Runs `docker ARGS` with `stdin` written to its standard input (the only way a password reaches it). */
export type DockerRunner = (args: string[], stdin: string) => Promise<DockerRun>;

/** `docker login --password-stdin`: the password never appears in a command line. */
export async function dockerLogin(entry: AuthEntry, run: DockerRunner): Promise<void> {
  await runChecked(run, ['login', '--username', entry.username, '--password-stdin', entry.server], entry.password);
}

export async function dockerLogout(server: string, run: DockerRunner): Promise<void> {
  await runChecked(run, ['logout', server], '');
}

async function runChecked(run: DockerRunner, args: string[], stdin: string): Promise<void> {
  const what = `docker ${args[0]} ${args[args.length - 1]}`;
  let result: DockerRun;
  try {
    result = await run(args, stdin);
  } catch (error) {
    throw new LoginError(`cannot run docker: ${describeError(error)}`);
  }
  if (result.killedAfterMs !== undefined) throw new LoginError(`${what} was stopped after ${Math.round(result.killedAfterMs / 1000)} s`);
  if (result.exitCode === 0) return;
  const said = result.stderr.replace(/\s+/g, ' ').trim().slice(0, 300);
  throw new LoginError(`${what} exited with ${result.exitCode}${said ? `: ${said}` : ''}`);
}

/** `docker` from PATH with exactly `env` (see runChild: whatever docker does, the step goes on). */
export function dockerRunner(env: NodeJS.ProcessEnv, deadlineMs: number = DOCKER_DEADLINE_MS): DockerRunner {
  return async (args, stdin) => {
    const run = await runChild('docker', args, {
      env,
      input: stdin,
      deadlineMs,
      read: 'stderr',
      bound: { headAndTail: STDERR_KEPT_BYTES }
    });
    return { exitCode: run.exitCode, stderr: run.output, ...(run.killedAfterMs === undefined ? {} : { killedAfterMs: run.killedAfterMs }) };
  };
}
