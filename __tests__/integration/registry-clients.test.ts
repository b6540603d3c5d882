// Whatever client the job runs next finds the login with no flag: after a login in each mode, Debian's podman,
// buildah and skopeo push with their own lookup (REGISTRY_AUTH_FILE, the containers auth.json files, the docker
// config), as root and as a non-root user, past a stale entry an earlier `podman login` left; the logout takes
// the login away from each of them and puts the earlier entries back byte for byte. helm is not in Debian: the
// file it reads (HELM_REGISTRY_CONFIG) is checked by skopeo reading it as helm would, as a docker-format auth file.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { leakedFromStep, runAction, runStep, StepResult } from '../../test/support/action-runner';
import { CLI, secretAppEnv } from '../../test/support/cli-runner';
import { sharedDockerEngine } from '../../test/support/docker-engine';
import { leakedSecrets } from '../../test/support/leaks';
import {
  ClientRun,
  ClientSet,
  createTestUser,
  giveTo,
  loadImage,
  outcomes,
  prepareClients,
  pushWithEach,
  removeTestUser,
  runClient,
  runtimeDir,
  TestUser
} from '../../test/support/registry-clients';
import { runProcess, type NodeRun } from '../../test/support/spawn-node';
import {
  endpointEnv,
  inputEnv,
  installTask,
  leakedFromTask,
  postJobEnv,
  runTaskStep,
  taskDefaults,
  TaskStepResult,
  spnKeyConnectionOf
} from '../../test/support/task-runner';
import { startWorld, World } from '../../test/support/world';

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';

let world: World;
let dockerHost: string;
let taskDir: string;
let root: ClientSet;
let user: TestUser | undefined;
let rootless: ClientSet;
let userHome: string;
const dirs: string[] = [];
/** A token an earlier login left: the registry refuses it. */
const staleToken = `stale-${Buffer.from(Array.from({ length: 24 }, (_, i) => i * 7)).toString('base64url')}`;

beforeAll(async () => {
  [world, dockerHost] = await Promise.all([startWorld(), sharedDockerEngine().then((engine) => engine.host)]);
  taskDir = installTask();
  dirs.push(join(taskDir, '..'));
  const registries = Object.values(world.registries).map((registry) => registry.loginServer);
  const rootDir = tempDir('clients-root-');
  root = await prepareClients({ dir: rootDir, imageDir: world.image.dir, registries });
  user = await createTestUser();
  userHome = tempDir('clients-user-');
  chmodSync(userHome, 0o755);
  rootless = await prepareClients({ dir: userHome, home: userHome, user, imageDir: world.image.dir, registries });
  writeFileSync(join(userHome, 'ca.crt'), readFileSync(world.caCertPath));
  giveTo(user, userHome);
  await Promise.all([loadImage(root, rootJob().env), loadImage(rootless, userJobEnv())]);
}, 180000);

afterAll(async () => {
  if (user) await removeTestUser(user);
  await world?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}, 60000);

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

interface Job {
  home: string;
  /** ${XDG_RUNTIME_DIR}: podman's own auth.json is `containers/auth.json` in it. */
  runtime: string;
  /** The job's environment, shared by the login step and the clients after it. No DOCKER_CONFIG: ~/.docker. */
  env: Record<string, string>;
}

function rootJob(extraEnv: Record<string, string> = {}): Job {
  const home = tempDir('clients-job-');
  const runtime = runtimeDir(home);
  return {
    home,
    runtime,
    env: { PATH: SYSTEM_PATH, HOME: home, XDG_RUNTIME_DIR: runtime, NODE_EXTRA_CA_CERTS: world.caCertPath, ...extraEnv }
  };
}

function userJobEnv(): Record<string, string> {
  return { PATH: SYSTEM_PATH, HOME: userHome, XDG_RUNTIME_DIR: join(userHome, 'run'), NODE_EXTRA_CA_CERTS: join(userHome, 'ca.crt') };
}

/** What `podman login` writes: tab-indented, no final newline; here an entry the registry now refuses, and another registry's. */
function writeStaleAuthFile(path: string, loginServer: string): string {
  const auth = (user: string, password: string): string => Buffer.from(`${user}:${password}`).toString('base64');
  const text = JSON.stringify(
    { auths: { [loginServer]: { auth: auth(TOKEN_USERNAME, staleToken) }, 'quay.io': { auth: auth('someone', 'else') } } },
    null,
    '\t'
  );
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode: 0o600 });
  return text;
}

