import { spawn } from 'node:child_process';
import { describeError, LoginError } from '../../lib/errors';
import type { AuthEntry } from './config';

/** How long one docker command may take before it is killed. */
const DOCKER_DEADLINE_MS = 60000;
/** Of docker's standard error, the first and the last this many bytes are kept (the error line uses the start). */
const STDERR_KEPT_BYTES = 4096;
/** After docker exited, how long a process it left behind may keep its standard error open. */
const STDERR_GRACE_MS = 2000;

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

/**
 * `docker` from PATH with exactly `env`. Whatever the child does, the step goes on: a docker that exits
 * before reading its input, writes without end, or hangs (killed at the deadline, and waited for).
 */
export function dockerRunner(env: NodeJS.ProcessEnv, deadlineMs: number = DOCKER_DEADLINE_MS): DockerRunner {
  return (args, stdin) =>
    new Promise((resolve, reject) => {
      const child = spawn('docker', args, { env, stdio: ['pipe', 'ignore', 'pipe'], windowsHide: true });
      const stderr = new HeadAndTail(STDERR_KEPT_BYTES);
      let killedAfterMs: number | undefined;
      let grace: NodeJS.Timeout | undefined;
      child.stderr.on('data', (chunk: Buffer) => stderr.add(chunk));
      child.stderr.on('error', () => undefined);
      const deadline = setTimeout(() => {
        killedAfterMs = deadlineMs;
        child.kill('SIGKILL');
      }, deadlineMs);
      // A process docker started may hold its standard error open after docker itself is gone.
      child.on('exit', () => {
        clearTimeout(deadline);
        grace = setTimeout(() => child.stderr.destroy(), STDERR_GRACE_MS);
      });
      child.on('error', (error) => {
        clearTimeout(deadline);
        reject(error);
      });
      child.on('close', (code, signal) => {
        clearTimeout(deadline);
        clearTimeout(grace);
        resolve({
          exitCode: code ?? (signal ? 128 : -1),
          stderr: stderr.text(),
          ...(killedAfterMs === undefined ? {} : { killedAfterMs })
        });
      });
      // A docker that exits without reading its input makes this write fail (EPIPE): its exit code tells what happened.
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin);
    });
}

/** The first and the last `keep` bytes of a stream, whatever its length. */
class HeadAndTail {
  private head = Buffer.alloc(0);
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private skipped = 0;

  constructor(private readonly keep: number) {}

  add(chunk: Buffer): void {
    if (this.head.length < this.keep) {
      const room = this.keep - this.head.length;
      this.head = Buffer.concat([this.head, chunk.subarray(0, room)]);
      chunk = chunk.subarray(room);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tail.length > 1 && this.tailBytes - (this.tail[0]?.length ?? 0) >= this.keep) {
      const dropped = this.tail.shift() as Buffer;
      this.tailBytes -= dropped.length;
      this.skipped += dropped.length;
    }
  }

  text(): string {
    let tail = Buffer.concat(this.tail);
    if (tail.length > this.keep) {
      this.skipped += tail.length - this.keep;
      tail = tail.subarray(tail.length - this.keep);
    }
    const gap = this.skipped > 0 ? `\n[${this.skipped} bytes left out]\n` : '';
    return `${this.head.toString('utf8')}${gap}${tail.toString('utf8')}`;
  }
}
