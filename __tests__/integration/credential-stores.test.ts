// docker's native credential stores (stand-ins of wincred, osxkeychain and secretservice, test/support/credential-stores.ts)
// with the real docker CLI and engine: the default login never hands the token to a store, login: docker keeps and puts
// back the store's earlier entry, and a store's refusal is one line naming it and the way that works.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOKEN_USERNAME } from '../../test/support/acr';
import { actionDefaults, runAction, runStep } from '../../test/support/action-runner';
import { CLI, secretAppLoginArgs } from '../../test/support/cli-runner';
import { installCredentialStore } from '../../test/support/credential-stores';
import { buildAndPushScratchImage, sharedDockerEngine, type DockerRun } from '../../test/support/docker-engine';
import { leakedSecrets } from '../../test/support/leaks';
import { runNode, runProcess, type NodeRun } from '../../test/support/spawn-node';
import {
  endpointEnv,
  inputEnv,
  installTask,
  postJobEnv,
  runTaskStep,
  taskDefaults,
  spnKeyConnectionOf
} from '../../test/support/task-runner';
import { startWorld, type World } from '../../test/support/world';

let world: World;
let dockerHost: string;
const dirs: string[] = [];
const EARLIER = { Username: 'earlier-user', Secret: 'the-user-s-own-earlier-secret' };

beforeAll(async () => {
  dockerHost = (await sharedDockerEngine()).host;
  world = await startWorld();
}, 60000);

