import { spawn } from 'node:child_process';

/** After the child exited, how long a process it left behind may keep its output open. */
const OUTPUT_GRACE_MS = 2000;

export interface ChildOptions {
  env: NodeJS.ProcessEnv;
  /** Written to its standard input, then closed (the only way a secret reaches it). */
  input: string;
  /** Killed (SIGKILL) and waited for past this. */
  deadlineMs: number;
  /** The one stream read; the other is ignored. */
  read: 'stdout' | 'stderr';
  /**
   * How much of it is kept: the first and the last `headAndTail` bytes (what went wrong, however much was said), or at
   * most `limit` bytes, past which the child is stopped (an answer, which is small or useless).
   */
  bound: { headAndTail: number } | { limit: number };
  /** A `cmd.exe /d /s /c "..."` command line, passed as it is written. */
  windowsVerbatimArguments?: boolean;
}

export interface ChildRun {
  exitCode: number;
  /** What it wrote to the stream read, within the bound. */
  output: string;
  /** It outlived its deadline and was killed. */
  killedAfterMs?: number;
  /** It wrote more than `limit` and was stopped; `output` is empty. */
  overLimit?: true;
}

/**
 * Runs `program ARGS` with exactly `env`. Whatever the child does, the caller goes on: a child that exits before
 * reading its input, writes without end, or hangs. It rejects only when the program cannot be started.
 */
export function runChild(program: string, args: string[], options: ChildOptions): Promise<ChildRun> {
  const { env, input, deadlineMs, read, bound } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      env,
      stdio: ['pipe', read === 'stdout' ? 'pipe' : 'ignore', read === 'stderr' ? 'pipe' : 'ignore'],
      windowsHide: true,
      windowsVerbatimArguments: options.windowsVerbatimArguments ?? false
    });
    const stream = (read === 'stdout' ? child.stdout : child.stderr) as NonNullable<typeof child.stdout>;
    const kept = 'headAndTail' in bound ? new HeadAndTail(bound.headAndTail) : new Capped(bound.limit);
    let killedAfterMs: number | undefined;
    let grace: NodeJS.Timeout | undefined;
    stream.on('data', (chunk: Buffer) => {
      if (kept.add(chunk)) return;
      stream.destroy();
      child.kill('SIGKILL');
    });
    stream.on('error', () => undefined);
    const deadline = setTimeout(() => {
      killedAfterMs = deadlineMs;
      child.kill('SIGKILL');
    }, deadlineMs);
    // A process the child started may hold the stream open after the child itself is gone.
    child.on('exit', () => {
      clearTimeout(deadline);
      grace = setTimeout(() => stream.destroy(), OUTPUT_GRACE_MS);
    });
    child.on('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      clearTimeout(grace);
      const overLimit = kept instanceof Capped && kept.over;
      resolve({
        exitCode: code ?? (signal ? 128 : -1),
        output: overLimit ? '' : kept.text(),
        ...(killedAfterMs === undefined ? {} : { killedAfterMs }),
        ...(overLimit ? { overLimit: true as const } : {})
      });
    });
    // A child that exits without reading its input makes this write fail (EPIPE): its exit code tells what happened.
    const stdin = child.stdin as NonNullable<typeof child.stdin>;
    stdin.on('error', () => undefined);
    stdin.end(input);
  });
}

/** At most `limit` bytes; add() says false once they are passed. */
class Capped {
  private chunks: Buffer[] = [];
  private bytes = 0;
  over = false;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      this.over = true;
      this.chunks = [];
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** The first and the last `keep` bytes of a stream, whatever its length. */
class HeadAndTail {
  private head = Buffer.alloc(0);
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private skipped = 0;

  constructor(private readonly keep: number) {}

  add(chunk: Buffer): boolean {
    if (this.head.length < this.keep) {
      const room = this.keep - this.head.length;
      this.head = Buffer.concat([this.head, chunk.subarray(0, room)]);
      chunk = chunk.subarray(room);
    }
    if (chunk.length === 0) return true;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tail.length > 1 && this.tailBytes - (this.tail[0]?.length ?? 0) >= this.keep) {
      const dropped = this.tail.shift() as Buffer;
      this.tailBytes -= dropped.length;
      this.skipped += dropped.length;
    }
    return true;
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
