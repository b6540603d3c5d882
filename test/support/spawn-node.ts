import { spawn } from 'node:child_process';
import { isWindowsNode, runWindowsNode } from './wine';

export interface NodeRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, in the order they came, as a job log shows them. */
  log: string;
  durationMs: number;
}

export interface NodeRunOptions {
  /** Exactly the environment of the child, as a runner, an agent or docker starts it. */
  env: Record<string, string>;
  args?: string[];
  cwd?: string;
  /** Written to the child's standard input, then closed; without it stdin is closed at once. */
  stdin?: string;
  timeoutMs?: number;
  /** The node binary; the one running the tests by default. A Windows node.exe runs under Wine (wine.ts). */
  node?: string;
}

/** Runs `node script ARGS` with exactly `env`; killed after timeoutMs (60 s by default). */
export function runNode(script: string, options: NodeRunOptions): Promise<NodeRun> {
  if (isWindowsNode(options.node)) return runWindowsNode(script, options);
  return runProcess(options.node ?? process.execPath, [script, ...(options.args ?? [])], options);
}

/** Runs any executable the same way: exactly `env`, stdin written then closed, stdout and stderr kept apart and together. */
export function runProcess(
  executable: string,
  args: string[],
  options: Omit<NodeRunOptions, 'args' | 'node'> & { windowsVerbatimArguments?: boolean }
): Promise<NodeRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsVerbatimArguments: options.windowsVerbatimArguments
    });
    let stdout = '';
    let stderr = '';
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      log += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      log += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? -1, stdout, stderr, log, durationMs: Date.now() - started });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}
