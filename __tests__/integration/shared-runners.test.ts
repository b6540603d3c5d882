// Shared runners: several jobs of one user at once (runner services under one account, shell executors,
// containers sharing a mounted docker config). Each job keeps its own login until its own post step, and
// once all of them ended every entry the user had is back and no token any job wrote is left.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction, runStep, StepResult, leakedFromStep } from '../../test/support/action-runner';
import { CLI, ProcessResult, runCli, runHelper, secretAppEnv } from '../../test/support/cli-runner';
import { sharedDockerEngine } from '../../test/support/docker-engine';
import { leakedSecrets } from '../../test/support/leaks';
import { runProcess } from '../../test/support/spawn-node';
import { useStandIns } from '../../test/support/suite-stand-ins';
import { World } from '../../test/support/world';
import { AcrStandIn, TOKEN_USERNAME } from '../../test/support/acr';

let world: World;
const { cleanup: dirs } = useStandIns({}, (standIns) => ({ world } = standIns));

const base64 = (text: string): string => Buffer.from(text).toString('base64');
const userSecret = 'the-users-own-long-lived-secret-0123';
const usersEntry = { auth: base64(`me:${userSecret}`), email: 'me@example.com' };

function fresh(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** One machine account: a HOME the jobs share, and the docker config they share unless a job names its own. */
interface Account {
  home: string;
  dockerConfig: string;
}

function account(): Account {
  const home = fresh('shared-home-');
  return { home, dockerConfig: join(home, '.docker') };
}

const configPath = (dockerConfig: string): string => join(dockerConfig, 'config.json');

function readConfig(dockerConfig: string): { auths?: Record<string, { auth?: string }>; credHelpers?: Record<string, string> } {
  return existsSync(configPath(dockerConfig)) ? JSON.parse(readFileSync(configPath(dockerConfig), 'utf8')) : {};
}

function writeConfig(dockerConfig: string, config: object): void {
  mkdirSync(dockerConfig, { recursive: true });
  writeFileSync(configPath(dockerConfig), JSON.stringify(config));
}

const keptDir = (a: Account): string => join(a.home, '.local', 'state', 'acr-login', 'kept');
const keptFiles = (a: Account): string[] => (existsSync(keptDir(a)) ? readdirSync(keptDir(a)) : []);

/** A job's environment on this account: its own RUNNER_TEMP (runStep makes one per step) and, when given, its own DOCKER_CONFIG. */
function jobEnv(a: Account, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: '/usr/bin:/bin',
    HOME: a.home,
    DOCKER_CONFIG: a.dockerConfig,
    NODE_EXTRA_CA_CERTS: world.caCertPath,
    ...extra
  };
}

const spInputs = (registry: { url: string }): Record<string, string> => ({
  registry: registry.url,
  'client-id': world.secretApp.clientId,
  'tenant-id': world.tenantId,
  'client-secret': world.secretApp.secret,
  'authority-host': world.entra.url
});

const certInputs = (registry: { url: string }): Record<string, string> => ({
  registry: registry.url,
  'client-id': world.certApp.clientId,
  'tenant-id': world.tenantId,
  'client-certificate': world.certApp.certificate.path,
  'authority-host': world.entra.url
});

/** Every token a step was handed, with the stand-ins' secrets and the user's own: none may show in a log. */
function secrets(...steps: StepResult[]): string[] {
  const passwords = steps.flatMap((step) => (step.outputs['password'] ?? '').split('\n')).filter((password) => password.length > 0);
  return [...world.secrets(), ...passwords, userSecret];
}

function expectOk(step: StepResult, known: string[] = secrets(step)): void {
  expect({ exit: step.exitCode, errors: step.errors }).toEqual({ exit: 0, errors: [] });
  expect(leakedFromStep(step.log, known)).toEqual([]);
}

async function post(env: Record<string, string>, main: StepResult): Promise<StepResult> {
  const stateEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(main.state)) stateEnv[`STATE_${name}`] = value;
  return runStep('dist/post.js', { ...env, ...stateEnv });
}

/** The token in the config's auths entry for `server`, decoded: `user:password`. */
function authOf(dockerConfig: string, server: string): string | undefined {
  const auth = readConfig(dockerConfig).auths?.[server]?.auth;
  return auth === undefined ? undefined : Buffer.from(auth, 'base64').toString();
}

