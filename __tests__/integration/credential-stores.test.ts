// docker's native credential stores (stand-ins of wincred, osxkeychain and secretservice, test/support/credential-stores.ts)
// with the real docker CLI and engine: the default login never hands the token to a store, login: docker keeps and puts
// back the store's earlier entry, and a store's refusal is one line naming it and the way that works.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../../test/support/cli-runner';
import { installCredentialStore } from '../../test/support/credential-stores';
import { buildAndPushScratchImage, sharedDockerEngine, type DockerRun } from '../../test/support/docker-engine';
import { leakedSecrets } from '../../test/support/leaks';
import { runNode, type NodeRun } from '../../test/support/spawn-node';
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

const loginArgs = (...more: string[]): string[] => [
  '--registry',
  world.registries.armAllowed.url,
  '--client-id',
  world.secretApp.clientId,
  '--tenant-id',
  world.tenantId,
  '--authority-host',
  world.entra.url,
  ...more
];

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
    const login = await cli(loginArgs('--login', 'docker'), job);
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
      const login = await cli(loginArgs(), job);
      expect(login.exitCode).toBe(0);
      expect(config(job)).toMatchObject({ credsStore: name, credHelpers: { [server]: 'acr-login' } });
      expectPushed(await dockerPush(job, `${join(job.dir, '.local', 'share', 'acr-login', 'bin')}:`));
      expect(store.entries()).toEqual({ [server]: EARLIER });
      expect((await cli(['logout'], job)).exitCode).toBe(0);
      expect(store.entries()).toEqual({ [server]: EARLIER });
      expect(config(job)).toEqual({ credsStore: name });
    }
  );

  it('login: docker refused by the store (osxkeychain without a desktop session): one line naming the store and login: auto or helper; the earlier entry is intact', async () => {
    const job = newJob({ credsStore: 'osxkeychain' });
    const store = installCredentialStore(job.bin, 'osxkeychain', { noGui: true });
    const server = world.registries.armAllowed.loginServer;
    store.seed({ [server]: EARLIER });
    const login = await cli(loginArgs('--login', 'docker'), job);
    expect(login.exitCode).toBe(1);
    const lines = login.stderr.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toMatch(
      /^acr-login: docker login cannot keep the token in osxkeychain: .*use login: auto or login: helper/
    );
    expect(store.entries()).toEqual({ [server]: EARLIER });
  });
});
