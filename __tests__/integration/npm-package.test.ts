// The npm package as a user gets it: `npm pack`, then `npm install --global` of the tarball into an empty prefix
// with no network and an empty cache (so nothing can be fetched), then both commands against the stand-ins.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { TOKEN_USERNAME } from '../../test/support/acr';
import { configFile, Home, newHome, readConfig, type ProcessResult, secretAppEnv } from '../../test/support/cli-runner';
import { leakedSecrets } from '../../test/support/leaks';
import { runProcess } from '../../test/support/spawn-node';
import { startWorld, World } from '../../test/support/world';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

let world: World;
let workDir: string;
let prefix: string;
let packed: string[];
const homes: Home[] = [];

/** npm with its own empty cache, offline: any dependency it would have to fetch fails the install. */
async function npm(args: string[]): Promise<string> {
  const env = {
    ...process.env,
    npm_config_cache: join(workDir, 'npm-cache'),
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false'
  };
  const { stdout } = await run('npm', args, { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'acr-login-npm-'));
  prefix = join(workDir, 'prefix');
  const [packResult] = JSON.parse(await npm(['pack', '--json', '--pack-destination', workDir])) as {
    filename: string;
    files: { path: string }[];
  }[];
  if (!packResult) throw new Error('npm pack reported no tarball');
  packed = packResult.files.map((file) => file.path);
  await npm(['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', join(workDir, packResult.filename)]);
  world = await startWorld();
}, 180000);

afterAll(async () => {
  await world?.close();
  for (const home of homes) rmSync(home.dir, { recursive: true, force: true });
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** A shell whose PATH has the installed commands and the node they run on, nothing of the checkout. */
function home(extraEnv: Record<string, string> = {}): Home {
  const created = newHome(world.caCertPath, extraEnv);
  created.env['PATH'] = `${join(prefix, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`;
  homes.push(created);
  return created;
}

function spHome(): Home {
  return home(secretAppEnv(world));
}

/** The installed command by its name, as a shell finds it on PATH. */
function command(name: string, args: string[], h: Home, stdin = ''): Promise<ProcessResult> {
  return runProcess(name, args, { env: h.env, stdin, cwd: h.dir });
}

function expectClean(result: ProcessResult, stdout: 'empty' | 'answer' = 'empty'): void {
  expect({ exit: result.exitCode, stderr: result.exitCode === 0 ? '' : result.stderr }).toEqual({ exit: 0, stderr: '' });
  if (stdout === 'empty') expect(result.stdout).toBe('');
  expect(leakedSecrets(result.stderr, world.secrets())).toEqual([]);
}

describe('the npm package', () => {
  it('ships the bundles, their licences and the guides, and nothing of the tests', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'package.json',
        'dist/cli.js',
        'dist/cli/index.js',
        'dist/cli/index.licenses.txt',
        'dist/credential-helper.js',
        'dist/credential-helper/index.js',
        'dist/credential-helper/index.licenses.txt',
        'docs/cli.md',
        'docs/credential-helper.md'
      ])
    );
    const ofTests = packed.filter((path) =>
      /(^|\/)(__tests__|test|coverage)\/|\.test\.[jt]s$|\.map$|^src\/|^scripts\/|^tools\//.test(path)
    );
    expect(ofTests).toEqual([]);
  });

  it('declares no runtime dependency: the bundles hold everything, so an offline install fetches nothing', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest['private']).toBeUndefined();
    expect(manifest['dependencies']).toBeUndefined();
    expect(Object.keys(manifest['bin'] as object).sort()).toEqual(['acr-login', 'docker-credential-acr-login']);
  });

  it('installed globally, acr-login logs in (config), a real push succeeds, and --print prints the token', async () => {
    const registry = world.registries.armRefused;
    const h = spHome();
    expectClean(await command('acr-login', ['--registry', registry.url, '--login', 'config'], h));
    expect(readConfig(h).auths?.[registry.loginServer]?.auth).toBeDefined();
    const pushed = await world.push(configFile(h), registry, 'npm-package');
    expect(pushed.ok ? 'pushed' : pushed.stderr).toBe('pushed');

    const printed = await command('acr-login', ['--registry', registry.url, '--print'], spHome());
    expectClean(printed, 'answer');
    const answer = JSON.parse(printed.stdout) as { loginServer: string; accessToken: string; username: string };
    expect({ loginServer: answer.loginServer, username: answer.username }).toEqual({
      loginServer: registry.loginServer,
      username: TOKEN_USERNAME
    });
    expect(answer.accessToken.split('.')).toHaveLength(3);
  });

  it("installed globally, the helper's get answers as docker calls it, through the installed package", async () => {
    const registry = world.registries.armAllowed;
    const h = spHome();
    const login = await command('acr-login', ['--registry', registry.url, '--login', 'helper'], h);
    expectClean(login);
    expect(readConfig(h).credHelpers?.[registry.loginServer]).toBe('acr-login');

    // docker runs `docker-credential-acr-login get` with the server on stdin: the package's own bin here.
    const result = await command('docker-credential-acr-login', ['get'], h, registry.loginServer);
    expectClean(result, 'answer');
    const answer = JSON.parse(result.stdout) as { ServerURL: string; Username: string; Secret: string };
    expect({ ServerURL: answer.ServerURL, Username: answer.Username }).toEqual({
      ServerURL: registry.loginServer,
      Username: TOKEN_USERNAME
    });
    expect(answer.Secret.split('.')).toHaveLength(3);
  });
});