const tokenOf = (step: StepResult): string => `${TOKEN_USERNAME}:${step.outputs['password']}`;

/** No token any step was handed is left in the file. */
function expectNoTokenIn(file: string, ...steps: StepResult[]): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const decoded = text.replace(/"auth":\s*"([^"]*)"/g, (_, auth: string) => Buffer.from(auth, 'base64').toString());
  const tokens = steps.map((step) => step.outputs['password'] ?? '').filter(Boolean);
  expect(tokens.filter((token) => decoded.includes(token) || text.includes(token))).toEqual([]);
}

/** The oid claim of a refresh token: whose identity it carries. */
function oidOf(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).oid;
}

function helperSecret(result: ProcessResult): string {
  expect({ exit: result.exitCode, stdout: result.exitCode === 0 ? 'answer' : result.stdout }).toEqual({ exit: 0, stdout: 'answer' });
  return (JSON.parse(result.stdout) as { Secret: string }).Secret;
}

describe('login: helper — jobs are told apart by their docker config', () => {
  it('two jobs sharing HOME, each with its own DOCKER_CONFIG: each keeps its own identity, and one’s post step leaves the other’s login', async () => {
    const a = account();
    const registry = world.registries.armAllowed;
    const jobA = jobEnv(a, { DOCKER_CONFIG: join(fresh('job-a-'), 'docker'), GITHUB_PATH: join(a.home, 'path-a') });
    const jobB = jobEnv(a, { DOCKER_CONFIG: join(fresh('job-b-'), 'docker'), GITHUB_PATH: join(a.home, 'path-b') });
    writeFileSync(jobA.GITHUB_PATH as string, '');
    writeFileSync(jobB.GITHUB_PATH as string, '');
    const mainA = (await runAction({ ...spInputs(registry), login: 'helper' }, jobA)).main;
    const mainB = (await runAction({ ...certInputs(registry), login: 'helper' }, jobB)).main;
    const known = secrets(mainA, mainB);
    expectOk(mainA, known);
    expectOk(mainB, known);

    // docker runs the helper with the job's environment: each job is answered with its own identity.
    const answerA = helperSecret(await runHelper('get', registry.loginServer, jobA));
    const answerB = helperSecret(await runHelper('get', registry.loginServer, jobB));
    expect([oidOf(answerA), oidOf(answerB)]).toEqual([world.secretApp.objectId, world.certApp.objectId]);

    const postA = await post(jobA, mainA);
    expectOk(postA, known);
    expect(readConfig(jobA.DOCKER_CONFIG as string).credHelpers).toBeUndefined();
    const stillB = await runHelper('get', registry.loginServer, jobB);
    expect(oidOf(helperSecret(stillB))).toBe(world.certApp.objectId);
    expect(leakedSecrets(stillB.stderr, known)).toEqual([]);

    const postB = await post(jobB, mainB);
    expectOk(postB, known);
    expect(readConfig(jobB.DOCKER_CONFIG as string).credHelpers).toBeUndefined();
    const cache = join(a.home, '.cache', 'acr-login');
    const cached = readdirSync(cache, { recursive: true }).filter((name) => String(name).endsWith('.json'));
    expect(cached).toEqual([]);
  });
});

type Mode = 'config' | 'docker' | 'helper';
const postOrders: Array<[string, [0 | 1, 0 | 1]]> = [
  ['post A, post B', [0, 1]],
  ['post B, post A', [1, 0]]
];

