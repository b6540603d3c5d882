import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { LoginError } from '../../lib/errors';
import type { AuthEntry } from './config';

const DOCKER_TIMEOUT_MS = 60000;

/** Windows runners name the CLI docker.exe; elsewhere it must be an executable called docker. */
const DOCKER_NAMES = process.platform === 'win32' ? ['docker.exe', 'docker.cmd'] : ['docker'];

export function dockerOnPath(env: NodeJS.ProcessEnv): boolean {
  const dirs = (env.PATH ?? env.Path ?? '').split(delimiter).filter((dir) => dir !== '');
  return dirs.some((dir) =>
    DOCKER_NAMES.some((name) => {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    })
  );
}

/** `docker login --password-stdin`: the password never appears in a command line. */
export async function dockerLogin(entry: AuthEntry): Promise<void> {
  await runDocker(['login', '--username', entry.username, '--password-stdin', entry.server], entry.password);
}

export async function dockerLogout(server: string): Promise<void> {
  await runDocker(['logout', server], '');
}

function runDocker(args: string[], stdin: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), DOCKER_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new LoginError(`cannot run docker: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const why = signal ? `was stopped after ${DOCKER_TIMEOUT_MS / 1000} s` : `exited with ${code}`;
      const said = stderr.replace(/\s+/g, ' ').trim().slice(0, 300);
      reject(new LoginError(`docker ${args[0]} ${args[args.length - 1]} ${why}${said ? `: ${said}` : ''}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
  });
}
