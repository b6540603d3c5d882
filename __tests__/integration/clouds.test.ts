// Sovereign clouds, per auth path and per face: the stand-ins play each cloud under its real names
// (login.chinacloudapi.cn, contosoreg.azurecr.cn, ...) and know only its own audiences: Entra ID issues tokens for
// the cloud's resources only (AADSTS500011 otherwise), checks the OIDC token's audience against the cloud's
// federated credentials, and the registry exchanges only tokens of its cloud's audience. Each login ends in a push.
import { helperPlace } from '../../src/core/helper/paths';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leakedFromStep, runAction, type StepResult } from '../../test/support/action-runner';
import { TOKEN_USERNAME } from '../../test/support/acr';
import { runCli, runHelper } from '../../test/support/cli-runner';
import { CHINA, PUBLIC, US_GOVERNMENT, type TestCloud } from '../../test/support/clouds';
import { startNamedWorld, type NamedWorld } from '../../test/support/named-world';
import { endpointEnv, inputEnv, installTask, leakedFromTask, runTaskStep, taskDefaults } from '../../test/support/task-runner';

let taskDir: string;
const dirs: string[] = [];

beforeAll(() => {
  taskDir = installTask();
});

afterAll(() => {
  for (const dir of [...dirs, ...(taskDir ? [join(taskDir, '..')] : [])]) rmSync(dir, { recursive: true, force: true });
});

interface Job {
  dockerConfig: string;
  env: Record<string, string>;
}

function newJob(world: NamedWorld, extraEnv: Record<string, string> = {}): Job {
  const home = mkdtempSync(join(tmpdir(), 'cloud-job-'));
  dirs.push(home);
  const dockerConfig = join(home, '.docker');
  mkdirSync(join(home, '_temp'));
  return {
    dockerConfig,
    env: {
      PATH: '/usr/bin:/bin',
      HOME: home,
      DOCKER_CONFIG: dockerConfig,
      AGENT_TEMPDIRECTORY: join(home, '_temp'),
      ...world.productEnv(),
      ...extraEnv
    }
  };
}

