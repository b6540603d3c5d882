// The bundles run by Windows Node 22 under Wine (test/support/wine.ts), as on a Windows runner or agent, against the
// stand-ins: the files land where Windows tools look (the profile, %LOCALAPPDATA%), the `.cmd` launcher is found and run
// as docker finds and runs it, and a second Windows process reading the files never makes a login fail.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionDefaults, leakedFromStep, runStep } from '../../test/support/action-runner';
import { CLI, HELPER } from '../../test/support/cli-runner';
import { installCredentialStore } from '../../test/support/credential-stores';
import { leakedSecrets } from '../../test/support/leaks';
import type { NodeRun } from '../../test/support/spawn-node';
import {
  endpointEnv,
  installTask,
  inputEnv,
  leakedFromTask,
  postJobEnv,
  runTaskStep,
  spnKeyConnectionOf,
  taskDefaults
} from '../../test/support/task-runner';
import { checkWine, newWindowsProfile, runWindowsNode, WINDOWS_NODE, windowsPath, type WindowsProfile } from '../../test/support/wine';
import { startWorld, type World } from '../../test/support/world';
import { TOKEN_USERNAME } from '../../test/support/acr';

const LOOKUP = join(__dirname, '..', '..', 'test', 'support', 'windows', 'credential-lookup.cjs');
const READ_LOOP = join(__dirname, '..', '..', 'test', 'support', 'windows', 'read-loop.cjs');
const EARLIER = { auth: 'a2VlcDptZQ==' };

let world: World;
let taskDir: string;
const cleanup: string[] = [];

beforeAll(async () => {
  checkWine();
  taskDir = installTask();
  cleanup.push(join(taskDir, '..'));
  world = await startWorld();
}, 120000);

