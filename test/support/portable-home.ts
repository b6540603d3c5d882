// A user's home and environment as each system has them (HOME on Linux and macOS; USERPROFILE and LOCALAPPDATA on
// Windows, with the variables Windows programs need), and programs run as a shell or docker finds them on PATH.
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Home } from './cli-runner';
import { runProcess, type NodeRun } from './spawn-node';
import { findOnPath } from './standin-platform';

const WINDOWS = process.platform === 'win32';

/** The system's own directories for PATH: the ones holding sh and the usual tools, or Windows' System32. */
export function systemPath(): string {
  if (!WINDOWS) return '/usr/bin:/bin';
  const root = process.env['SystemRoot'] ?? 'C:\\Windows';
  return [join(root, 'System32'), root].join(';');
}

/** What Windows programs (cmd.exe, node.exe, Go) expect in any environment, from this process's. */
function windowsBasics(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['SystemRoot', 'windir', 'ComSpec', 'PATHEXT', 'TEMP', 'TMP']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * A fresh home in the temp folder, named by its real path (macOS's temp folder is behind a symbolic link, Windows' may
 * be a short 8.3 name), and a clean environment for it: no DOCKER_CONFIG, so the product finds `.docker` as docker
 * does, the stand-ins' CA trusted.
 */
export function portableHome(caCertPath: string, extraEnv: Record<string, string> = {}): Home {
  const dir = realpathSync.native(mkdtempSync(join(tmpdir(), 'acr-login-home-')));
  const profile: Record<string, string> = WINDOWS
    ? {
        ...windowsBasics(),
        USERPROFILE: dir,
        LOCALAPPDATA: join(dir, 'AppData', 'Local'),
        APPDATA: join(dir, 'AppData', 'Roaming')
      }
    : {};
  return {
    dir,
    dockerConfig: join(dir, '.docker'),
    env: { PATH: systemPath(), HOME: dir, ...profile, NODE_EXTRA_CA_CERTS: caCertPath, ...extraEnv }
  };
}

/**
 * Runs `name ARGS` as docker runs a credential helper: found on the environment's PATH (a `.cmd` through PATHEXT on
 * Windows, which runs in cmd.exe as Go's exec runs a batch file), with `stdin` written then closed.
 */
export async function runOnPath(name: string, args: string[], stdin: string, env: Record<string, string>): Promise<NodeRun> {
  const program = findOnPath(name, env);
  if (!program) throw new Error(`${name} is not on PATH (${env['PATH'] ?? ''})`);
  if (!WINDOWS) return runProcess(program, args, { env, stdin });
  const command = [`"${program}"`, ...args].join(' ');
  return runProcess(env['ComSpec'] ?? process.env['ComSpec'] ?? 'cmd.exe', ['/d', '/s', '/c', `"${command}"`], {
    env,
    stdin,
    windowsVerbatimArguments: true
  });
}
