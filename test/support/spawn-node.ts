import { spawn } from 'node:child_process';

export interface NodeRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, in the order they came, as a job log shows them. */
  log: string;
}

/** Runs `node script` with exactly `env`, as a runner or an agent starts a step; killed after timeoutMs. */
export function spawnNode(script: string, env: Record<string, string>, options: { cwd?: string; timeoutMs: number }): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
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
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? -1, stdout, stderr, log });
    });
  });
}
