// Every request through the proxy: a real squid carries the whole login of the action, the task (the agent's
// proxy variables), the command line and the credential helper's renewal. The stand-ins are reached by their real
// names (login.microsoftonline.com, contosoreg.azurecr.io, ...), which only squid can resolve (its hosts_file):
// in the product's process the resolver hook makes every lookup fail, so a request that skipped the proxy fails
// instead of connecting. squid's access log shows each tunnel. NO_PROXY, a 407, a 403, a dead proxy and proxy
// credentials (never printed) each have a test.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leakedFromStep, runAction, type StepResult } from '../../test/support/action-runner';
import { TOKEN_USERNAME } from '../../test/support/acr';
import { runCli, runHelper } from '../../test/support/cli-runner';
import { PUBLIC } from '../../test/support/clouds';
import { AZURE_DEVOPS_NAME, GITHUB_OIDC_NAME, startNamedWorld, type NamedWorld } from '../../test/support/named-world';
import { startProxy, type ProxyAccessLogEntry, type TestProxy } from '../../test/support/proxy';
import { resolverHookEnv, writeHostsFile } from '../../test/support/resolver-hook-env';
import { endpointEnv, inputEnv, installTask, leakedFromTask, runTaskStep, taskDefaults } from '../../test/support/task-runner';

const AUTHORITY = PUBLIC.authorityName;
const PROXY_USER = 'ci-runner';
const PROXY_PASSWORD = 'Pr0xy-pa55word-never-printed';

let world: NamedWorld;
let proxy: TestProxy;
let authProxy: TestProxy;
let refusingProxy: TestProxy;
let taskDir: string;
const dirs: string[] = [];

beforeAll(async () => {
  taskDir = installTask();
  world = await startNamedWorld(PUBLIC);
  proxy = world.proxy;
  [authProxy, refusingProxy] = await Promise.all([
    startProxy({ hosts: world.hosts, credentials: { username: PROXY_USER, password: PROXY_PASSWORD } }),
    startProxy({ hosts: world.hosts, refuseAll: true })
  ]);
}, 120000);

