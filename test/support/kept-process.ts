// A long-running test daemon (dockerd, squid) that cannot outlive the test process that started it.
import { spawn } from 'node:child_process';

export interface KeptProcess {
  /** The daemon's own pid (not the keeper's). */
  pid: number;
  /** Resolves when the daemon has exited (the keeper waits for it). */
  exited: Promise<void>;
  hasExited(): boolean;
  /** SIGTERM, wait for the exit; SIGKILL after `timeoutMs`. `afterKill` runs only when it came to SIGKILL. */
  stop(timeoutMs: number, afterKill?: () => void): Promise<void>;
}

// The /bin/sh keeper starts the daemon (output appended to the log file), prints its pid and exits when it exits.
// A reader on the keeper's stdin SIGTERMs the daemon when that stdin closes: on stop(), or when the test process
// dies in any way (even SIGKILL), so no daemon is left behind. (fd 3: an asynchronous list's stdin is /dev/null.)
const KEEPER = [
  'log=$1; shift',
  'exec 3<&0 </dev/null',
  '"$@" >>"$log" 2>&1 3<&- &',
  'child=$!',
  'echo "$child"',
  '{ while read -r _ <&3; do :; done; kill -TERM "$child"; } >/dev/null 2>&1 &',
  'exec 3<&-',
  'wait "$child"'
].join('\n');

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    /* already gone */
  }
}

/** Spawns `command ...args` under a keeper with exactly `env`, its stdout and stderr appended to `logPath`. */
export function spawnKept(
  command: string,
  args: string[],
  options: { env: Record<string, string>; logPath: string }
): Promise<KeptProcess> {
  const keeper = spawn('/bin/sh', ['-c', KEEPER, 'keeper', options.logPath, command, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    detached: true,
    env: options.env
  });
  keeper.stdin.on('error', () => undefined);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    keeper.once('exit', () => {
      exited = true;
      resolve();
    });
    keeper.once('error', () => {
      exited = true;
      resolve();
    });
  });
  return new Promise((resolve, reject) => {
    let firstLine = '';
    const onData = (chunk: Buffer): void => {
      firstLine += chunk.toString('utf8');
      const newline = firstLine.indexOf('\n');
      if (newline < 0) return;
      keeper.stdout.off('data', onData);
      keeper.stdout.resume();
      const pid = Number(firstLine.slice(0, newline));
      // Neither the pipes nor the child keep a test process (or jest's global setup) alive.
      keeper.unref();
      (keeper.stdout as unknown as { unref?: () => void }).unref?.();
      (keeper.stdin as unknown as { unref?: () => void }).unref?.();
      resolve({
        pid,
        exited: exitedPromise,
        hasExited: () => exited,
        async stop(timeoutMs, afterKill) {
          keeper.stdin.end();
          if (exited) return;
          signal(pid, 'SIGTERM');
          let killed = false;
          const timer = setTimeout(() => {
            killed = true;
            signal(pid, 'SIGKILL');
            if (keeper.pid !== undefined) signal(-keeper.pid, 'SIGKILL');
          }, timeoutMs);
          await exitedPromise;
          clearTimeout(timer);
          if (killed) afterKill?.();
        }
      });
    };
    keeper.stdout.on('data', onData);
    keeper.once('error', (err) => reject(new Error(`cannot start ${command}: ${err.message}`)));
    void exitedPromise.then(() => reject(new Error(`${command} did not start (keeper exited)`)));
  });
}