function readJson(path: string): { auths?: Record<string, { auth?: string }>; credHelpers?: Record<string, string> } {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function decodedAuth(path: string, loginServer: string): string {
  return Buffer.from(readJson(path).auths?.[loginServer]?.auth ?? '', 'base64').toString('utf8');
}

/** The command line as the job's shell runs it, as root or as the test user. */
function runCliAs(who: TestUser | undefined, args: string[], env: Record<string, string>): Promise<NodeRun> {
  if (!who) return runProcess(process.execPath, [CLI, ...args], { env });
  return runProcess(
    '/usr/bin/setpriv',
    ['--reuid', String(who.uid), '--regid', String(who.gid), '--init-groups', process.execPath, CLI, ...args],
    {
      env
    }
  );
}

const printed: string[] = [];

function expectNoLeaks(): void {
  expect(leakedSecrets(printed.join('\n'), [...world.secrets(), staleToken])).toEqual([]);
}

function expectCli(result: NodeRun): void {
  printed.push(result.log);
  expect({ exit: result.exitCode, stdout: result.stdout }).toEqual({ exit: 0, stdout: '' });
}

function expectStep(step: StepResult | TaskStepResult): void {
  expect({ exit: step.exitCode, errors: step.errors }).toEqual({ exit: 0, errors: [] });
  const leaked = 'commands' in step ? leakedFromTask(step.log, world.secrets()) : leakedFromStep(step.log, world.secrets());
  expect(leaked).toEqual([]);
}

function expectPushed(runs: ClientRun[]): void {
  printed.push(...runs.map((run) => run.log));
  expect(outcomes(runs)).toEqual(['podman: pushed', 'buildah: pushed', 'skopeo: pushed']);
}

/** Each client got as far as the registry and was refused there: no credential left for it. */
function expectRefused(runs: ClientRun[]): void {
  printed.push(...runs.map((run) => run.log));
  const refused = (run: ClientRun): string =>
    run.exitCode !== 0 && /unauthorized|authentication required/i.test(run.stderr) ? `${run.client}: refused` : (outcomes([run])[0] ?? '');
  expect(runs.map(refused)).toEqual(['podman: refused', 'buildah: refused', 'skopeo: refused']);
}

afterEach(() => {
  expectNoLeaks();
  printed.length = 0;
});

describe('as root', () => {
  it('login: config: past a stale entry in ~/.config/containers/auth.json, and helm reads HELM_REGISTRY_CONFIG; logout puts the stale entry back byte for byte', async () => {
    const helmConfig = join(tempDir('clients-helm-'), 'registry', 'config.json');
    const job = rootJob({ ...secretAppEnv(world), HELM_REGISTRY_CONFIG: helmConfig });
    const registry = world.registries.armAllowed;
    const containersFile = join(job.home, '.config', 'containers', 'auth.json');
    const before = writeStaleAuthFile(containersFile, registry.loginServer);

    const login = await runCliAs(undefined, ['--registry', registry.url, '--login', 'config'], job.env);
    expectCli(login);
    expectPushed(await pushWithEach(root, job.env, registry.loginServer, 'clients/config'));
    expect(login.stderr).toContain(`to ${containersFile} too: podman, buildah and skopeo read it first (it exists)`);
    expect(login.stderr).toContain(`to ${helmConfig} too: helm read it first (HELM_REGISTRY_CONFIG names it)`);
    // oras, crane, buildx and kaniko read the docker config; helm its registry config: the same entry in each.
    const written = decodedAuth(join(job.home, '.docker', 'config.json'), registry.loginServer);
    expect(written.startsWith(`${TOKEN_USERNAME}:`)).toBe(true);
    expect(decodedAuth(helmConfig, registry.loginServer)).toBe(written);
    expect(decodedAuth(containersFile, 'quay.io')).toBe('someone:else');
    const byHelmsFile = await runClient(root, job.env, 'skopeo', [
      'copy',
      '--dest-authfile',
      helmConfig,
      '--dest-tls-verify=false',
      `oci:${root.imageDir}:v1`,
      `docker://${registry.loginServer}/clients/helm:v1`
    ]);
    printed.push(byHelmsFile.log);
    expect(outcomes([byHelmsFile])).toEqual(['skopeo: pushed']);

    expectCli(await runCliAs(undefined, ['logout'], job.env));
    expectRefused(await pushWithEach(root, job.env, registry.loginServer, 'clients/config'));
    expect(readFileSync(containersFile, 'utf8')).toBe(before);
    expect(readJson(helmConfig)).toEqual({ auths: {} });
  });

  it('login: helper: REGISTRY_AUTH_FILE names a file with a stale entry; the clients and helm ask the helper; the logout leaves every file as it was', async () => {
    const helmConfig = join(tempDir('clients-helm-'), 'registry', 'config.json');
    const job = rootJob({ ...secretAppEnv(world), HELM_REGISTRY_CONFIG: helmConfig });
    const registry = world.registries.armRefused;
    const named = join(job.home, 'auth', 'registry-auth.json');
    const podmansOwn = join(job.runtime, 'containers', 'auth.json');
    const namedBefore = writeStaleAuthFile(named, registry.loginServer);
    const podmansOwnBefore = writeStaleAuthFile(podmansOwn, registry.loginServer);
    job.env.REGISTRY_AUTH_FILE = named;

    const login = await runCliAs(undefined, ['--registry', registry.url, '--login', 'helper'], job.env);
    expectCli(login);
    const clientEnv = { ...job.env, PATH: `${join(job.home, '.local', 'share', 'acr-login', 'bin')}:${SYSTEM_PATH}` };
    expectPushed(await pushWithEach(root, clientEnv, registry.loginServer, 'clients/helper'));
    expect(readJson(named).credHelpers).toEqual({ [registry.loginServer]: 'acr-login' });
    expect(readJson(helmConfig)).toEqual({ credHelpers: { [registry.loginServer]: 'acr-login' } });
    expect(readFileSync(podmansOwn, 'utf8')).toBe(podmansOwnBefore);
    expect(login.stderr).toContain(`to ${named} too: podman, buildah and skopeo read it first (REGISTRY_AUTH_FILE names it)`);
    const byHelmsFile = await runClient(root, clientEnv, 'skopeo', [
      'copy',
      '--dest-authfile',
      helmConfig,
      '--dest-tls-verify=false',
      `oci:${root.imageDir}:v1`,
      `docker://${registry.loginServer}/clients/helm:v1`
    ]);
    printed.push(byHelmsFile.log);
    expect(outcomes([byHelmsFile])).toEqual(['skopeo: pushed']);

    expectCli(await runCliAs(undefined, ['logout'], job.env));
    expectRefused(await pushWithEach(root, clientEnv, registry.loginServer, 'clients/helper'));
    expect(readFileSync(named, 'utf8')).toBe(namedBefore);
    expect(readFileSync(podmansOwn, 'utf8')).toBe(podmansOwnBefore);
    expect(readJson(helmConfig)).toEqual({});
  });

  it('login: docker (the action, then its post step): REGISTRY_AUTH_FILE names a file not made yet, which podman and buildah require', async () => {
    const job = rootJob({ DOCKER_HOST: dockerHost });
    const registry = world.registries.armAllowed;
    const named = join(job.home, 'auth', 'registry-auth.json');
    job.env.REGISTRY_AUTH_FILE = named;
    const inputs = {
      registry: registry.url,
      'client-id': world.secretApp.clientId,
      'tenant-id': world.tenantId,
      'client-secret': world.secretApp.secret,
      'authority-host': world.entra.url,
      login: 'docker'
    };
    const main = await runAction(inputs, job.env);
    expectStep(main.main);
    expect(main.main.log).toContain(`docker login ${registry.loginServer} succeeded`);
    expectPushed(await pushWithEach(root, job.env, registry.loginServer, 'clients/docker'));
    expect(main.main.log).toContain(`to ${named} too: podman, buildah and skopeo read it first (REGISTRY_AUTH_FILE names it)`);

    const stateEnv = Object.fromEntries(Object.entries(main.main.state).map(([name, value]) => [`STATE_${name}`, value]));
    const post = await runStep('dist/post.js', { ...job.env, ...stateEnv });
    expectStep(post);
    expect(post.log).toContain(`Removed credentials for ${registry.loginServer} from ${named}`);
    expectRefused(await pushWithEach(root, job.env, registry.loginServer, 'clients/docker'));
    expect(readJson(named)).toEqual({ auths: {} });
  });

  it('login: auto (the task, then its post-job step): past a stale entry in ${XDG_RUNTIME_DIR}/containers/auth.json, put back by the post-job step', async () => {
    const job = rootJob({ DOCKER_HOST: dockerHost, AGENT_VERSION: '4.258.1' });
    const agentTemp = join(job.home, '_temp');
    mkdirSync(agentTemp);
    job.env.AGENT_TEMPDIRECTORY = agentTemp;
    const registry = world.registries.armAllowed;
    const podmansOwn = join(job.runtime, 'containers', 'auth.json');
    const before = writeStaleAuthFile(podmansOwn, registry.loginServer);
    const connection = spnKeyConnectionOf(world, 'clients-spn');
    const env = {
      ...job.env,
      ...inputEnv({ ...taskDefaults(taskDir), azureSubscription: connection.id, registry: registry.url, loginMode: 'auto' }),
      ...endpointEnv(connection)
    };
    const main = await runTaskStep(taskDir, 'index.js', env);
    expectStep(main);
    expectPushed(await pushWithEach(root, job.env, registry.loginServer, 'clients/auto'));
    expect(main.log).toContain(`to ${podmansOwn} too: podman, buildah and skopeo read it first (it exists)`);

    const post = await runTaskStep(taskDir, 'post.js', postJobEnv(env, main));
    expectStep(post);
    expectRefused(await pushWithEach(root, job.env, registry.loginServer, 'clients/auto'));
    expect(readFileSync(podmansOwn, 'utf8')).toBe(before);
  });
});

describe('the command line', () => {
  it('two logins, one logout: the stale entry the first replaced in the containers auth.json is what comes back', async () => {
    const job = rootJob(secretAppEnv(world));
    const registry = world.registries.armAllowed;
    const podmansOwn = join(job.runtime, 'containers', 'auth.json');
    const before = writeStaleAuthFile(podmansOwn, registry.loginServer);
    for (const round of [1, 2]) {
      const login = await runCliAs(undefined, ['--registry', registry.url, '--login', 'config'], job.env);
      expectCli(login);
      expect(`${round}: ${decodedAuth(podmansOwn, registry.loginServer)}`).toBe(
        `${round}: ${decodedAuth(join(job.home, '.docker', 'config.json'), registry.loginServer)}`
      );
    }
    expectCli(await runCliAs(undefined, ['logout'], job.env));
    expect(readFileSync(podmansOwn, 'utf8')).toBe(before);
  });

  it('two logins with --login helper, one logout: the second leaves the entries to the first, the first removes them everywhere', async () => {
    const job = rootJob(secretAppEnv(world));
    const registry = world.registries.armAllowed;
    const podmansOwn = join(job.runtime, 'containers', 'auth.json');
    const before = writeStaleAuthFile(podmansOwn, registry.loginServer);
    for (let round = 0; round < 2; round++)
      expectCli(await runCliAs(undefined, ['--registry', registry.url, '--login', 'helper'], job.env));
    expect(readJson(podmansOwn).credHelpers).toEqual({ [registry.loginServer]: 'acr-login' });
    expectCli(await runCliAs(undefined, ['logout'], job.env));
    expect(readFileSync(podmansOwn, 'utf8')).toBe(before);
    expect(readJson(join(job.home, '.docker', 'config.json'))).toEqual({});
  });
});

describe('as a non-root user (rootless podman and buildah)', () => {
  it("login: config: past a stale entry in the user's ${XDG_RUNTIME_DIR}/containers/auth.json; the logout puts it back", async () => {
    const env = { ...userJobEnv(), ...secretAppEnv(world) };
    const registry = world.registries.armAllowed;
    const podmansOwn = join(userHome, 'run', 'containers', 'auth.json');
    const before = writeStaleAuthFile(podmansOwn, registry.loginServer);
    if (user) giveTo(user, join(userHome, 'run'));

    const login = await runCliAs(user, ['--registry', registry.url, '--login', 'config'], env);
    expectCli(login);
    expectPushed(await pushWithEach(rootless, env, registry.loginServer, 'clients/rootless'));
    expect(login.stderr).toContain(`to ${podmansOwn} too`);

    expectCli(await runCliAs(user, ['logout'], env));
    expectRefused(await pushWithEach(rootless, env, registry.loginServer, 'clients/rootless'));
    expect(readFileSync(podmansOwn, 'utf8')).toBe(before);
    expect(existsSync(join(userHome, '.docker', 'config.json'))).toBe(true);
  });

  it('login: auto where the docker config names a credsStore (so: helper): podman, buildah and skopeo ask the helper past a stale entry', async () => {
    const env = { ...userJobEnv(), ...secretAppEnv(world) };
    const registry = world.registries.armRefused;
    const podmansOwn = join(userHome, 'run', 'containers', 'auth.json');
    const dockerConfig = join(userHome, '.docker', 'config.json');
    const before = writeStaleAuthFile(podmansOwn, registry.loginServer);
    const dockerBefore = JSON.stringify({ auths: {}, credsStore: 'desktop' }, null, '\t');
    writeFileSync(dockerConfig, dockerBefore);
    if (user) giveTo(user, userHome);

    expectCli(await runCliAs(user, ['--registry', registry.url], env));
    const clientEnv = { ...env, PATH: `${join(userHome, '.local', 'share', 'acr-login', 'bin')}:${SYSTEM_PATH}` };
    expectPushed(await pushWithEach(rootless, clientEnv, registry.loginServer, 'clients/rootless-auto'));
    expect(readJson(podmansOwn).credHelpers).toEqual({ [registry.loginServer]: 'acr-login' });

    expectCli(await runCliAs(user, ['logout'], env));
    expectRefused(await pushWithEach(rootless, clientEnv, registry.loginServer, 'clients/rootless-auto'));
    expect(readFileSync(podmansOwn, 'utf8')).toBe(before);
    expect(readFileSync(dockerConfig, 'utf8')).toBe(dockerBefore);
  });
});