afterAll(async () => {
  await Promise.allSettled([world?.close(), authProxy?.stop(), refusingProxy?.stop()]);
  for (const dir of [...dirs, ...(taskDir ? [join(taskDir, '..')] : [])]) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => world.requests.clear());

interface Job {
  home: string;
  dockerConfig: string;
  env: Record<string, string>;
}

/**
 * A job behind the proxy: no name resolves in its processes (except `resolvable`, for what NO_PROXY sends
 * direct), the stand-ins' CA trusted, and whatever proxy variables the test gives.
 */
async function newJob(extraEnv: Record<string, string> = {}, resolvable: Record<string, string> = {}): Promise<Job> {
  const home = mkdtempSync(join(tmpdir(), 'proxy-job-'));
  dirs.push(home);
  mkdirSync(join(home, '_temp'));
  const hostsFile = await writeHostsFile(join(home, 'hosts'), resolvable);
  const dockerConfig = join(home, '.docker');
  return {
    home,
    dockerConfig,
    env: {
      PATH: '/usr/bin:/bin',
      HOME: home,
      DOCKER_CONFIG: dockerConfig,
      AGENT_TEMPDIRECTORY: join(home, '_temp'),
      NODE_EXTRA_CA_CERTS: world.caCertPath,
      ...resolverHookEnv(hostsFile),
      ...extraEnv
    }
  };
}

const spInputs = (): Record<string, string> => ({
  registry: world.loginServer,
  'client-id': world.secretApp.clientId,
  'tenant-id': world.tenantId,
  'client-secret': world.secretApp.secret,
  login: 'config'
});

/** Where a proxy's access log stands now: the checks after a run look only at what it logged since. */
async function mark(through: TestProxy): Promise<number> {
  return (await through.accessLog()).length;
}

/** What the proxy logged since `from` (it logs a tunnel when it closes: after the process ended). */
async function loggedSince(through: TestProxy, from: number): Promise<ProxyAccessLogEntry[]> {
  return (await through.accessLog()).slice(from);
}

/** squid carried a tunnel to each host since `from`, for `user` when given. */
async function expectTunnels(through: TestProxy, from: number, hosts: string[], user?: string): Promise<void> {
  const until = Date.now() + 5000;
  const tunnelTo = (entries: ProxyAccessLogEntry[], host: string): ProxyAccessLogEntry | undefined =>
    entries.find((entry) => entry.method === 'CONNECT' && entry.target === `${host}:443` && entry.status === 200);
  let entries = await loggedSince(through, from);
  while (hosts.some((host) => !tunnelTo(entries, host)) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    entries = await loggedSince(through, from);
  }
  expect(hosts.filter((host) => !tunnelTo(entries, host))).toEqual([]);
  if (user) for (const host of hosts) expect(tunnelTo(entries, host)?.user).toBe(user);
}

async function expectPush(job: Job, repository = 'app'): Promise<void> {
  const config = JSON.parse(readFileSync(join(job.dockerConfig, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
  const [username, password] = Buffer.from(config.auths[world.loginServer]?.auth ?? '', 'base64')
    .toString('utf8')
    .split(':');
  const pushed = await world.push(await world.writeAuthFile(username ?? '', password ?? ''), repository);
  expect(pushed.ok ? 'pushed' : pushed.stderr).toBe('pushed');
}

const secrets = (): string[] => [...world.secrets(), PROXY_PASSWORD];

function expectStep(step: StepResult): void {
  expect({ exit: step.exitCode, errors: step.errors }).toEqual({ exit: 0, errors: [] });
  expect(leakedFromStep(step.log, secrets())).toEqual([]);
}

/** One ::error:: line naming the proxy (never its credentials) and the target. */
function expectProxyFailure(step: StepResult, pattern: RegExp): void {
  expect(step.exitCode).not.toBe(0);
  expect(step.errors).toEqual([expect.stringMatching(pattern)]);
  expect(step.log).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(step.log).not.toContain(PROXY_USER);
  expect(leakedFromStep(step.log, secrets())).toEqual([]);
}

describe('action: HTTPS_PROXY carries every request', () => {
  it('without the proxy no name resolves: the login fails, it does not connect', async () => {
    const run = await runAction(spInputs(), (await newJob()).env);
    expect(run.main.exitCode).not.toBe(0);
    expect(run.main.errors).toEqual([
      'no token from Entra ID at https://login.microsoftonline.com: cannot reach login.microsoftonline.com: ENOTFOUND'
    ]);
    expect(world.requests.all()).toEqual([]);
  });

  it('client secret: Entra ID and the exchange through squid, then a push', async () => {
    const since = await mark(proxy);
    const job = await newJob({ HTTPS_PROXY: proxy.url });
    const run = await runAction(spInputs(), job.env);
    expectStep(run.main);
    await expectTunnels(proxy, since, [AUTHORITY, world.loginServer]);
    expect(world.requests.of('entra-token').length).toBe(1);
    expect(world.requests.of('acr-exchange').length).toBe(1);
    await expectPush(job);
  });

  it('GitHub OIDC: the job token through the toolkit and squid too (https_proxy, lower case)', async () => {
    const since = await mark(proxy);
    const job = await newJob({ https_proxy: proxy.url, ...world.github.env() });
    const run = await runAction(
      { registry: world.loginServer, 'client-id': world.federatedApp.clientId, 'tenant-id': world.tenantId, login: 'config' },
      job.env
    );
    expectStep(run.main);
    await expectTunnels(proxy, since, [GITHUB_OIDC_NAME, AUTHORITY, world.loginServer]);
    await expectPush(job);
  });

  it('a repository-scoped token: the password check through squid', async () => {
    const since = await mark(proxy);
    const job = await newJob({ HTTPS_PROXY: proxy.url });
    const run = await runAction(
      { registry: world.loginServer, username: world.scopedToken.username, password: world.scopedToken.password, login: 'config' },
      job.env
    );
    expectStep(run.main);
    await expectTunnels(proxy, since, [world.loginServer]);
    expect(world.requests.of('acr-token').length).toBe(1);
    await expectPush(job, world.scopedToken.repository);
  });

  it('NO_PROXY: managed identity asks IMDS directly (by name, NO_PROXY), the exchange still through squid', async () => {
    const since = await mark(proxy);
    const imdsName = 'metadata.internal.test';
    const job = await newJob(
      {
        HTTPS_PROXY: proxy.url,
        HTTP_PROXY: proxy.url,
        NO_PROXY: `.internal.test,${AZURE_DEVOPS_NAME}`,
        AZURE_POD_IDENTITY_AUTHORITY_HOST: world.imds.url.replace('127.0.0.1', imdsName)
      },
      { [imdsName]: '127.0.0.1' }
    );
    const run = await runAction({ registry: world.loginServer, 'auth-type': 'managed-identity', login: 'config' }, job.env);
    expectStep(run.main);
    expect(world.requests.of('imds').filter((entry) => entry.status === 200).length).toBeGreaterThan(0);
    await expectTunnels(proxy, since, [world.loginServer]);
    expect((await loggedSince(proxy, since)).filter((entry) => entry.target.includes(imdsName))).toEqual([]);
    await expectPush(job);
  });

  it('NO_PROXY with a domain suffix: the registry directly, Entra ID through squid', async () => {
    const since = await mark(proxy);
    const job = await newJob(
      { HTTPS_PROXY: proxy.url, no_proxy: 'azurecr.io' },
      { [world.loginServer]: world.hosts[world.loginServer] as string }
    );
    const run = await runAction(spInputs(), job.env);
    expectStep(run.main);
    await expectTunnels(proxy, since, [AUTHORITY]);
    expect((await loggedSince(proxy, since)).filter((entry) => entry.target.startsWith(world.loginServer))).toEqual([]);
    expect(world.requests.of('acr-exchange').length).toBe(1);
  });

  it('proxy credentials in the URL: accepted by squid, masked, never printed', async () => {
    const since = await mark(authProxy);
    const job = await newJob({
      HTTPS_PROXY: authProxy.url.replace('http://', `http://${PROXY_USER}:${encodeURIComponent(PROXY_PASSWORD)}@`)
    });
    const run = await runAction(spInputs(), job.env);
    expectStep(run.main);
    expect(run.main.masks).toContain(PROXY_PASSWORD);
    expect(run.main.log.replace(/^::add-mask::.*$/gm, '')).not.toContain(PROXY_PASSWORD);
    await expectTunnels(authProxy, since, [AUTHORITY, world.loginServer], PROXY_USER);
    await expectPush(job);
  });

  it('407: a proxy that wants credentials fails the step with one line naming it and the target', async () => {
    const run = await runAction(spInputs(), (await newJob({ HTTPS_PROXY: authProxy.url })).env);
    expectProxyFailure(
      run.main,
      new RegExp(
        `^the proxy ${authProxy.hostPort} \\(HTTPS_PROXY\\) refused the connection to ${AUTHORITY} \\(HTTP 407[^)]*\\): it wants a user name and password`
      )
    );
    expect(world.requests.all()).toEqual([]);
  });

  it("407 on the job's OIDC token (the toolkit's request; Entra ID exempted by NO_PROXY): the same one line", async () => {
    const job = await newJob(
      { HTTPS_PROXY: authProxy.url, NO_PROXY: AUTHORITY, ...world.github.env() },
      { [AUTHORITY]: world.hosts[AUTHORITY] as string }
    );
    const run = await runAction(
      { registry: world.loginServer, 'client-id': world.federatedApp.clientId, 'tenant-id': world.tenantId, login: 'config' },
      job.env
    );
    expectProxyFailure(
      run.main,
      new RegExp(
        `^the proxy ${authProxy.hostPort} \\(HTTPS_PROXY\\) refused the connection to ${GITHUB_OIDC_NAME} \\(HTTP 407[^)]*\\): it wants a user name and password`
      )
    );
  });

  it('407 with wrong credentials, on the password check (no Entra ID involved)', async () => {
    const job = await newJob({ HTTPS_PROXY: authProxy.url.replace('http://', `http://${PROXY_USER}:wrong-${PROXY_PASSWORD}@`) });
    const run = await runAction(
      { registry: world.loginServer, username: world.scopedToken.username, password: world.scopedToken.password, login: 'config' },
      job.env
    );
    expectProxyFailure(
      run.main,
      new RegExp(
        `^the proxy ${authProxy.hostPort} \\(HTTPS_PROXY\\) refused the connection to ${world.loginServer} \\(HTTP 407[^)]*\\): it refused the user name and password; check them in HTTPS_PROXY`
      )
    );
  });

  it('403: a proxy that refuses the host', async () => {
    const run = await runAction(spInputs(), (await newJob({ HTTPS_PROXY: refusingProxy.url })).env);
    expectProxyFailure(
      run.main,
      new RegExp(
        `^the proxy ${refusingProxy.hostPort} \\(HTTPS_PROXY\\) refused the connection to ${AUTHORITY} \\(HTTP 403[^)]*\\): ask for`
      )
    );
  });

  it('a proxy that is not there: one line naming it and the target', async () => {
    const port = await closedPort();
    const run = await runAction(
      { registry: world.loginServer, username: world.scopedToken.username, password: world.scopedToken.password, login: 'config' },
      (await newJob({ HTTPS_PROXY: `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${port}` })).env
    );
    expectProxyFailure(
      run.main,
      new RegExp(`^cannot reach the proxy 127\\.0\\.0\\.1:${port} \\(HTTPS_PROXY\\) to connect to ${world.loginServer}: ECONNREFUSED`)
    );
  });
});

describe("task: the agent's proxy carries every request", () => {
  it('workload identity federation: the Azure DevOps OIDC token, Entra ID and the exchange through squid, with the agent proxy credentials', async () => {
    const since = await mark(authProxy);
    const job = await newJob({
      ...world.ado.env(),
      SECRET_SYSTEM_ACCESSTOKEN: world.ado.accessToken,
      SYSTEM_DEBUG: 'true',
      AGENT_PROXYURL: authProxy.url,
      AGENT_PROXYUSERNAME: PROXY_USER,
      SECRET_AGENT_PROXYPASSWORD: PROXY_PASSWORD,
      AGENT_PROXYBYPASSLIST: JSON.stringify(['\\.internal\\.test'])
    });
    const connection = {
      id: world.ado.serviceConnectionId,
      scheme: 'WorkloadIdentityFederation',
      parameters: { tenantid: world.tenantId, serviceprincipalid: world.federatedApp.clientId },
      data: { environment: 'AzureCloud' }
    };
    const inputs = { ...taskDefaults(taskDir), azureSubscription: connection.id, registry: world.loginServer, loginMode: 'config' };
    const main = await runTaskStep(taskDir, 'index.js', { ...job.env, ...inputEnv(inputs), ...endpointEnv(connection) });
    expect({ exit: main.exitCode, errors: main.errors }).toEqual({ exit: 0, errors: [] });
    // The task library itself echoes Agent.ProxyPassword when it loads; the agent masks that line, as it masks every
    // secret variable. Apart from it, the password is only ever handed over to be masked.
    const library = '##vso[task.debug]Agent.ProxyPassword=';
    const shown = main.log
      .split('\n')
      .filter((line) => !line.startsWith(library))
      .join('\n');
    expect(leakedFromTask(shown, secrets())).toEqual([]);
    expect(main.masks).toContain(PROXY_PASSWORD);
    await expectTunnels(authProxy, since, [AZURE_DEVOPS_NAME, AUTHORITY, world.loginServer], PROXY_USER);
    expect(main.log).toMatch(new RegExp(`Network: ${AUTHORITY.replace(/\./g, '\\.')}: through the proxy ${authProxy.hostPort}`));
    await expectPush(job);
  });

  it('a managed identity on the bypass list goes directly; the agent proxy without credentials fails with one line', async () => {
    const imdsName = 'metadata.internal.test';
    const job = await newJob(
      {
        SYSTEM_DEBUG: 'true',
        AGENT_PROXYURL: authProxy.url,
        AGENT_PROXYBYPASSLIST: JSON.stringify(['\\.internal\\.test']),
        AZURE_POD_IDENTITY_AUTHORITY_HOST: world.imds.url.replace('127.0.0.1', imdsName)
      },
      { [imdsName]: '127.0.0.1' }
    );
    const connection = { id: 'b3b4c2d1-0000-4000-8000-000000000001', scheme: 'ManagedServiceIdentity', parameters: {}, data: {} };
    const inputs = { ...taskDefaults(taskDir), azureSubscription: connection.id, registry: world.loginServer, loginMode: 'config' };
    const main = await runTaskStep(taskDir, 'index.js', { ...job.env, ...inputEnv(inputs), ...endpointEnv(connection) });
    expect(world.requests.of('imds').filter((entry) => entry.status === 200).length).toBeGreaterThan(0);
    expect(main.exitCode).not.toBe(0);
    expect(main.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^the proxy ${authProxy.hostPort} \\(Agent\\.ProxyUrl\\) refused the connection to ${world.loginServer} \\(HTTP 407[^)]*\\): it wants a user name and password: give them in the agent's proxy settings`
        )
      )
    ]);
  });
});

