// The three faces against a real docker engine (the jest run's own dockerd): what login: docker, auto and helper
// leave is what `docker push` uses, and the post step's `docker logout` really takes the login away.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leakedFromStep, runAction, runStep, StepResult } from '../../test/support/action-runner';
import { launcherDir, newHome, runCli, secretAppEnv } from '../../test/support/cli-runner';
import { buildAndPushScratchImage, DockerRun, pushImage, sharedDockerEngine } from '../../test/support/docker-engine';
import { leakedSecrets } from '../../test/support/leaks';
import {
  endpointEnv,
  inputEnv,
  installTask,
  leakedFromTask,
  postJobEnv,
  runTaskStep,
  ServiceConnectionEnv,
  taskDefaults,
  TaskStepResult,
  spnKeyConnectionOf
} from '../../test/support/task-runner';
import { startWorld, World } from '../../test/support/world';

let world: World;
let taskDir: string;
let dockerHost: string;
const dirs: string[] = [];

beforeAll(async () => {
  dockerHost = (await sharedDockerEngine()).host;
  taskDir = installTask();
  world = await startWorld();
}, 60000);

afterAll(async () => {
  await world?.close();
  for (const dir of [...dirs, ...(taskDir ? [join(taskDir, '..')] : [])]) rmSync(dir, { recursive: true, force: true });
});

interface Job {
  dir: string;
  dockerConfig: string;
  /** The step's environment: the docker CLI on PATH, talking to the test engine. */
  env: Record<string, string>;
}

function newJob(extraEnv: Record<string, string> = {}): Job {
  const dir = mkdtempSync(join(tmpdir(), 'engine-job-'));
  dirs.push(dir);
  const dockerConfig = join(dir, '.docker');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    DOCKER_CONFIG: dockerConfig,
    DOCKER_HOST: dockerHost,
    NODE_EXTRA_CA_CERTS: world.caCertPath,
    ...extraEnv
  };
  return { dir, dockerConfig, env };
}

function auths(job: Job): Record<string, unknown> {
  const file = join(job.dockerConfig, 'config.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')).auths ?? {}) : {};
}

function credHelpers(job: Job): Record<string, string> | undefined {
  return JSON.parse(readFileSync(join(job.dockerConfig, 'config.json'), 'utf8')).credHelpers;
}

let images = 0;

/** `docker build` of a one-layer scratch image and `docker push` of it to the registry, with the job's docker config. */
async function dockerPush(job: Job, registry: { loginServer: string }, pathPrefix?: string): Promise<DockerRun & { image: string }> {
  const image = `${registry.loginServer}/engine/image-${++images}:v1`;
  const env: Record<string, string> = { HOME: job.dir };
  if (pathPrefix) env.PATH = `${pathPrefix}:${process.env.PATH ?? ''}`;
  const pushed = await buildAndPushScratchImage(image, { host: dockerHost, dockerConfig: job.dockerConfig, workDir: job.dir, env });
  return { ...pushed, image };
}

function expectPushed(pushed: DockerRun & { step?: string }): void {
  expect(pushed.exitCode === 0 ? 'pushed' : `${pushed.step ?? 'push'} failed: ${pushed.stderr}`).toBe('pushed');
}

function stateEnvOf(main: StepResult): Record<string, string> {
  return Object.fromEntries(Object.entries(main.state).map(([name, value]) => [`STATE_${name}`, value]));
}

function expectStep(step: StepResult | TaskStepResult): void {
  expect({ exit: step.exitCode, errors: step.errors }).toEqual({ exit: 0, errors: [] });
  const leaked = 'commands' in step ? leakedFromTask(step.log, world.secrets()) : leakedFromStep(step.log, world.secrets());
  expect(leaked).toEqual([]);
}

const spInputs = (): Record<string, string> => ({
  registry: world.registries.armAllowed.url,
  'client-id': world.secretApp.clientId,
  'tenant-id': world.tenantId,
  'client-secret': world.secretApp.secret,
  'authority-host': world.entra.url
});

