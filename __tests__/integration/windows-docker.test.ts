// A Windows docker CLI under Wine (docker.exe: Debian's docker.io 20.10 CLI built for Windows by scripts/docker-win.sh)
// run by the command line's bundle on Windows Node 22, as on a Windows runner with Docker's wincred store: docker.exe
// reaches the test's docker engine over tcp:// (a relay to its socket), logs in through it, and hands the token to a
// wincred-like store (test/support/credential-stores.ts) that refuses secrets over 2,560 bytes as the Credential
// Manager does. The store is an .exe, as the real one is (test/support/windows/exe-launcher.go says why).
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join, win32 } from 'node:path';
import { TOKEN_USERNAME } from '../../test/support/acr';
import { CLI, secretAppLoginArgs } from '../../test/support/cli-runner';
import { installCredentialStore, type CredentialStore } from '../../test/support/credential-stores';
import { buildScratchImage, sharedDockerEngine } from '../../test/support/docker-engine';
import { leakedSecrets } from '../../test/support/leaks';
import type { NodeRun } from '../../test/support/spawn-node';
import {
  checkDockerWin,
  checkWine,
  DOCKER_WIN,
  newWindowsProfile,
  runWindowsNode,
  WINDOWS_NODE,
  windowsPath,
  type WindowsProfile
} from '../../test/support/wine';
import { startWorld, type World } from '../../test/support/world';

const EARLIER = { Username: 'earlier-user', Secret: 'the-user-s-own-earlier-secret' };
const RUN_DOCKER = join(__dirname, '..', '..', 'test', 'support', 'windows', 'run-docker.cjs');

let world: World;
let relay: Server;
const sockets = new Set<Socket>();
let dockerHost: string;
let engineHost: string;
const cleanup: string[] = [];