/** The refresh token the login wrote for the world's registry, and a push with it. */
async function expectPush(world: NamedWorld, job: Job): Promise<void> {
  const config = JSON.parse(readFileSync(join(job.dockerConfig, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
  const auth = config.auths[world.loginServer]?.auth ?? '';
  const [username, password] = Buffer.from(auth, 'base64').toString('utf8').split(':');
  expect(username).toBe(TOKEN_USERNAME);
  const pushed = await world.push(await world.writeAuthFile(username ?? '', password ?? ''), 'app');
  expect(pushed.ok ? 'pushed' : pushed.stderr).toBe('pushed');
}

/** Entra ID was asked for the cloud's ACR resource, at its own authority, and the registry exchanged the token. */
function expectCloudTokens(world: NamedWorld): void {
  const tokens = world.requests.of('entra-token').length + world.requests.of('imds').length;
  expect(tokens).toBeGreaterThan(0);
  expect(world.requests.of('acr-exchange').filter((entry) => entry.status === 200).length).toBeGreaterThan(0);
}

function expectStep(step: StepResult, world: NamedWorld): void {
  expect({ exit: step.exitCode, errors: step.errors }).toEqual({ exit: 0, errors: [] });
  expect(leakedFromStep(step.log, world.secrets())).toEqual([]);
}

/** A form POST to a named stand-in from the test itself: to its address, with its name for TLS and Host. */
function postToNamed(
  world: NamedWorld,
  name: string,
  path: string,
  form: Record<string, string>
): Promise<{ status: number; body: string }> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: world.hosts[name],
        port: 443,
        servername: name,
        path,
        method: 'POST',
        ca: readFileSync(world.caCertPath),
        headers: { Host: name, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) }
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      }
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe.each([
  ['Azure China', CHINA],
  ['Azure US Government', US_GOVERNMENT],
  ['Azure public cloud', PUBLIC]
])('%s, reached by its real names', (_label: string, cloud: TestCloud) => {
  let world: NamedWorld;

  beforeAll(async () => {
    world = await startNamedWorld(cloud);
  }, 120000);

  afterAll(async () => {
    await world?.close();
  });

  beforeEach(() => world.requests.clear());

  it(`action, client secret: the cloud from the registry's suffix (${cloud.registrySuffix}), its authority and ACR audience`, async () => {
    const job = newJob(world);
    const run = await runAction(
      {
        registry: world.loginServer,
        'client-id': world.secretApp.clientId,
        'tenant-id': world.tenantId,
        'client-secret': world.secretApp.secret,
        login: 'config'
      },
      job.env
    );
    expectStep(run.main, world);
    expect(run.main.stdout).toContain(`token (${cloud.acrAudience}) from Entra ID in ${cloud.name}`);
    expectCloudTokens(world);
    await expectPush(world, job);
  });

  it('action, certificate: the cloud from environment, a bare registry name takes its suffix', async () => {
    const job = newJob(world);
    const run = await runAction(
      {
        registry: 'contosoreg',
        environment: cloud.name,
        'client-id': world.certApp.clientId,
        'tenant-id': world.tenantId,
        'client-certificate': world.certApp.certificate.path,
        login: 'config'
      },
      job.env
    );
    expectStep(run.main, world);
    expect(run.main.outputs['login-server']).toBe(world.loginServer);
    expectCloudTokens(world);
    await expectPush(world, job);
  });

  it("action, GitHub OIDC: the job's token is asked for the cloud's federated audience, which Entra ID checks", async () => {
    const job = newJob(world, world.github.env());
    const asked = world.github.audiencesRequested.length;
    const run = await runAction(
      { registry: world.loginServer, 'client-id': world.federatedApp.clientId, 'tenant-id': world.tenantId, login: 'config' },
      job.env
    );
    expectStep(run.main, world);
    expect(world.github.audiencesRequested.slice(asked)).toEqual([cloud.federatedAudience]);
    expect(world.entra.assertionsReceived.at(-1)).toMatchObject({ kind: 'federated', aud: cloud.federatedAudience });
    await expectPush(world, job);
  });

  it("action, managed identity: IMDS is asked for the cloud's ACR audience as resource", async () => {
    const job = newJob(world, world.imds.env());
    const run = await runAction({ registry: world.loginServer, 'auth-type': 'managed-identity', login: 'config' }, job.env);
    expectStep(run.main, world);
    expect(world.requests.of('imds').filter((entry) => entry.status === 200).length).toBeGreaterThan(0);
    expect(world.requests.of('entra-token')).toEqual([]);
    await expectPush(world, job);
  });

  it("task, workload identity federation: the cloud from the service connection's environment", async () => {
    const job = newJob(world, { ...world.ado.env(), SECRET_SYSTEM_ACCESSTOKEN: world.ado.accessToken, SYSTEM_DEBUG: 'true' });
    const connection = {
      id: world.ado.serviceConnectionId,
      scheme: 'WorkloadIdentityFederation',
      parameters: { tenantid: world.tenantId, serviceprincipalid: world.federatedApp.clientId },
      data: { environment: cloud.name, activeDirectoryAuthority: `https://${cloud.authorityName}/` }
    };
    const inputs = { ...taskDefaults(taskDir), azureSubscription: connection.id, registry: 'contosoreg', loginMode: 'config' };
    const main = await runTaskStep(taskDir, 'index.js', { ...job.env, ...inputEnv(inputs), ...endpointEnv(connection) });
    expect({ exit: main.exitCode, errors: main.errors }).toEqual({ exit: 0, errors: [] });
    expect(leakedFromTask(main.log, world.secrets())).toEqual([]);
    expect(main.variables.loginServer?.value).toBe(world.loginServer);
    expect(world.entra.assertionsReceived.at(-1)).toMatchObject({ kind: 'federated', aud: cloud.federatedAudience });
    expectCloudTokens(world);
    await expectPush(world, job);
  });

  it('command line, client secret from the environment: the cloud from --environment', async () => {
    const job = newJob(world, {
      AZURE_CLIENT_ID: world.secretApp.clientId,
      AZURE_TENANT_ID: world.tenantId,
      AZURE_CLIENT_SECRET: world.secretApp.secret
    });
    const run = await runCli(['--registry', 'contosoreg', '--environment', cloud.name, '--login', 'config'], job.env);
    expect({ exit: run.exitCode, stderr: run.stderr }).toMatchObject({ exit: 0 });
    expect(run.stderr).toContain(`Logged in to ${world.loginServer}`);
    expect(run.stderr).not.toContain(world.secretApp.secret);
    expectCloudTokens(world);
    await expectPush(world, job);
  });

  if (cloud !== PUBLIC) {
    it('credential helper: records the cloud and signs in again in it when the cached token is gone', async () => {
      const job = newJob(world, {
        AZURE_CLIENT_ID: world.secretApp.clientId,
        AZURE_TENANT_ID: world.tenantId,
        AZURE_CLIENT_SECRET: world.secretApp.secret
      });
      const login = await runCli(['--registry', 'contosoreg', '--environment', cloud.name, '--login', 'helper'], job.env);
      expect({ exit: login.exitCode, stderr: login.stderr }).toMatchObject({ exit: 0 });
      const settings = JSON.parse(
        readFileSync(
          join(job.env.HOME as string, '.config', 'acr-login', `helper-${helperPlace(join(job.dockerConfig, 'config.json'))}.json`),
          'utf8'
        )
      );
      expect(settings.registries[world.loginServer]).toMatchObject({
        environment: cloud.name,
        authorityHost: `https://${cloud.authorityName}`
      });
      rmSync(join(job.env.HOME as string, '.cache', 'acr-login'), { recursive: true, force: true });
      world.requests.clear();
      const renewed = await runHelper('get', world.loginServer, job.env);
      expect({ exit: renewed.exitCode, stdout: renewed.exitCode === 0 ? '' : renewed.stdout }).toEqual({ exit: 0, stdout: '' });
      expect(world.requests.of('entra-token').length).toBe(1);
      const { Username, Secret } = JSON.parse(renewed.stdout) as { Username: string; Secret: string };
      const pushed = await world.push(await world.writeAuthFile(Username, Secret), 'renewed');
      expect(pushed.ok ? 'pushed' : pushed.stderr).toBe('pushed');
    });

    it("another cloud's audience is unknown here: Entra ID answers AADSTS500011, and the step says where ACR's audience is", async () => {
      const run = await runAction(
        {
          registry: world.loginServer,
          'client-id': world.secretApp.clientId,
          'tenant-id': world.tenantId,
          'client-secret': world.secretApp.secret,
          'token-audience': PUBLIC.acrAudience,
          login: 'config'
        },
        newJob(world).env
      );
      expect(run.main.exitCode).not.toBe(0);
      expect(run.main.errors).toEqual([
        expect.stringMatching(new RegExp(`AADSTS500011.*in ${cloud.name} ACR's audience is ${cloud.acrAudience}`))
      ]);
    });

    it("an OIDC token for the public cloud's audience matches no federated credential here: AADSTS700212", async () => {
      const run = await runAction(
        {
          registry: world.loginServer,
          'client-id': world.federatedApp.clientId,
          'tenant-id': world.tenantId,
          'oidc-audience': PUBLIC.federatedAudience,
          login: 'config'
        },
        newJob(world, world.github.env()).env
      );
      expect(run.main.exitCode).not.toBe(0);
      expect(run.main.errors).toEqual([
        expect.stringMatching(new RegExp(`AADSTS700212.*in ${cloud.name} federated credentials use ${cloud.federatedAudience}`))
      ]);
    });

    it('a registry that refuses the identity: the hint names the roles of both permission modes', async () => {
      world.requests.failNext('acr-exchange', 1, {
        status: 403,
        body: { errors: [{ code: 'DENIED', message: 'requested access to the resource is denied', detail: null }] }
      });
      const run = await runAction(
        {
          registry: world.loginServer,
          'client-id': world.secretApp.clientId,
          'tenant-id': world.tenantId,
          'client-secret': world.secretApp.secret,
          login: 'config'
        },
        newJob(world).env
      );
      expect(run.main.exitCode).not.toBe(0);
      expect(run.main.errors).toEqual([
        expect.stringMatching(
          new RegExp(
            `^${world.loginServer.replace(/\./g, '\\.')} refused the Entra token of client ${world.secretApp.clientId} .*\\(HTTP 403\\): DENIED requested access.*` +
              `has AcrPush \\(to push\\) or AcrPull \\(to pull\\) on it, or, when its permissions mode is RBAC Registry \\+ ABAC Repository Permissions, ` +
              'Container Registry Repository Writer or Reader$'
          )
        )
      ]);
    });

    it("token-audience arm: the cloud's own ARM audience (managed identity)", async () => {
      const job = newJob(world, world.imds.env());
      const run = await runAction(
        { registry: world.loginServer, 'auth-type': 'managed-identity', 'token-audience': 'arm', login: 'config' },
        job.env
      );
      expectStep(run.main, world);
      expect(run.main.stdout).toContain(`token (${cloud.armAudience}) from Entra ID in ${cloud.name}`);
      await expectPush(world, job);
    });

    it("the registry stand-in exchanges only its cloud's audience: a public-cloud ACR token is refused", async () => {
      const token = world.entra.mintAccessToken(world.tenantId, world.secretApp.objectId, world.secretApp.clientId, PUBLIC.acrAudience);
      const answer = await postToNamed(world, world.loginServer, '/oauth2/exchange', {
        grant_type: 'access_token',
        service: world.loginServer,
        tenant: world.tenantId,
        access_token: token
      });
      expect(answer.status).toBe(401);
      expect(answer.body).toContain(`audience '${PUBLIC.acrAudience}' is not accepted`);
    });
  }
});

describe('one cloud per step: mixed clouds and contradictions fail before any request, naming both', () => {
  let world: NamedWorld;

  beforeAll(async () => {
    world = await startNamedWorld(CHINA);
  }, 120000);

  afterAll(async () => {
    await world?.close();
  });

  beforeEach(() => world.requests.clear());

  it.each([
    [
      { registry: 'contosoreg.azurecr.cn\ncontosoreg.azurecr.io' },
      'registries of two clouds in one step: contosoreg.azurecr.cn (AzureChinaCloud) and contosoreg.azurecr.io (AzureCloud)'
    ],
    [
      { registry: 'contosoreg.azurecr.cn', environment: 'AzureUSGovernment' },
      'environment AzureUSGovernment contradicts registry contosoreg.azurecr.cn (AzureChinaCloud)'
    ]
  ])('action %j', async (inputs, message) => {
    const job = newJob(world, world.github.env());
    const run = await runAction(
      { ...inputs, 'client-id': world.secretApp.clientId, 'tenant-id': world.tenantId, 'client-secret': world.secretApp.secret },
      job.env
    );
    expect(run.main.exitCode).not.toBe(0);
    expect(run.main.errors).toEqual([expect.stringContaining(message)]);
    expect(world.requests.all()).toEqual([]);
    expect(world.github.audiencesRequested).toEqual([]);
  });

  it('task: a service connection in Azure US Government and a registry in Azure China', async () => {
    const job = newJob(world, { ...world.ado.env(), SECRET_SYSTEM_ACCESSTOKEN: world.ado.accessToken });
    const connection = {
      id: world.ado.serviceConnectionId,
      scheme: 'WorkloadIdentityFederation',
      parameters: { tenantid: world.tenantId, serviceprincipalid: world.federatedApp.clientId },
      data: { environment: 'AzureUSGovernment', activeDirectoryAuthority: 'https://login.microsoftonline.us/' }
    };
    const inputs = { ...taskDefaults(taskDir), azureSubscription: connection.id, registry: world.loginServer };
    const main = await runTaskStep(taskDir, 'index.js', { ...job.env, ...inputEnv(inputs), ...endpointEnv(connection) });
    expect(main.exitCode).not.toBe(0);
    expect(main.errors).toEqual([
      expect.stringContaining('environment AzureUSGovernment contradicts registry contosoreg.azurecr.cn (AzureChinaCloud)')
    ]);
    expect(world.requests.all()).toEqual([]);
  });

  it('command line: exit 2, a bad command line', async () => {
    const run = await runCli(
      ['--registry', world.loginServer, '--environment', 'AzureCloud', '--auth-type', 'managed-identity'],
      newJob(world, world.imds.env()).env
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('environment AzureCloud contradicts registry contosoreg.azurecr.cn (AzureChinaCloud)');
    expect(world.requests.all()).toEqual([]);
  });
});