describe('the action', () => {
  it('login: docker: docker login through the action’s docker runner, a real docker push, then the post step logs docker out', async () => {
    const job = newJob();
    const registry = world.registries.armAllowed;
    const run = await runAction({ ...spInputs(), login: 'docker' }, job.env, { post: false });
    expectStep(run.main);
    expect(run.main.log).toContain(`docker login ${registry.loginServer} succeeded`);
    expect(auths(job)[registry.loginServer]).toBeDefined();
    const pushed = await dockerPush(job, registry);
    expectPushed(pushed);

    const post = await runStep('dist/post.js', { ...job.env, ...stateEnvOf(run.main) });
    expectStep(post);
    expect(post.log).toContain(`docker logout ${registry.loginServer} succeeded`);
    expect(auths(job)[registry.loginServer]).toBeUndefined();
    const afterLogout = await pushImage(pushed.image, { host: dockerHost, dockerConfig: job.dockerConfig, env: { HOME: job.dir } });
    expect(afterLogout.exitCode).not.toBe(0);
  });

  it('login: auto with docker on PATH and no credential store: the config written without docker, a real push, then removed', async () => {
    const job = newJob();
    const registry = world.registries.armAllowed;
    const run = await runAction({ ...spInputs(), login: 'auto' }, job.env, { post: false });
    expectStep(run.main);
    expect(run.main.log).not.toContain('docker login');
    expect(run.main.debug).toContain(
      'login: config, as login is auto and the docker config names no credential store or helper for these registries'
    );
    const pushed = await dockerPush(job, registry);
    expectPushed(pushed);

    const post = await runStep('dist/post.js', { ...job.env, ...stateEnvOf(run.main) });
    expectStep(post);
    expect(auths(job)[registry.loginServer]).toBeUndefined();
    const afterLogout = await pushImage(pushed.image, { host: dockerHost, dockerConfig: job.dockerConfig, env: { HOME: job.dir } });
    expect(afterLogout.exitCode).not.toBe(0);
  });

  it("login: auto where the config names a credsStore: a credHelpers entry for the helper wins over it, and the store's key stays", async () => {
    const job = newJob();
    mkdirSync(job.dockerConfig, { recursive: true });
    writeFileSync(join(job.dockerConfig, 'config.json'), JSON.stringify({ credsStore: 'desktop' }));
    const githubPath = join(job.dir, 'github_path');
    writeFileSync(githubPath, '');
    const registry = world.registries.armAllowed;
    const run = await runAction({ ...spInputs(), login: 'auto' }, { ...job.env, GITHUB_PATH: githubPath }, { post: false });
    expectStep(run.main);
    expect(run.main.debug).toContain("login: helper, as login is auto and the docker config names credsStore 'desktop'");
    expect(credHelpers(job)).toEqual({ [registry.loginServer]: 'acr-login' });
    expectPushed(await dockerPush(job, registry, readFileSync(githubPath, 'utf8').trim()));

    const post = await runStep('dist/post.js', { ...job.env, ...stateEnvOf(run.main) });
    expectStep(post);
    expect(JSON.parse(readFileSync(join(job.dockerConfig, 'config.json'), 'utf8'))).toEqual({ credsStore: 'desktop' });
  });

  it('login: helper: docker asks the credential helper the step put on PATH, and pushes', async () => {
    const job = newJob();
    const githubPath = join(job.dir, 'github_path');
    writeFileSync(githubPath, '');
    const registry = world.registries.armRefused;
    const run = await runAction({ ...spInputs(), registry: registry.url, login: 'helper' }, { ...job.env, GITHUB_PATH: githubPath });
    expectStep(run.main);
    expect(credHelpers(job)).toEqual({ [registry.loginServer]: 'acr-login' });
    const binDir = readFileSync(githubPath, 'utf8').trim();
    const exchanges = world.requests.count('acr-exchange');
    expectPushed(await dockerPush(job, registry, binDir));
    // The helper handed docker the token the step cached: no new exchange.
    expect(world.requests.count('acr-exchange')).toBe(exchanges);
  });
});

