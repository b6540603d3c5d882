// The bundles (dist/cli.js, the credential helper through its launcher, the action's dist/index.js and dist/post.js)
// against the stand-ins on every system CI runs: Linux, macOS and Windows. Each credential written is checked by a
// registry round trip (token flow, push, pull check) from node; on Linux skopeo pushes with it as well.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TOKEN_USERNAME } from '../../test/support/acr';
import { actionDefaults, leakedFromStep, runAction, runStep, type StepResult } from '../../test/support/action-runner';
import { configFile, readConfig, runCli, type Home, type ProcessResult, secretAppEnv } from '../../test/support/cli-runner';
import { leakedSecrets } from '../../test/support/leaks';
import { portableHome, runOnPath, systemPath } from '../../test/support/portable-home';
import { credentialOfAuth, pushWithCredential, type BasicCredential } from '../../test/support/registry-client';
import { push as skopeoPush, SKOPEO_BINARY } from '../../test/support/skopeo';
import { startWorld, type RegistryRef, type World } from '../../test/support/world';
import { launcherDir } from '../../src/core/helper/paths';

const HELPER_NAME = 'docker-credential-acr-login';
/** skopeo is Linux's (Debian's); elsewhere the node client's round trip is the check. */
const SKOPEO = process.platform === 'linux' && existsSync(SKOPEO_BINARY);

let world: World;
const homes: Home[] = [];
/** What the steps made (their RUNNER_TEMP), removed at the end. */
const stepDirs: string[] = [];

beforeAll(async () => {
  world = await startWorld();
}, 120000);

afterAll(async () => {
  await world?.close();
  for (const dir of [...homes.map((home) => home.dir), ...stepDirs]) rmSync(dir, { recursive: true, force: true });
});

function home(extraEnv: Record<string, string> = {}): Home {
  const created = portableHome(world.caCertPath, extraEnv);
  homes.push(created);
  return created;
}

/** A home whose environment holds a service principal with a secret, as a CI job's would. */
function spHome(): Home {
  return home(secretAppEnv(world));
}

function writeDockerConfig(h: Home, text: string): void {
  mkdirSync(h.dockerConfig, { recursive: true });
  writeFileSync(configFile(h), text);
}

/** Exit 0, nothing on stdout, no secret on either stream. */
function expectCliSuccess(result: ProcessResult, secrets: string[] = world.secrets()): void {
  expect({ exit: result.exitCode, stdout: result.stdout, stderr: result.exitCode === 0 ? '' : result.stderr }).toEqual({
    exit: 0,
    stdout: '',
    stderr: ''
  });
  expect(leakedSecrets(result.log, secrets)).toEqual([]);
}

/** The credential the config's `auths` entry for the registry holds. */
function configCredential(h: Home, registry: RegistryRef): BasicCredential {
  const auth = readConfig(h).auths?.[registry.loginServer]?.auth;
  expect(typeof auth).toBe('string');
  return credentialOfAuth(auth as string);
}

/** The registry accepts the credential: a push through the token flow, then the manifest served to a pull token. */
async function expectRoundTrip(registry: RegistryRef, credential: BasicCredential, repository: string): Promise<void> {
  expect(await pushWithCredential(registry.url, credential, repository, world.image)).toEqual({
    ok: true,
    manifestDigest: world.image.manifestDigest
  });
}

async function expectSkopeoPush(h: Home, registry: RegistryRef, repository: string, env?: Record<string, string>): Promise<void> {
  if (!SKOPEO) return;
  const pushed = env
    ? await skopeoPush(configFile(h), registry.loginServer, repository, world.image.tag, world.image.dir, {
        workDir: join(world.dir, 'skopeo'),
        env
      })
    : await world.push(configFile(h), registry, repository);
  expect(pushed.ok ? 'pushed' : pushed.stderr).toBe('pushed');
}

/** `docker-credential-acr-login get` found on PATH as docker finds it (the .cmd launcher through cmd.exe on Windows). */
async function helperGet(env: Record<string, string>, server: string): Promise<BasicCredential> {
  const result = await runOnPath(HELPER_NAME, ['get'], server, env);
  expect({ exit: result.exitCode, stderr: result.stderr }).toEqual({ exit: 0, stderr: '' });
  const answer = JSON.parse(result.stdout) as { ServerURL: string; Username: string; Secret: string };
  expect(answer.Username).toBe(TOKEN_USERNAME);
  expect(answer.ServerURL).toBe(server);
  return { username: answer.Username, password: answer.Secret };
}

/** The environment with `dir` first on PATH. */
const withPath = (env: Record<string, string>, dir: string): Record<string, string> => ({
  ...env,
  PATH: [dir, systemPath()].join(delimiter)
});

describe('the round trip checks what it is given', () => {
  it('a wrong password is refused at the token endpoint, and nothing is pushed', async () => {
    const registry = world.registries.armAllowed;
    const refused = await pushWithCredential(
      registry.url,
      { username: world.admin.username, password: 'not-the-password' },
      'portable/refused',
      world.image
    );
    expect(refused).toEqual({ ok: false, why: expect.stringMatching(/^the token endpoint refused the credential: 401 /) });
  });
});