afterAll(async () => {
  await world?.close();
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

jest.setTimeout(240000);

function profile(): WindowsProfile {
  const created = newWindowsProfile();
  cleanup.push(created.root);
  return created;
}

/** What a Windows runner hands a process: its profile folders, a HOME elsewhere as Git Bash sets one (docker ignores it), the stand-ins' CA. */
function windowsEnv(p: WindowsProfile, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: 'C:\\windows\\system32;C:\\windows',
    USERPROFILE: p.userProfile,
    LOCALAPPDATA: p.localAppData,
    // Git Bash sets HOME to its own idea of the home (/c/Users/José, a folder of the current drive for Windows programs).
    HOME: windowsPath(join(p.root, 'msys-home')),
    NODE_EXTRA_CA_CERTS: windowsPath(world.caCertPath),
    ...extra
  };
}

const entra = (): string[] => ['--tenant-id', world.tenantId, '--authority-host', world.entra.url];

function cli(args: string[], env: Record<string, string>, stdin = ''): Promise<NodeRun> {
  return runWindowsNode(CLI, { args, env, stdin });
}

function helper(action: string, stdin: string, env: Record<string, string>): Promise<NodeRun> {
  return runWindowsNode(HELPER, { args: [action], env, stdin });
}

function expectSuccess(run: NodeRun): void {
  expect({ exit: run.exitCode, log: run.exitCode === 0 ? '' : run.log }).toEqual({ exit: 0, log: '' });
  expect(leakedSecrets(run.log, world.secrets())).toEqual([]);
}

async function expectPush(configPath: string, registry: { loginServer: string }, repository: string): Promise<void> {
  const pushed = await world.push(configPath, registry, repository);
  expect(pushed.ok ? 'pushed' : pushed.stderr).toBe('pushed');
}

function readJson(path: string): Record<string, Record<string, unknown>> {
  return JSON.parse(readFileSync(path, 'utf8'));
}

describe('Windows Node 22 under Wine', () => {
  it('config login with a service principal (DOCKER_CONFIG a Windows path) and with a password (the profile, not HOME): skopeo pushes with what was written', async () => {
    const p = profile();
    const registry = world.registries.armAllowed;
    const ciConfig = join(p.dir, '..', '..', 'ci', 'docker');
    const spn = await cli(
      ['--registry', registry.url, '--client-id', world.secretApp.clientId, ...entra(), '--login', 'config'],
      windowsEnv(p, { DOCKER_CONFIG: windowsPath(ciConfig), AZURE_CLIENT_SECRET: world.secretApp.secret })
    );
    expectSuccess(spn);
    await expectPush(join(ciConfig, 'config.json'), registry, 'windows-spn');

    const password = await cli(
      ['--registry', registry.url, '--username', world.scopedToken.username, '--password-stdin', '--login', 'config'],
      windowsEnv(p),
      world.scopedToken.password
    );
    expectSuccess(password);
    // docker on Windows reads %USERPROFILE%\.docker\config.json, whatever HOME says.
    const profileConfig = p.linux('.docker', 'config.json');
    expect(existsSync(profileConfig)).toBe(true);
    await expectPush(profileConfig, registry, world.scopedToken.repository);
  });

  it("helper mode: docker's own lookup finds the .cmd launcher (under a profile named outside ASCII) and its get answers with a token that pushes", async () => {
    const p = profile();
    const registry = world.registries.armAllowed;
    const env = windowsEnv(p, { AZURE_CLIENT_SECRET: world.secretApp.secret });
    const login = await cli(['--registry', registry.url, '--client-id', world.secretApp.clientId, ...entra(), '--login', 'helper'], env);
    expect({ exit: login.exitCode, stdout: login.stdout }).toEqual({ exit: 0, stdout: '' });
    expect(leakedSecrets(login.log, world.secrets())).toEqual([]);
    const binDir = `${p.localAppData}\\acr-login\\bin`;
    // The hint is for the shells of Windows: PowerShell and cmd.
    expect(login.stderr).toContain(`PowerShell: $env:Path = "${binDir};" + $env:Path; cmd: set PATH=${binDir};%PATH%`);
    const launcher = readFileSync(p.linux('AppData', 'Local', 'acr-login', 'bin', 'docker-credential-acr-login.cmd'), 'utf8');
    expect(launcher).toMatch(/^[\x20-\x7e\r\n]*$/);
    expect(launcher).toContain('%~dp0');

    const config = readJson(p.linux('.docker', 'config.json'));
    expect(config.credHelpers).toEqual({ [registry.loginServer]: 'acr-login' });
    const lookup = await runWindowsNode(LOOKUP, {
      args: ['acr-login', 'get'],
      env: { ...env, PATH: `${binDir};${env.PATH}` },
      stdin: registry.loginServer
    });
    expect({ exit: lookup.exitCode, stderr: lookup.exitCode === 0 ? '' : lookup.stderr }).toEqual({ exit: 0, stderr: '' });
    const answer = JSON.parse(lookup.stdout) as { Username: string; Secret: string };
    expect(answer.Username).toBe(TOKEN_USERNAME);
    await expectPush(await world.writeAuthFile(registry, answer.Username, answer.Secret), registry, 'windows-helper');
  });

  it('the default login where the config names credsStore wincred, with a refresh token of real size (over 3 KB, more than the Credential Manager takes): helper mode, the .cmd launcher answers with the whole token, the Credential Manager stand-in is untouched', async () => {
    const p = profile();
    const registry = world.registries.armAllowed;
    registry.acr.refreshTokens = 'realistic';
    try {
      await defaultLoginWithWincred(p, registry);
    } finally {
      registry.acr.refreshTokens = 'compact';
    }
  });

  async function defaultLoginWithWincred(p: WindowsProfile, registry: World['registries']['armAllowed']): Promise<void> {
    const bin = join(p.root, 'store-bin');
    const store = installCredentialStore(bin, 'wincred', { windows: { node: WINDOWS_NODE, path: windowsPath } });
    const earlier = { Username: 'earlier-user', Secret: 'the-user-s-own-earlier-secret' };
    store.seed({ [registry.loginServer]: earlier });
    mkdirSync(p.linux('.docker'), { recursive: true });
    writeFileSync(p.linux('.docker', 'config.json'), JSON.stringify({ credsStore: 'wincred' }));
    const env = windowsEnv(p, { AZURE_CLIENT_SECRET: world.secretApp.secret });
    env.PATH = `${windowsPath(bin)};${p.localAppData}\\acr-login\\bin;${env.PATH}`;
    expectSuccess(await cli(['--registry', registry.url, '--client-id', world.secretApp.clientId, ...entra()], env));
    expect(readJson(p.linux('.docker', 'config.json'))).toEqual({
      credsStore: 'wincred',
      credHelpers: { [registry.loginServer]: 'acr-login' }
    });
    const lookup = await runWindowsNode(LOOKUP, { args: ['acr-login', 'get'], env, stdin: registry.loginServer });
    expect({ exit: lookup.exitCode, stderr: lookup.exitCode === 0 ? '' : lookup.stderr }).toEqual({ exit: 0, stderr: '' });
    const answer = JSON.parse(lookup.stdout) as { Username: string; Secret: string };
    const token = registry.acr.lastRefreshToken() ?? '';
    expect(Buffer.byteLength(token)).toBeGreaterThan(3000);
    expect(answer).toEqual({ ServerURL: registry.loginServer, Username: TOKEN_USERNAME, Secret: token });
    await expectPush(await world.writeAuthFile(registry, answer.Username, answer.Secret), registry, 'windows-wincred');
    expectSuccess(await cli(['logout'], env));
    expect(readJson(p.linux('.docker', 'config.json'))).toEqual({ credsStore: 'wincred' });
    expect(store.entries()).toEqual({ [registry.loginServer]: earlier });
  }

  it("the action's main and post steps: the default login writes the profile's config, the post step puts the job's entry back", async () => {
    const p = profile();
    const registry = world.registries.armAllowed;
    const configPath = p.linux('.docker', 'config.json');
    mkdirSync(p.linux('.docker'), { recursive: true });
    writeFileSync(configPath, JSON.stringify({ auths: { [registry.loginServer]: EARLIER } }));
    const inputs = {
      registry: registry.url,
      'client-id': world.secretApp.clientId,
      'tenant-id': world.tenantId,
      'client-secret': world.secretApp.secret,
      'authority-host': world.entra.url
    };
    const inputEnv = Object.fromEntries(
      Object.entries({ ...actionDefaults(), ...inputs }).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value])
    );
    const env = { ...windowsEnv(p), ...inputEnv };
    const main = await runStep('dist/index.js', env, 180000, WINDOWS_NODE);
    expect({ exit: main.exitCode, errors: main.errors }).toEqual({ exit: 0, errors: [] });
    expect(leakedFromStep(main.log, world.secrets())).toEqual([]);
    expect(main.outputs['login-server']).toBe(registry.loginServer);
    expect(readJson(configPath).auths?.[registry.loginServer]).not.toEqual(EARLIER);
    await expectPush(configPath, registry, 'windows-action');
    const stateEnv = Object.fromEntries(Object.entries(main.state).map(([name, value]) => [`STATE_${name}`, value]));
    const post = await runStep('dist/post.js', { ...env, ...stateEnv }, 180000, WINDOWS_NODE);
    expect({ exit: post.exitCode, warnings: post.warnings }).toEqual({ exit: 0, warnings: [] });
    expect(leakedFromStep(post.log, world.secrets())).toEqual([]);
    expect(readJson(configPath).auths?.[registry.loginServer]).toEqual(EARLIER);
  });

  it("the task's main and post steps with a service principal connection: the profile's config is written, then put back", async () => {
    const p = profile();
    const registry = world.registries.armAllowed;
    const configPath = p.linux('.docker', 'config.json');
    mkdirSync(p.linux('.docker'), { recursive: true });
    writeFileSync(configPath, JSON.stringify({ auths: { [registry.loginServer]: EARLIER } }));
    const id = 'b7a0e5f1-3c3e-4a57-9b1c-5d2f1e0c9a11';
    const connection = endpointEnv(spnKeyConnectionOf(world, id));
    const agentTemp = p.linux('_temp');
    mkdirSync(agentTemp);
    const env = {
      ...windowsEnv(p),
      AGENT_TEMPDIRECTORY: windowsPath(agentTemp),
      AGENT_VERSION: '4.258.1',
      ...inputEnv({ ...taskDefaults(taskDir), azureSubscription: id, registry: registry.url }),
      ...connection
    };
    const main = await runTaskStep(taskDir, 'index.js', env, 180000, WINDOWS_NODE);
    expect({ exit: main.exitCode, errors: main.errors, result: main.result }).toEqual({ exit: 0, errors: [], result: undefined });
    expect(leakedFromTask(main.log, world.secrets())).toEqual([]);
    await expectPush(configPath, registry, 'windows-task');
    const post = await runTaskStep(taskDir, 'post.js', postJobEnv(env, main), 180000, WINDOWS_NODE);
    expect({ exit: post.exitCode, warnings: post.warnings }).toEqual({ exit: 0, warnings: [] });
    expect(leakedFromTask(post.log, world.secrets())).toEqual([]);
    expect(readJson(configPath).auths?.[registry.loginServer]).toEqual(EARLIER);
  });

  it("the command line's logout puts back the entry the login replaced (records under %LOCALAPPDATA%)", async () => {
    const p = profile();
    const registry = world.registries.armAllowed;
    const configPath = p.linux('.docker', 'config.json');
    mkdirSync(p.linux('.docker'), { recursive: true });
    writeFileSync(configPath, JSON.stringify({ auths: { [registry.loginServer]: EARLIER } }));
    const env = windowsEnv(p, { AZURE_CLIENT_SECRET: world.secretApp.secret });
    expectSuccess(await cli(['--registry', registry.url, '--client-id', world.secretApp.clientId, ...entra(), '--login', 'config'], env));
    expect(readJson(configPath).auths?.[registry.loginServer]).not.toEqual(EARLIER);
    expect(existsSync(p.linux('AppData', 'Local', 'acr-login', 'logins.json'))).toBe(true);
    const logout = await cli(['logout'], env);
    expectSuccess(logout);
    expect(logout.stderr).toContain(`Put back the earlier credentials for ${registry.loginServer}`);
    expect(readJson(configPath).auths?.[registry.loginServer]).toEqual(EARLIER);
  });

  it('a second Windows process reading the config and the token cache in a loop: every login, store and get succeeds', async () => {
    const p = profile();
    const registry = world.registries.armAllowed;
    const dirs = { config: p.linux('ci', 'docker'), cache: p.linux('xdg', 'cache'), data: p.linux('xdg', 'data') };
    const env = windowsEnv(p, {
      AZURE_CLIENT_SECRET: world.secretApp.secret,
      DOCKER_CONFIG: windowsPath(dirs.config),
      XDG_CACHE_HOME: windowsPath(dirs.cache),
      XDG_CONFIG_HOME: windowsPath(p.linux('xdg', 'config')),
      XDG_STATE_HOME: windowsPath(p.linux('xdg', 'state')),
      XDG_DATA_HOME: windowsPath(dirs.data)
    });
    const login = (mode: string): Promise<NodeRun> =>
      cli(['--registry', registry.url, '--client-id', world.secretApp.clientId, ...entra(), '--login', mode], env);
    expectSuccess(await login('helper'));

    const stop = p.linux('stop-reading');
    const reader = runWindowsNode(READ_LOOP, {
      args: [windowsPath(stop), windowsPath(join(dirs.config, 'config.json')), windowsPath(join(dirs.cache, 'acr-login'))],
      env: windowsEnv(p)
    });
    const runs: NodeRun[] = [];
    try {
      for (let waited = 0; !existsSync(`${stop}.started`) && waited < 600; waited++) await new Promise((r) => setTimeout(r, 200));
      for (let round = 0; round < 4; round++) {
        const got = await helper('get', registry.loginServer, env);
        runs.push(got);
        const secret = got.exitCode === 0 ? (JSON.parse(got.stdout) as { Secret: string }).Secret : '';
        runs.push(
          await helper('store', JSON.stringify({ ServerURL: registry.loginServer, Username: TOKEN_USERNAME, Secret: secret }), env)
        );
        runs.push(await login('config'));
      }
    } finally {
      writeFileSync(stop, '');
    }
    const read = await reader;
    expect(runs.map((run) => (run.exitCode === 0 ? 'ok' : run.log.trim()))).toEqual(runs.map(() => 'ok'));
    // A get answers with the token on stdout, as the protocol says; nothing else may show one.
    for (const run of runs) expect(leakedSecrets(run.stdout.includes('"Secret"') ? run.stderr : run.log, world.secrets())).toEqual([]);
    const { reads } = JSON.parse(read.stdout) as { reads: number };
    expect(reads).toBeGreaterThan(0);
    expect(readdirSync(join(dirs.cache, 'acr-login')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