describe('command line and credential helper: HTTPS_PROXY', () => {
  it('logs in through squid, and the helper renews through squid', async () => {
    const since = await mark(authProxy);
    const job = await newJob({
      HTTPS_PROXY: authProxy.url.replace('http://', `http://${PROXY_USER}:${PROXY_PASSWORD}@`),
      AZURE_CLIENT_ID: world.secretApp.clientId,
      AZURE_TENANT_ID: world.tenantId,
      AZURE_CLIENT_SECRET: world.secretApp.secret
    });
    const login = await runCli(['--registry', world.loginServer, '--login', 'helper', '--verbose'], job.env);
    expect({ exit: login.exitCode, stderr: login.exitCode === 0 ? '' : login.stderr }).toEqual({ exit: 0, stderr: '' });
    expect(login.stderr).toContain(`debug: Network: ${AUTHORITY}: through the proxy ${authProxy.hostPort} (HTTPS_PROXY, with credentials)`);
    expect(login.stderr).not.toContain(PROXY_PASSWORD);
    await expectTunnels(authProxy, since, [AUTHORITY, world.loginServer], PROXY_USER);

    // The cached token gone, docker's next `get` makes the helper sign in again: through squid as well.
    rmSync(join(job.home, '.cache', 'acr-login'), { recursive: true, force: true });
    const renewalSince = await mark(authProxy);
    world.requests.clear();
    const renewed = await runHelper('get', world.loginServer, job.env);
    expect({ exit: renewed.exitCode, stdout: renewed.exitCode === 0 ? '' : renewed.stdout }).toEqual({ exit: 0, stdout: '' });
    expect(renewed.stdout + renewed.stderr).not.toContain(PROXY_PASSWORD);
    await expectTunnels(authProxy, renewalSince, [AUTHORITY, world.loginServer], PROXY_USER);
    expect(world.requests.of('entra-token').length).toBe(1);
    const { Username, Secret } = JSON.parse(renewed.stdout) as { Username: string; Secret: string };
    expect(Username).toBe(TOKEN_USERNAME);
    const pushed = await world.push(await world.writeAuthFile(Username, Secret), 'renewed');
    expect(pushed.ok ? 'pushed' : pushed.stderr).toBe('pushed');
  });

  it('a 407 from the proxy: exit 1 and one line, credentials never printed', async () => {
    const job = await newJob({
      HTTPS_PROXY: authProxy.url.replace('http://', `http://${PROXY_USER}:not-${PROXY_PASSWORD}@`),
      AZURE_CLIENT_ID: world.secretApp.clientId,
      AZURE_TENANT_ID: world.tenantId,
      AZURE_CLIENT_SECRET: world.secretApp.secret
    });
    const run = await runCli(['--registry', world.loginServer, '--login', 'config'], job.env);
    expect(run.exitCode).toBe(1);
    expect(run.stderr.trim().split('\n').pop()).toMatch(
      new RegExp(`^acr-login: the proxy ${authProxy.hostPort} \\(HTTPS_PROXY\\) refused the connection to ${AUTHORITY} \\(HTTP 407`)
    );
    expect(run.stderr).not.toContain(PROXY_PASSWORD);
    expect(run.stderr).not.toContain(PROXY_USER);
  });
});

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