describe('the command line writes the docker config', () => {
  it('a service principal with a secret: the entry written works for a push on either registry', async () => {
    const h = spHome();
    for (const registry of [world.registries.armAllowed, world.registries.armRefused]) {
      const result = await runCli(['--registry', registry.url, '--login', 'config'], h.env);
      expectCliSuccess(result);
      const credential = configCredential(h, registry);
      expect(credential.username).toBe(TOKEN_USERNAME);
      await expectRoundTrip(registry, credential, 'portable/service-principal');
      await expectSkopeoPush(h, registry, 'portable/service-principal-skopeo');
    }
  });

  it('the admin user with --password-stdin: exactly that user and password, and they work', async () => {
    const h = home();
    const registry = world.registries.armRefused;
    const result = await runCli(
      ['--registry', registry.url, '--username', world.admin.username, '--password-stdin', '--login', 'config'],
      h.env,
      world.admin.password
    );
    expectCliSuccess(result);
    expect(configCredential(h, registry)).toEqual({ username: world.admin.username, password: world.admin.password });
    await expectRoundTrip(registry, configCredential(h, registry), 'portable/admin');
  });

  it('acr-login logout puts the entry the login replaced back, byte for byte', async () => {
    const h = home();
    const registry = world.registries.armAllowed;
    const runnerSecret = 'long-lived-runner-secret-0123456789';
    // Key order and fields as another tool wrote them: the entry must come back exactly so.
    const earlier = {
      email: 'ci@example.com',
      auth: Buffer.from(`runner:${runnerSecret}`).toString('base64'),
      serveraddress: registry.url
    };
    const other = { auth: 'a2VlcDptZQ==' };
    writeDockerConfig(h, `${JSON.stringify({ auths: { [registry.loginServer]: earlier, 'ghcr.io': other } }, null, '\t')}\n`);
    const secrets = [...world.secrets(), runnerSecret, earlier.auth];

    const login = await runCli(
      ['--registry', registry.url, '--username', world.admin.username, '--password-stdin'],
      h.env,
      world.admin.password
    );
    expectCliSuccess(login, secrets);
    await expectRoundTrip(registry, configCredential(h, registry), 'portable/before-logout');

    const logout = await runCli(['logout'], h.env);
    expect({ exit: logout.exitCode, stdout: logout.stdout }).toEqual({ exit: 0, stdout: '' });
    expect(logout.stderr).toContain(`Put back the earlier credentials for ${registry.loginServer}`);
    expect(leakedSecrets(logout.log, secrets)).toEqual([]);
    const auths = readConfig(h).auths ?? {};
    expect(JSON.stringify(auths[registry.loginServer])).toBe(JSON.stringify(earlier));
    expect(auths).toEqual({ [registry.loginServer]: earlier, 'ghcr.io': other });
  });
});

describe('login: helper, and the helper as docker runs it', () => {
  it('--login helper writes credHelpers and the launcher; found on PATH, the launcher answers get with a token the registry takes', async () => {
    const h = spHome();
    const registry = world.registries.armRefused;
    const binDir = launcherDir(h.env);
    const result = await runCli(['--registry', registry.url, '--login', 'helper'], h.env);
    expect({ exit: result.exitCode, stdout: result.stdout }).toEqual({ exit: 0, stdout: '' });
    expect(result.stderr).toContain(`${HELPER_NAME} is not on PATH: add ${binDir} to PATH`);
    expect(leakedSecrets(result.log, world.secrets())).toEqual([]);
    expect(readConfig(h).credHelpers).toEqual({ [registry.loginServer]: 'acr-login' });
    expect(readConfig(h).auths ?? {}).toEqual({});

    const env = withPath(h.env, binDir);
    const credential = await helperGet(env, registry.loginServer);
    await expectRoundTrip(registry, credential, 'portable/helper');
    await expectSkopeoPush(h, registry, 'portable/helper-skopeo', env);
  });
});