/** tcp://127.0.0.1:PORT in front of the engine's unix socket: a Windows docker.exe has no unix-socket transport. */
async function relayTo(socketPath: string): Promise<Server> {
  const server = createServer((client) => {
    const engine = connect(socketPath);
    for (const socket of [client, engine]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => (socket === client ? engine : client).destroy());
    }
    client.pipe(engine).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

beforeAll(async () => {
  checkWine();
  checkDockerWin();
  const engine = await sharedDockerEngine();
  engineHost = engine.host;
  [world, relay] = await Promise.all([startWorld(), relayTo(engine.host.replace(/^unix:\/\//, ''))]);
  dockerHost = `tcp://127.0.0.1:${(relay.address() as AddressInfo).port}`;
}, 120000);

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => relay?.close(resolve));
  await world?.close();
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

jest.setTimeout(240000);

interface Job {
  profile: WindowsProfile;
  store: CredentialStore;
  env: Record<string, string>;
  config(): Record<string, unknown>;
}

/** A Windows profile whose docker config names credsStore wincred, the store holding the user's own entry for the registry. */
function newJob(): Job {
  const profile = newWindowsProfile();
  cleanup.push(profile.root);
  const bin = join(profile.root, 'store-bin');
  const store = installCredentialStore(bin, 'wincred', {
    windows: { node: WINDOWS_NODE, path: windowsPath, exeLauncher: join(DOCKER_WIN, 'exe-launcher.exe') }
  });
  store.seed({ [world.registries.armAllowed.loginServer]: EARLIER });
  const configPath = profile.linux('.docker', 'config.json');
  mkdirSync(profile.linux('.docker'), { recursive: true });
  writeFileSync(configPath, JSON.stringify({ credsStore: 'wincred' }));
  return {
    profile,
    store,
    env: {
      PATH: `${windowsPath(bin)};${windowsPath(DOCKER_WIN)};C:\\windows\\system32;C:\\windows`,
      USERPROFILE: profile.userProfile,
      LOCALAPPDATA: profile.localAppData,
      DOCKER_HOST: dockerHost,
      NODE_EXTRA_CA_CERTS: windowsPath(world.caCertPath),
      AZURE_CLIENT_SECRET: world.secretApp.secret
    },
    config: () => JSON.parse(readFileSync(configPath, 'utf8'))
  };
}

async function cli(args: string[], job: Job): Promise<NodeRun> {
  const run = await runWindowsNode(CLI, { args, env: job.env });
  expect(leakedSecrets(run.log, [...world.secrets(), EARLIER.Secret])).toEqual([]);
  return run;
}

const login = (job: Job, ...more: string[]): Promise<NodeRun> => cli(secretAppLoginArgs(world, ...more), job);

describe('a Windows docker.exe under Wine with the wincred store', () => {
  it('login: docker with a refresh token of real size (over 3 KB): docker.exe hands it to wincred, which refuses it; one line names wincred and login: auto or helper; the earlier entry and the config stay, and the logout leaves them', async () => {
    const job = newJob();
    const registry = world.registries.armAllowed;
    registry.acr.refreshTokens = 'realistic';
    const run = await login(job, '--login', 'docker').finally(() => (registry.acr.refreshTokens = 'compact'));
    expect(Buffer.byteLength(registry.acr.lastRefreshToken() ?? '')).toBeGreaterThan(3000);
    const lines = run.stderr.trimEnd().split(/\r?\n/);
    // Before the error only the progress lines; docker's own words ("Error saving credentials ...") are not shown.
    expect(
      lines.slice(0, -1).filter((line) => !/^(Requesting an ACR-audience token|Exchanging it for refresh tokens) /.test(line))
    ).toEqual([]);
    expect({ exit: run.exitCode, error: lines.slice(-1) }).toEqual({
      exit: 1,
      error: [
        'acr-login: docker login cannot keep the token in wincred (the Windows Credential Manager takes secrets of at most 2,560 bytes; ACR refresh tokens are often longer): use login: auto or login: helper, which never hand the token to a store'
      ]
    });
    expect(job.store.entries()).toEqual({ [registry.loginServer]: EARLIER });
    expect(job.config()).toEqual({ credsStore: 'wincred' });

    const logout = await cli(['logout'], job);
    expect(logout.exitCode).toBe(0);
    expect(job.store.entries()).toEqual({ [registry.loginServer]: EARLIER });
  });

  it('login: docker with a token wincred takes (2.5 KB): docker.exe logs in through the engine and stores the token in wincred, which pushes; the logout erases it and puts the earlier entry back', async () => {
    const job = newJob();
    const registry = world.registries.armAllowed;
    const run = await login(job, '--login', 'docker');
    expect({ exit: run.exitCode, error: run.stderr.includes('acr-login:') }).toEqual({ exit: 0, error: false });
    expect(run.stderr).toContain(`docker login ${registry.loginServer} succeeded`);
    const token = registry.acr.lastRefreshToken() ?? '';
    expect(job.store.entries()).toEqual({ [registry.loginServer]: { Username: TOKEN_USERNAME, Secret: token } });
    expect(job.config().credsStore).toBe('wincred');
    const pushed = await world.push(await world.writeAuthFile(registry, TOKEN_USERNAME, token), registry, 'windows-docker-exe');
    expect(pushed.ok ? 'pushed' : pushed.stderr).toBe('pushed');

    const logout = await cli(['logout'], job);
    expect({ exit: logout.exitCode, error: logout.stderr.includes('acr-login:') }).toEqual({ exit: 0, error: false });
    expect(job.store.entries()).toEqual({ [registry.loginServer]: EARLIER });
    expect(job.config()).toMatchObject({ credsStore: 'wincred' });
    expect((job.config().auths as Record<string, unknown> | undefined)?.[registry.loginServer]).toBeUndefined();
  });

  it('the default login with a refresh token of real size: helper mode; docker.exe asks the helper, not wincred, gets the whole token and pushes through the engine; the logout leaves the store and the config as they were', async () => {
    const job = newJob();
    const registry = world.registries.armAllowed;
    registry.acr.refreshTokens = 'realistic';
    const run = await login(job).finally(() => (registry.acr.refreshTokens = 'compact'));
    const token = registry.acr.lastRefreshToken() ?? '';
    expect(Buffer.byteLength(token)).toBeGreaterThan(3000);
    expect({ exit: run.exitCode, error: run.stderr.includes('acr-login:') }).toEqual({ exit: 0, error: false });
    expect(job.config()).toEqual({ credsStore: 'wincred', credHelpers: { [registry.loginServer]: 'acr-login' } });

    // What the .cmd launcher runs, as an .exe in front of it: under Wine (not on Windows) the program a .cmd starts
    // never sees the end of the server name docker writes to its stdin (test/support/windows/exe-launcher.go).
    const launcherDir = job.profile.linux('AppData', 'Local', 'acr-login', 'bin');
    const launcher = readFileSync(join(launcherDir, 'docker-credential-acr-login.cmd'), 'utf8');
    const fromLauncher = [...launcher.matchAll(/"([^"]+)"/g)].map((match) =>
      (match[1] ?? '').replace('%~dp0', `${windowsPath(launcherDir)}\\`)
    );
    expect(fromLauncher.map((path) => win32.basename(path))).toEqual(['node.exe', 'credential-helper.js']);
    const helperExe = join(job.profile.root, 'helper-exe');
    mkdirSync(helperExe);
    copyFileSync(join(DOCKER_WIN, 'exe-launcher.exe'), join(helperExe, 'docker-credential-acr-login.exe'));
    writeFileSync(join(helperExe, 'docker-credential-acr-login.launch.json'), JSON.stringify(fromLauncher));

    const image = `${registry.loginServer}/windows/docker-exe:v1`;
    const built = await buildScratchImage(image, {
      host: engineHost,
      dockerConfig: join(job.profile.root, 'build-config'),
      workDir: job.profile.root
    });
    expect(built.exitCode === 0 ? 'built' : built.stderr).toBe('built');
    const pushed = await runWindowsNode(RUN_DOCKER, {
      args: ['push', image],
      env: { ...job.env, PATH: `${windowsPath(helperExe)};${job.env.PATH}` },
      timeoutMs: 120000
    });
    expect({ exit: pushed.exitCode, stderr: pushed.exitCode === 0 ? '' : pushed.stderr }).toEqual({ exit: 0, stderr: '' });
    expect(leakedSecrets(pushed.log, world.secrets())).toEqual([]);
    expect(job.store.entries()).toEqual({ [registry.loginServer]: EARLIER });

    const logout = await cli(['logout'], job);
    expect(logout.exitCode).toBe(0);
    expect(job.config()).toEqual({ credsStore: 'wincred' });
    expect(job.store.entries()).toEqual({ [registry.loginServer]: EARLIER });
  });
});