describe.each<[Mode]>([['config'], ['docker'], ['helper']])('two overlapping jobs on one docker config, login: %s', (mode) => {
  it.each(postOrders)(
    'main A, main B, %s: each keeps its login until its own post step, then the user’s entry is back',
    async (_, order) => {
      const a = account();
      const registry = world.registries.armRefused;
      const server = registry.loginServer;
      const extra: Record<string, string> = {};
      if (mode === 'docker') {
        extra.PATH = '/usr/local/bin:/usr/bin:/bin';
        extra.DOCKER_HOST = (await sharedDockerEngine()).host;
      }
      const before =
        mode === 'helper'
          ? { auths: { 'ghcr.io': usersEntry }, credHelpers: { [server]: 'gcloud' } }
          : { auths: { [server]: usersEntry, 'ghcr.io': usersEntry } };
      writeConfig(a.dockerConfig, before);
      const jobs = [0, 1].map((i) => jobEnv(a, { ...extra, GITHUB_PATH: join(a.home, `path-${i}`) }));
      for (const env of jobs) writeFileSync(env.GITHUB_PATH as string, '');
      const mains: StepResult[] = [];
      for (const env of jobs) mains.push((await runAction({ ...spInputs(registry), login: mode }, env)).main);
      const known = secrets(...mains);
      for (const main of mains) expectOk(main, known);
      const live = (i: number): string => (mode === 'helper' ? 'acr-login' : tokenOf(mains[i] as StepResult));
      const current = (): string | undefined =>
        mode === 'helper' ? readConfig(a.dockerConfig).credHelpers?.[server] : authOf(a.dockerConfig, server);
      expect(current()).toBe(live(1));

      const [first, second] = order;
      const firstPost = await post(jobs[first] as Record<string, string>, mains[first] as StepResult);
      expectOk(firstPost, known);
      // The other job is still running: its login is untouched.
      expect(current()).toBe(live(second));
      if (mode === 'helper') {
        const answer = await runHelper('get', server, jobs[second] as Record<string, string>);
        expect(leakedSecrets(answer.stderr, known)).toEqual([]);
        expect(oidOf(helperSecret(answer))).toBe(world.secretApp.objectId);
      }
      const secondPost = await post(jobs[second] as Record<string, string>, mains[second] as StepResult);
      expectOk(secondPost, known);

      const after = readConfig(a.dockerConfig);
      expect({ auths: after.auths, credHelpers: after.credHelpers }).toEqual({ credHelpers: undefined, ...before });
      expectNoTokenIn(configPath(a.dockerConfig), ...mains);
      expect(keptFiles(a)).toEqual([]);
    }
  );
});

describe('login: docker steps on one config at once', () => {
  /** Four more registries (127.0.0.3 to .6), so that six steps write six entries. */
  const extraRegistries: Array<{ url: string; loginServer: string }> = [];
  const extraStandIns: AcrStandIn[] = [];

  beforeAll(async () => {
    const started = await Promise.all(
      [3, 4, 5, 6].map((n) =>
        AcrStandIn.start({ dir: join(world.dir, `acr-extra-${n}`), log: world.requests, entra: world.entra, host: `127.0.0.${n}` })
      )
    );
    for (const acr of started) {
      acr.assignRole(world.secretApp.objectId, 'AcrPush');
      extraStandIns.push(acr);
      extraRegistries.push({ url: acr.url, loginServer: acr.loginServer });
    }
  }, 60000);

  afterAll(async () => {
    await Promise.all(extraStandIns.map((acr) => acr.close()));
  });

  it('six parallel main steps with the real docker CLI: every entry is there; their post steps then leave only the user’s entries', async () => {
    const a = account();
    const { host } = await sharedDockerEngine();
    const registries = [world.registries.armAllowed, world.registries.armRefused, ...extraRegistries];
    writeConfig(a.dockerConfig, { auths: { 'ghcr.io': usersEntry } });
    const env = jobEnv(a, { PATH: '/usr/local/bin:/usr/bin:/bin', DOCKER_HOST: host });
    const runs = await Promise.all(registries.map((registry) => runAction({ ...spInputs(registry), login: 'docker' }, env)));
    const mains = runs.map((run) => run.main);
    const known = secrets(...mains);
    for (const main of mains) expectOk(main, known);
    const servers = registries.map((registry) => registry.loginServer);
    expect(Object.keys(readConfig(a.dockerConfig).auths ?? {}).sort()).toEqual([...servers, 'ghcr.io'].sort());
    mains.forEach((main, i) => expect(authOf(a.dockerConfig, servers[i] as string)).toBe(tokenOf(main)));

    const posts = await Promise.all(mains.map((main) => post(env, main)));
    for (const step of posts) expectOk(step, known);
    expect(readConfig(a.dockerConfig).auths).toEqual({ 'ghcr.io': usersEntry });
    expectNoTokenIn(configPath(a.dockerConfig), ...mains);
  });

  it('a legacy https://HOST entry, which docker logout also removes, is kept aside too and put back', async () => {
    const a = account();
    const { host } = await sharedDockerEngine();
    const registry = world.registries.armAllowed;
    const legacy = { [`https://${registry.loginServer}`]: usersEntry, [`http://${registry.loginServer}`]: usersEntry };
    writeConfig(a.dockerConfig, { auths: { ...legacy, 'ghcr.io': usersEntry } });
    const env = jobEnv(a, { PATH: '/usr/local/bin:/usr/bin:/bin', DOCKER_HOST: host });
    const run = await runAction({ ...spInputs(registry), login: 'docker' }, env, { post: true });
    const known = secrets(run.main);
    expectOk(run.main, known);
    expectOk(run.post as StepResult, known);
    expect(run.post?.log).toContain(`docker logout ${registry.loginServer} succeeded`);
    expect(readConfig(a.dockerConfig).auths).toEqual({ ...legacy, 'ghcr.io': usersEntry });
    expect(keptFiles(a)).toEqual([]);
  });
});