describe('login: auto (the default) picks where the credential goes from the docker config', () => {
  it('no credential store named: the config file, whose entry works', async () => {
    const h = spHome();
    const registry = world.registries.armAllowed;
    writeDockerConfig(h, JSON.stringify({ auths: { 'ghcr.io': { auth: 'a2VlcDptZQ==' } } }));
    const result = await runCli(['--registry', registry.url, '--verbose'], h.env);
    expect({ exit: result.exitCode, stdout: result.stdout }).toEqual({ exit: 0, stdout: '' });
    expect(result.stderr).toMatch(/login: config, as login is auto and the docker config names no credential store or helper/);
    expect(leakedSecrets(result.log, world.secrets())).toEqual([]);
    expect(readConfig(h).credHelpers).toBeUndefined();
    await expectRoundTrip(registry, configCredential(h, registry), 'portable/auto-config');
  });

  it('a credsStore named: a credHelpers entry for the helper, whose get answers a token the registry takes', async () => {
    const h = spHome();
    const registry = world.registries.armRefused;
    writeDockerConfig(h, JSON.stringify({ credsStore: 'desktop' }));
    const result = await runCli(['--registry', registry.url, '--verbose'], h.env);
    expect({ exit: result.exitCode, stdout: result.stdout }).toEqual({ exit: 0, stdout: '' });
    expect(result.stderr).toMatch(/login: helper, as login is auto and the docker config names credsStore 'desktop'/);
    expect(leakedSecrets(result.log, world.secrets())).toEqual([]);
    expect(readConfig(h)).toEqual({ credsStore: 'desktop', credHelpers: { [registry.loginServer]: 'acr-login' } });
    const credential = await helperGet(withPath(h.env, launcherDir(h.env)), registry.loginServer);
    await expectRoundTrip(registry, credential, 'portable/auto-helper');
  });
});

describe('the action, main and post step as the runner runs them', () => {
  const spInputs = (registry: RegistryRef, login?: string): Record<string, string> => ({
    registry: registry.url,
    'client-id': world.secretApp.clientId,
    'tenant-id': world.tenantId,
    'client-secret': world.secretApp.secret,
    'authority-host': world.entra.url,
    ...(login ? { login } : {})
  });

  /** The post step as the runner starts it: the same inputs, and what main saved as STATE_*. */
  async function runPost(inputs: Record<string, string>, env: Record<string, string>, main: StepResult): Promise<StepResult> {
    const stateEnv: Record<string, string> = {};
    for (const [name, value] of Object.entries(main.state)) stateEnv[`STATE_${name}`] = value;
    const inputEnv: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...actionDefaults(), ...inputs })) inputEnv[`INPUT_${name.toUpperCase()}`] = value;
    const post = await runStep('dist/post.js', { ...env, ...inputEnv, ...stateEnv });
    stepDirs.push(post.runnerTemp);
    expect(leakedFromStep(post.log, world.secrets())).toEqual([]);
    return post;
  }

  it('login: config writes an entry the registry takes, and the post step removes it and nothing else', async () => {
    const h = home();
    const registry = world.registries.armRefused;
    const other = { auth: 'a2VlcDptZQ==' };
    writeDockerConfig(h, JSON.stringify({ auths: { 'ghcr.io': other } }));
    const inputs = spInputs(registry, 'config');
    const { main } = await runAction(inputs, h.env);
    stepDirs.push(main.runnerTemp);
    expect({ exit: main.exitCode, errors: main.errors, warnings: main.warnings }).toEqual({ exit: 0, errors: [], warnings: [] });
    expect(leakedFromStep(main.log, world.secrets())).toEqual([]);
    expect(main.outputs['login-server']).toBe(registry.loginServer);
    expect(main.masks).toContain(main.outputs['password']);
    const credential = configCredential(h, registry);
    expect(credential).toEqual({ username: TOKEN_USERNAME, password: main.outputs['password'] });
    await expectRoundTrip(registry, credential, 'portable/action-config');
    await expectSkopeoPush(h, registry, 'portable/action-config-skopeo');

    const post = await runPost(inputs, h.env, main);
    expect({ exit: post.exitCode, errors: post.errors, warnings: post.warnings }).toEqual({ exit: 0, errors: [], warnings: [] });
    expect(readConfig(h)).toEqual({ auths: { 'ghcr.io': other } });
  });

  it('login: auto with a credsStore in config.json: the helper on the PATH of later steps answers get; post removes it', async () => {
    const h = spHome();
    const registry = world.registries.armAllowed;
    const githubPath = join(h.dir, 'github_path');
    writeFileSync(githubPath, '');
    writeDockerConfig(h, JSON.stringify({ credsStore: 'desktop' }));
    const env = { ...h.env, GITHUB_PATH: githubPath };
    const inputs = spInputs(registry);
    const { main } = await runAction(inputs, env);
    stepDirs.push(main.runnerTemp);
    expect({ exit: main.exitCode, errors: main.errors }).toEqual({ exit: 0, errors: [] });
    expect(main.debug).toContain("login: helper, as login is auto and the docker config names credsStore 'desktop'");
    expect(leakedFromStep(main.log, world.secrets())).toEqual([]);
    expect(readConfig(h)).toEqual({ credsStore: 'desktop', credHelpers: { [registry.loginServer]: 'acr-login' } });
    const binDir = readFileSync(githubPath, 'utf8').trim();
    const credential = await helperGet(withPath(env, binDir), registry.loginServer);
    await expectRoundTrip(registry, credential, 'portable/action-helper');

    const post = await runPost(inputs, env, main);
    expect({ exit: post.exitCode, errors: post.errors, warnings: post.warnings }).toEqual({ exit: 0, errors: [], warnings: [] });
    expect(readConfig(h)).toEqual({ credsStore: 'desktop' });
  });
});