afterAll(async () => {
  await world?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Job {
  dir: string;
  bin: string;
  dockerConfig: string;
  env: Record<string, string>;
}

function newJob(config?: object): Job {
  const dir = mkdtempSync(join(tmpdir(), 'store-job-'));
  dirs.push(dir);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const dockerConfig = join(dir, '.docker');
  if (config) {
    mkdirSync(dockerConfig);
    writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify(config));
  }
  const env = {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: dir,
    DOCKER_CONFIG: dockerConfig,
    DOCKER_HOST: dockerHost,
    NODE_EXTRA_CA_CERTS: world.caCertPath,
    AZURE_CLIENT_SECRET: world.secretApp.secret
  };
  return { dir, bin, dockerConfig, env };
}

function config(job: Job): Record<string, unknown> {
  const file = join(job.dockerConfig, 'config.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
}

async function cli(args: string[], job: Job): Promise<NodeRun> {
  const run = await runNode(CLI, { args, env: job.env });
  expect(leakedSecrets(run.log, [...world.secrets(), EARLIER.Secret])).toEqual([]);
  return run;
}

let images = 0;
async function dockerPush(job: Job, extraPath = ''): Promise<DockerRun & { step: string }> {
  const image = `${world.registries.armAllowed.loginServer}/stores/image-${++images}:v1`;
  return buildAndPushScratchImage(image, {
    host: dockerHost,
    dockerConfig: job.dockerConfig,
    workDir: job.dir,
    env: { HOME: job.dir, PATH: `${extraPath}${job.env.PATH}` }
  });
}

function expectPushed(pushed: DockerRun & { step: string }): void {
  expect(pushed.exitCode === 0 ? 'pushed' : `${pushed.step} failed: ${pushed.stderr}`).toBe('pushed');
}

describe('native credential stores, with the real docker CLI', () => {
  it('login: docker with the store docker picks by itself (secretservice on PATH): it pushes; the logout puts the earlier entry back and leaves no credsStore', async () => {
    const job = newJob();
    const store = installCredentialStore(job.bin, 'secretservice');
    const server = world.registries.armAllowed.loginServer;
    store.seed({ [server]: EARLIER });
    const login = await cli(secretAppLoginArgs(world, '--login', 'docker'), job);
    expect({ exit: login.exitCode, stderr: login.exitCode === 0 ? '' : login.stderr }).toEqual({ exit: 0, stderr: '' });
    expect(config(job).credsStore).toBe('secretservice');
    expect(store.entries()[server]?.Secret).not.toBe(EARLIER.Secret);
    expectPushed(await dockerPush(job));
    const logout = await cli(['logout'], job);
    expect(logout.exitCode).toBe(0);
    expect(store.entries()[server]).toEqual(EARLIER);
    expect(config(job)).not.toHaveProperty('credsStore');
  });

  it.each(['wincred', 'desktop'])(
    'the default login with credsStore %s named: helper mode, docker pushes, and the store and credsStore are as they were after the logout',
    async (name) => {
      const job = newJob({ credsStore: name });
      const store = installCredentialStore(job.bin, name);
      const server = world.registries.armAllowed.loginServer;
      store.seed({ [server]: EARLIER });
      const login = await cli(secretAppLoginArgs(world), job);
      expect(login.exitCode).toBe(0);
      expect(config(job)).toMatchObject({ credsStore: name, credHelpers: { [server]: 'acr-login' } });
      expectPushed(await dockerPush(job, `${join(job.dir, '.local', 'share', 'acr-login', 'bin')}:`));
      expect(store.entries()).toEqual({ [server]: EARLIER });
      expect((await cli(['logout'], job)).exitCode).toBe(0);
      expect(store.entries()).toEqual({ [server]: EARLIER });
      expect(config(job)).toEqual({ credsStore: name });
    }
  );

  it('login: config with credsStore wincred named: the warning names the store and points to login: auto or helper, not to login: docker', async () => {
    const job = newJob({ credsStore: 'wincred' });
    installCredentialStore(job.bin, 'wincred');
    const login = await cli(secretAppLoginArgs(world, '--login', 'config'), job);
    expect(login.exitCode).toBe(0);
    const warnings = login.stderr.split('\n').filter((line) => line.startsWith('warning: '));
    expect(warnings).toEqual([expect.stringMatching(/names credsStore 'wincred': .*use login: auto or login: helper/)]);
    expect(warnings.join('\n')).not.toContain('login: docker');
  });

  it('login: docker refused by the store (osxkeychain without a desktop session): one line naming the store and login: auto or helper; the earlier entry is intact', async () => {
    const job = newJob({ credsStore: 'osxkeychain' });
    const store = installCredentialStore(job.bin, 'osxkeychain', { noGui: true });
    const server = world.registries.armAllowed.loginServer;
    store.seed({ [server]: EARLIER });
    const login = await cli(secretAppLoginArgs(world, '--login', 'docker'), job);
    expect(login.exitCode).toBe(1);
    const lines = login.stderr.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toMatch(
      /^acr-login: docker login cannot keep the token in osxkeychain: .*use login: auto or login: helper/
    );
    expect(store.entries()).toEqual({ [server]: EARLIER });
  });
});

// Real ACR refresh tokens run from 2.4 KB to over 3 KB; the stand-in's default ones (2.5 KB) fit in wincred's 2,560
// bytes. Here the registry issues tokens of real size (test/support/acr.ts, refreshTokens: 'realistic').
describe('ACR refresh tokens of real size (about 3.2 KB) and the Windows stores (wincred, desktop), with the real docker CLI', () => {
  let taskDir: string;
  const registry = (): World['registries']['armAllowed'] => world.registries.armAllowed;

  beforeAll(() => {
    taskDir = installTask();
    dirs.push(join(taskDir, '..'));
    registry().acr.refreshTokens = 'realistic';
  });

  afterAll(() => {
    if (world) registry().acr.refreshTokens = 'compact';
  });

  interface FaceRun {
    exitCode: number;
    /** The error lines the face shows the user (the CLI's stderr, the ::error:: or task.issue lines). */
    errors: string[];
    log: string;
    /** Where a helper-mode login put the helper's launcher (for docker's PATH). */
    helperBin: string;
    /** The face's logout: `acr-login logout`, the action's post step, the task's post-job step. */
    logout(): Promise<{ exitCode: number; log: string }>;
  }

  interface Face {
    name: string;
    login(job: Job, mode: 'auto' | 'docker'): Promise<FaceRun>;
  }

  const faces: Face[] = [
    {
      name: 'the command line',
      async login(job, mode) {
        const run = await runNode(CLI, { args: secretAppLoginArgs(world, ...(mode === 'auto' ? [] : ['--login', mode])), env: job.env });
        return {
          exitCode: run.exitCode,
          errors: run.stderr.split('\n').filter((line) => line.startsWith('acr-login: ')),
          log: run.log,
          helperBin: join(job.dir, '.local', 'share', 'acr-login', 'bin'),
          logout: () => runNode(CLI, { args: ['logout'], env: job.env })
        };
      }
    },
    {
      name: 'the action',
      async login(job, mode) {
        const githubPath = join(job.dir, 'github_path');
        writeFileSync(githubPath, '');
        const inputs = {
          registry: world.registries.armAllowed.url,
          'client-id': world.secretApp.clientId,
          'tenant-id': world.tenantId,
          'client-secret': world.secretApp.secret,
          'authority-host': world.entra.url,
          login: mode
        };
        const env = { ...job.env, GITHUB_PATH: githubPath };
        const { main } = await runAction(inputs, env);
        const stateEnv = Object.fromEntries(Object.entries(main.state).map(([name, value]) => [`STATE_${name}`, value]));
        const inputEnv = Object.fromEntries(
          Object.entries({ ...actionDefaults(), ...inputs }).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value])
        );
        return {
          exitCode: main.exitCode,
          errors: main.errors,
          log: main.log
            .split('\n')
            .filter((line) => !line.startsWith('::add-mask::'))
            .join('\n'),
          helperBin: readFileSync(githubPath, 'utf8').trim(),
          logout: async () => {
            const post = await runStep('dist/post.js', { ...env, ...inputEnv, ...stateEnv });
            return { exitCode: post.exitCode, log: post.log };
          }
        };
      }
    },
    {
      name: 'the task',
      async login(job, mode) {
        const agentTemp = join(job.dir, '_temp');
        mkdirSync(agentTemp, { recursive: true });
        const connection = spnKeyConnectionOf(world, 'store-spn');
        const env = {
          ...job.env,
          AGENT_TEMPDIRECTORY: agentTemp,
          AGENT_VERSION: '4.258.1',
          ...inputEnv({
            ...taskDefaults(taskDir),
            azureSubscription: connection.id,
            registry: world.registries.armAllowed.url,
            loginMode: mode
          }),
          ...endpointEnv(connection)
        };
        const main = await runTaskStep(taskDir, 'index.js', env);
        return {
          exitCode: main.exitCode,
          errors: main.errors,
          log: main.log
            .split('\n')
            .filter((line) => !line.startsWith('##vso[task.setsecret]') && !/^##vso\[task\.setvariable [^\]]*issecret=true;/.test(line))
            .join('\n'),
          helperBin: main.commands.find((command) => command.command === 'task.prependpath')?.message ?? '',
          logout: () => runTaskStep(taskDir, 'post.js', postJobEnv(env, main))
        };
      }
    }
  ];

  /** No part of the token in the log: not whole, nor its claims or its signature (the JWT's segments). */
  function expectNothingOf(token: string, log: string): void {
    expect(leakedSecrets(log, [...world.secrets(), EARLIER.Secret])).toEqual([]);
    expect(token.split('.').filter((segment) => segment.length >= 16 && log.includes(segment))).toEqual([]);
  }

  /** The refresh token the exchange issued last: the one this login got. */
  function lastIssued(): string {
    return registry().acr.lastRefreshToken() ?? '';
  }

  const cases = faces.flatMap((face) => ['wincred', 'desktop'].map((store) => [face.name, store, face] as const));

  it.each(cases)(
    '%s, login: docker, credsStore %s: the store refuses the token and the login fails with one line naming the store and login: auto or helper; the earlier entry and the config stay, the logout leaves them so',
    async (_face, name, face) => {
      const job = newJob({ credsStore: name });
      const store = installCredentialStore(job.bin, name);
      const server = registry().loginServer;
      store.seed({ [server]: EARLIER });
      const login = await face.login(job, 'docker');
      const token = lastIssued();
      expect(Buffer.byteLength(token)).toBeGreaterThan(3000);
      expect({ exit: login.exitCode, errors: login.errors }).toEqual({
        exit: 1,
        errors: [
          expect.stringMatching(
            new RegExp(
              `^(acr-login: )?docker login cannot keep the token in ${name} \\(the Windows Credential Manager takes secrets of at most 2,560 bytes; ACR refresh tokens are often longer\\): use login: auto or login: helper, which never hand the token to a store$`
            )
          )
        ]
      });
      expect(login.log).not.toMatch(/Error saving credentials|stub received bad data/i);
      expectNothingOf(token, login.log);
      expect(store.entries()).toEqual({ [server]: EARLIER });
      expect(config(job)).toEqual({ credsStore: name });

      const logout = await login.logout();
      expect(logout.exitCode).toBe(0);
      expectNothingOf(token, logout.log);
      expect(store.entries()).toEqual({ [server]: EARLIER });
      expect(config(job)).toEqual({ credsStore: name });
    }
  );

  it.each(cases)(
    '%s, the default login, credsStore %s: helper mode; the helper hands docker the whole token, docker pushes, and the logout leaves the store and the config as they were',
    async (_face, name, face) => {
      const job = newJob({ credsStore: name });
      const store = installCredentialStore(job.bin, name);
      const server = registry().loginServer;
      store.seed({ [server]: EARLIER });
      const login = await face.login(job, 'auto');
      const token = lastIssued();
      expect(Buffer.byteLength(token)).toBeGreaterThan(3000);
      expect({ exit: login.exitCode, errors: login.errors }).toEqual({ exit: 0, errors: [] });
      expectNothingOf(token, login.log);
      expect(config(job)).toEqual({ credsStore: name, credHelpers: { [server]: 'acr-login' } });
      expect(store.entries()).toEqual({ [server]: EARLIER });

      const got = await runProcess(join(login.helperBin, 'docker-credential-acr-login'), ['get'], { env: job.env, stdin: server });
      expect({ exit: got.exitCode, stderr: got.stderr }).toEqual({ exit: 0, stderr: '' });
      expect(JSON.parse(got.stdout)).toEqual({ ServerURL: server, Username: TOKEN_USERNAME, Secret: token });
      expectPushed(await dockerPush(job, `${login.helperBin}:`));
      expect(store.entries()).toEqual({ [server]: EARLIER });

      const logout = await login.logout();
      expect(logout.exitCode).toBe(0);
      expectNothingOf(token, logout.log);
      expect(store.entries()).toEqual({ [server]: EARLIER });
      expect(config(job)).toEqual({ credsStore: name });
    }
  );
});