describe('the command line', () => {
  it('twenty concurrent logins, then acr-login logout: the user’s own entry is back, no token is left', async () => {
    const a = account();
    const registry = world.registries.armAllowed;
    writeConfig(a.dockerConfig, { auths: { [registry.loginServer]: usersEntry, 'ghcr.io': usersEntry } });
    const env = jobEnv(a);
    // A service principal: each login gets a token of its own, so which entry is whose matters.
    const spEnv = { ...env, AZURE_CLIENT_SECRET: world.secretApp.secret };
    const spLogin = ['--registry', registry.url, '--client-id', world.secretApp.clientId, '--tenant-id', world.tenantId];
    const logins = await Promise.all(
      Array.from({ length: 20 }, () => runCli([...spLogin, '--authority-host', world.entra.url, '--login', 'config'], spEnv))
    );
    const known = [...world.secrets(), userSecret];
    for (const login of logins) {
      expect({ exit: login.exitCode, stderr: login.exitCode === 0 ? '' : login.stderr }).toEqual({ exit: 0, stderr: '' });
      expect(leakedSecrets(login.stderr, known)).toEqual([]);
    }
    const records = readFileSync(join(a.home, '.local', 'state', 'acr-login', 'logins.json'), 'utf8');
    expect(leakedSecrets(records, known)).toEqual([]);

    const logout = await runCli(['logout'], env);
    expect(logout.exitCode).toBe(0);
    expect(leakedSecrets(logout.stderr, known)).toEqual([]);
    expect(readConfig(a.dockerConfig).auths).toEqual({ [registry.loginServer]: usersEntry, 'ghcr.io': usersEntry });
    expect(keptFiles(a)).toEqual([]);
    expect(readFileSync(configPath(a.dockerConfig), 'utf8')).not.toMatch(/eyJ/);
  });

  it('SIGTERM after its docker login wrote: acr-login logout still undoes that login', async () => {
    const a = account();
    const { host } = await sharedDockerEngine();
    const [written, hanging] = [world.registries.armAllowed, world.registries.armRefused];
    writeConfig(a.dockerConfig, { auths: { [written.loginServer]: usersEntry } });
    // A docker that logs in to the first registry as docker does, and hangs on the second: the run is cancelled there.
    const bin = fresh('docker-bin-');
    const hangingPid = join(bin, 'hanging.pid');
    writeFileSync(
      join(bin, 'docker'),
      `#!/bin/sh\ncase "$*" in\n  "login "*${hanging.loginServer}) echo $$ > '${hangingPid}'; exec sleep 300;;\nesac\nexec /usr/local/bin/docker "$@"\n`
    );
    chmodSync(join(bin, 'docker'), 0o755);
    const env = jobEnv(a, { PATH: `${bin}:/usr/bin:/bin`, DOCKER_HOST: host });
    const args = [
      '--registry',
      written.url,
      '--registry',
      hanging.url,
      '--username',
      world.admin.username,
      '--password-stdin',
      '--login',
      'docker'
    ];
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(world.admin.password);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 60000;
    while (!existsSync(hangingPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(hangingPid)).toBe(true);
    expect(authOf(a.dockerConfig, written.loginServer)).toBe(`${world.admin.username}:${world.admin.password}`);
    child.kill('SIGTERM');
    await exited;
    process.kill(Number(readFileSync(hangingPid, 'utf8')), 'SIGKILL');
    const known = [...world.secrets(), userSecret];
    expect(leakedSecrets(stderr, known)).toEqual([]);

    const logout = await runCli(['logout'], jobEnv(a, { PATH: '/usr/local/bin:/usr/bin:/bin', DOCKER_HOST: host }));
    expect(logout.exitCode).toBe(0);
    expect(leakedSecrets(logout.stderr, known)).toEqual([]);
    expect(logout.stderr).not.toMatch(/Nothing to log out of/);
    expect(readConfig(a.dockerConfig).auths).toEqual({ [written.loginServer]: usersEntry });
  });
});

describe('a full disk', () => {
  let disk: string;

  beforeEach(async () => {
    disk = fresh('full-disk-');
    const mounted = await runProcess('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk], { env: { PATH: '/usr/bin:/bin' } });
    expect(mounted.stderr).toBe('');
  });

  afterEach(async () => {
    await runProcess('umount', [disk], { env: { PATH: '/usr/bin:/bin' } });
  });

  /** Fills the tmpfs, leaving `pages` 4 KiB pages free. */
  function fill(pages: number): void {
    const chunk = Buffer.alloc(4096, 1);
    const filler = join(disk, 'filler');
    writeFileSync(filler, '');
    for (;;) {
      try {
        writeFileSync(filler, chunk, { flag: 'a' });
      } catch {
        break;
      }
    }
    if (pages > 0) writeFileSync(filler, readFileSync(filler).subarray(0, Math.max(0, readFileSync(filler).length - pages * 4096)));
  }

  const temporaryFiles = (dir: string): string[] =>
    readdirSync(dir, { recursive: true })
      .map(String)
      .filter((name) => name.endsWith('.tmp') || name.endsWith('.lock'));

  it.each([
    ['no page left', 0],
    ['one page left (the lock fits, the config does not)', 1]
  ])('a docker config on a full disk (%s): one line naming it, no temporary file left', async (_, pages) => {
    const a = account();
    const dockerConfig = join(disk, 'docker');
    writeConfig(dockerConfig, { auths: { 'ghcr.io': usersEntry } });
    fill(pages);
    const registry = world.registries.armAllowed;
    const result = await runCli(
      ['--registry', registry.url, '--username', world.admin.username, '--password-stdin', '--login', 'config'],
      jobEnv(a, { DOCKER_CONFIG: dockerConfig }),
      world.admin.password
    );
    expect(result.exitCode).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.filter((line) => line.startsWith('acr-login:'))).toHaveLength(1);
    expect(lines.pop()).toMatch(
      /^acr-login: cannot (lock|write) (the )?docker config .*config\.json: ENOSPC \(no space left on the device: free some space\)$/
    );
    expect(leakedSecrets(result.stderr, [...world.secrets(), userSecret])).toEqual([]);
    expect(temporaryFiles(disk)).toEqual([]);
    expect(readConfig(dockerConfig)).toEqual({ auths: { 'ghcr.io': usersEntry } });
  });

  it('the helper answers get when its cache cannot be written, with a warning on stderr', async () => {
    const a = account();
    const registry = world.registries.armAllowed;
    const env = jobEnv(a, secretAppEnv(world));
    const login = await runCli(['--registry', registry.url, '--login', 'helper'], env);
    expect(login.exitCode).toBe(0);
    fill(0);
    const answer = await runHelper('get', registry.loginServer, { ...env, XDG_CACHE_HOME: disk });
    const known = [...world.secrets(), userSecret];
    expect(oidOf(helperSecret(answer))).toBe(world.secretApp.objectId);
    expect(answer.stderr).toMatch(/^docker-credential-acr-login: warning: .*ENOSPC \(no space left on the device: free some space\)\n$/);
    expect(leakedSecrets(answer.stderr, known)).toEqual([]);
    expect(temporaryFiles(disk)).toEqual([]);
  });
});
