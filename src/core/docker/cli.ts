import { spawn } from 'node:child_process';
import { describeError, LoginError } from '../../lib/errors';
import type { AuthEntry } from './config';

const DOCKER_TIMEOUT_MS = 60000;

/** How one run of the docker CLI ended. */
export interface DockerRun {
  exitCode: number;
  stderr: string;
}

/** Runs `docker ARGS` with `stdin` written to its standard input (the only way a password reaches it). */
export type DockerRunner = (args: string[], stdin: string) => Promise<DockerRun>;

/** `docker login --password-stdin`: the password never appears in a command line. */
export async function dockerLogin(entry: AuthEntry, run: DockerRunner = spawnDocker): Promise<void> {
  await runChecked(run, ['login', '--username', entry.username, '--password-stdin', entry.server], entry.password);
}

export async function dockerLogout(server: string, run: DockerRunner = spawnDocker): Promise<void> {
  await runChecked(run, ['logout', server], '');
}

async function runChecked(run: DockerRunner, args: string[], stdin: string): Promise<void> {
  const what = `docker ${args[0]} ${args[args.length - 1]}`;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LoginError(`${what} was stopped after ${DOCKER_TIMEOUT_MS / 1000} s`)), DOCKER_TIMEOUT_MS);
  });
  let result: DockerRun;
  try {
    result = await Promise.race([run(args, stdin), deadline]);
  } catch (error) {
    throw error instanceof LoginError ? error : new LoginError(`cannot run docker: ${describeError(error)}`);
  } finally {
    clearTimeout(timer);
  }
  if (result.exitCode === 0) return;
  const said = result.stderr.replace(/\s+/g, ' ').trim().slice(0, 300);
  throw new LoginError(`${what} exited with ${result.exitCode}${said ? `: ${said}` : ''}`);
}

/** The core's own runner: `docker` from PATH, killed when it outlives the deadline. */
function spawnDocker(args: string[], stdin: string): Promise<DockerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), DOCKER_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? -1, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
  });
}