describe('the task', () => {
  function spnKeyConnection(): ServiceConnectionEnv {
    return spnKeyConnectionOf(world, 'engine-spn');
  }

  function taskJob(): Job & { agentTemp: string } {
    const job = newJob();
    const agentTemp = join(job.dir, '_temp');
    mkdirSync(agentTemp);
    return { ...job, agentTemp, env: { ...job.env, AGENT_TEMPDIRECTORY: agentTemp, AGENT_VERSION: '4.258.1' } };
  }

  function taskEnv(job: Job, loginMode: string, registry: { url: string }): Record<string, string> {
    const connection = spnKeyConnection();
    return {
      ...job.env,
      ...inputEnv({ ...taskDefaults(taskDir), azureSubscription: connection.id, registry: registry.url, loginMode }),
      ...endpointEnv(connection)
    };
  }

  it.each(['docker'])('loginMode: %s: docker login, a real docker push, then the post-job step logs docker out', async (loginMode) => {
    const job = taskJob();
    const registry = world.registries.armAllowed;
    const env = taskEnv(job, loginMode, registry);
    const main = await runTaskStep(taskDir, 'index.js', env);
    expectStep(main);
    expect(main.log).toContain(`docker login ${registry.loginServer} succeeded`);
    const pushed = await dockerPush(job, registry);
    expectPushed(pushed);

    const post = await runTaskStep(taskDir, 'post.js', postJobEnv(env, main));
    expectStep(post);
    expect(post.log).toContain(`docker logout ${registry.loginServer} succeeded`);
    expect(auths(job)[registry.loginServer]).toBeUndefined();
  });

  it('loginMode: auto with docker on PATH and no credential store: the config written without docker, a real push, then removed', async () => {
    const job = taskJob();
    const registry = world.registries.armAllowed;
    const env = taskEnv(job, 'auto', registry);
    const main = await runTaskStep(taskDir, 'index.js', env);
    expectStep(main);
    expect(main.log).not.toContain('docker login');
    expect(main.log).toContain(`Wrote credentials for ${registry.loginServer} to`);
    expectPushed(await dockerPush(job, registry));

    const post = await runTaskStep(taskDir, 'post.js', postJobEnv(env, main));
    expectStep(post);
    expect(auths(job)[registry.loginServer]).toBeUndefined();
  });

  it('loginMode: helper: docker asks the credential helper the task put on PATH, and pushes', async () => {
    const job = taskJob();
    const registry = world.registries.armRefused;
    const main = await runTaskStep(taskDir, 'index.js', taskEnv(job, 'helper', registry));
    expectStep(main);
    const binDir = main.commands.find((command) => command.command === 'task.prependpath')?.message ?? '';
    expect(binDir).toBe(join(job.agentTemp, 'acr-login-bin'));
    expect(credHelpers(job)).toEqual({ [registry.loginServer]: 'acr-login' });
    expectPushed(await dockerPush(job, registry, binDir));
  });
});

describe('the command line', () => {
  it('--login helper: docker asks the credential helper in the launcher directory, and pushes', async () => {
    const home = newHome(world.caCertPath, {
      DOCKER_HOST: dockerHost,
      ...secretAppEnv(world)
    });
    dirs.push(home.dir);
    const registry = world.registries.armAllowed;
    const result = await runCli(['--registry', registry.url, '--login', 'helper'], home.env);
    expect({ exit: result.exitCode, stdout: result.stdout }).toEqual({ exit: 0, stdout: '' });
    expect(leakedSecrets(result.stderr, world.secrets())).toEqual([]);
    const job: Job = { dir: home.dir, dockerConfig: home.dockerConfig, env: home.env };
    expect(credHelpers(job)).toEqual({ [registry.loginServer]: 'acr-login' });
    expectPushed(await dockerPush(job, registry, launcherDir(home)));
  });
});
