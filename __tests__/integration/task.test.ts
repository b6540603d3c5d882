// The bundled Azure Pipelines task, run as the agent runs it, against the local stand-ins.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useStandIns } from '../../test/support/suite-stand-ins';
import {
  endpointEnv,
  inputEnv,
  leakedFromTask,
  postJobEnv,
  runTaskStep as runTaskStepOn,
  ServiceConnectionEnv,
  taskDefaults,
  TaskStepResult,
  wifConnectionOf
} from '../../test/support/task-runner';
import { RegistryRef, World } from '../../test/support/world';
import { TOKEN_USERNAME } from '../../test/support/acr';
import { ACR_AUDIENCE } from '../../test/support/entra';
import {
  acrTypeConnection,
  addDockerRegistryWifIdentity,
  DockerRegistryWifIdentity,
  issuedAccessTokens,
  othersConnection
} from '../../test/support/docker-registry-connections';
import { Runtime, STEP_RUNTIMES } from '../../test/support/runtimes';

let world: World;
let taskDir: string;
/** The node binary the steps of the running block start with. */
let stepNode: string | undefined;

const runTaskStep = (dir: string, script: 'index.js' | 'post.js', env: Record<string, string>): Promise<TaskStepResult> =>
  runTaskStepOn(dir, script, env, undefined, stepNode);
const { cleanup: jobDirs } = useStandIns({ task: true }, (standIns) => ({ world, taskDir } = standIns));

interface Job {
  dockerConfig: string;
  env: Record<string, string>;
}

/** A fresh agent job: clean env, its own temp dir and docker config, the stand-ins' CA trusted, system.debug on. */
function newJob(extraEnv: Record<string, string> = {}): Job {
  const home = mkdtempSync(join(tmpdir(), 'ado-job-'));
  jobDirs.push(home);
  const agentTemp = join(home, '_temp');
  mkdirSync(agentTemp);
  const dockerConfig = join(home, '.docker');
  return {
    dockerConfig,
    env: {
      PATH: '/usr/bin:/bin',
      HOME: home,
      AGENT_TEMPDIRECTORY: agentTemp,
      AGENT_VERSION: '4.258.1',
      SYSTEM_DEBUG: 'true',
      DOCKER_CONFIG: dockerConfig,
      NODE_EXTRA_CA_CERTS: world.caCertPath,
      ...extraEnv
    }
  };
}

interface TaskRun {
  main: TaskStepResult;
  post?: TaskStepResult;
  /** Everything the agent gave the main step; the post-job step gets the same plus the task variables. */
  env: Record<string, string>;
}

/** The main step with task.json's defaults under `inputs` and the given connection, then (unless told not to) the post-job step. */
async function runTask(
  job: Job,
  inputs: Record<string, string>,
  connection?: ServiceConnectionEnv,
  options: { post?: boolean } = {}
): Promise<TaskRun> {
  const env = { ...job.env, ...inputEnv({ ...taskDefaults(taskDir), ...inputs }), ...(connection ? endpointEnv(connection) : {}) };
  const main = await runTaskStep(taskDir, 'index.js', env);
  if (options.post === false) return { main, env };
  return { main, post: await postJob(main, env), env };
}

// --- service connections, as the agent hands them over -------------------------------------------

const cloudData = (): Record<string, string> => ({
  environment: 'AzureCloud',
  activeDirectoryAuthority: `${world.entra.url}/`,
  scopeLevel: 'Subscription',
  subscriptionId: randomUUID(),
  subscriptionName: 'Contoso CI'
});

function wifConnection(): ServiceConnectionEnv {
  return wifConnectionOf(world, cloudData());
}

/** What the agent gives a YAML job for workload identity federation: the request URI and System.AccessToken as a secret variable. */
const wifEnv = (): Record<string, string> => ({ ...world.ado.env(), SECRET_SYSTEM_ACCESSTOKEN: world.ado.accessToken });

function spnKeyConnection(overrides: Record<string, string> = {}): ServiceConnectionEnv {
  return {
    id: randomUUID(),
    scheme: 'ServicePrincipal',
    parameters: {
      tenantid: world.tenantId,
      serviceprincipalid: world.secretApp.clientId,
      authenticationType: 'spnKey',
      serviceprincipalkey: world.secretApp.secret,
      ...overrides
    },
    data: cloudData()
  };
}

function spnCertificateConnection(): ServiceConnectionEnv {
  return {
    id: randomUUID(),
    scheme: 'ServicePrincipal',
    parameters: {
      tenantid: world.tenantId,
      serviceprincipalid: world.certApp.clientId,
      authenticationType: 'spnCertificate',
      servicePrincipalCertificate: world.certApp.certificate.combinedPem
    },
    data: cloudData()
  };
}

function msiConnection(clientId: string): ServiceConnectionEnv {
  return {
    id: randomUUID(),
    scheme: 'ManagedServiceIdentity',
    parameters: { tenantid: world.tenantId },
    data: { ...cloudData(), ...(clientId ? { msiclientId: clientId } : {}) }
  };
}

// --- expectations --------------------------------------------------------------------------------

function configFile(job: Job): string {
  return join(job.dockerConfig, 'config.json');
}

function readAuths(job: Job): Record<string, { auth?: string }> {
  return existsSync(configFile(job)) ? (JSON.parse(readFileSync(configFile(job), 'utf8')).auths ?? {}) : {};
}

function expectNoLeak(...steps: Array<TaskStepResult | undefined>): void {
  for (const step of steps) if (step) expect(leakedFromTask(step.log, world.secrets())).toEqual([]);
}

function expectSuccess(run: TaskRun): void {
  expect({ exit: run.main.exitCode, result: run.main.result, errors: run.main.errors, stderr: run.main.stderr }).toEqual({
    exit: 0,
    result: undefined,
    errors: [],
    stderr: ''
  });
  if (run.post)
    expect({ exit: run.post.exitCode, errors: run.post.errors, warnings: run.post.warnings }).toEqual({
      exit: 0,
      errors: [],
      warnings: []
    });
  expectNoLeak(run.main, run.post);
}

/** The failure contract: exit code 1, task.complete result=Failed, exactly one error line, no stack trace, no secret. */
function expectFailure(step: TaskStepResult, message: string | RegExp): void {
  expect({ exit: step.exitCode, result: step.result }).toEqual({ exit: 1, result: 'Failed' });
  expect(step.errors).toHaveLength(1);
  expect(step.errors[0]).toMatch(message);
  expect(step.log).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(step.log).not.toContain('Unhandled');
  expectNoLeak(step);
}

/** Each secret is registered before the task prints anything but the library's own debug lines. */
function expectMaskedFirst(step: TaskStepResult, secrets: string[]): void {
  const lines = step.stdout.split('\n');
  const firstOther = lines.findIndex(
    (line) => line.trim() !== '' && !line.startsWith('##vso[task.debug]') && !line.startsWith('##vso[task.setsecret]')
  );
  for (const secret of secrets) {
    const at = lines.indexOf(`##vso[task.setsecret]${secret}`);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(firstOther);
  }
}

/** Outputs are output variables; the password one is secret and masked before it is set. */
function expectOutputs(step: TaskStepResult, loginServer: string, username: string): void {
  const { loginServer: server, username: user, password, expiresOn } = step.variables;
  expect(server).toEqual({ value: loginServer, secret: false, isOutput: true });
  expect(user).toEqual({ value: username, secret: false, isOutput: true });
  expect(password).toMatchObject({ secret: true, isOutput: true });
  expect(expiresOn).toMatchObject({ secret: false, isOutput: true });
  for (const value of (password?.value ?? '').split(',')) expect(step.masks).toContain(value);
}

async function expectPush(job: Job, registry: { loginServer: string }, repository = 'app'): Promise<void> {
  const pushed = await world.push(configFile(job), registry, repository);
  expect({ ok: pushed.ok, stderr: pushed.stderr }).toEqual({ ok: true, stderr: expect.any(String) });
}

function seedConfig(job: Job): void {
  mkdirSync(job.dockerConfig, { recursive: true });
  writeFileSync(configFile(job), JSON.stringify({ auths: { 'ghcr.io': { auth: 'a2VlcDptZQ==' } } }));
}

/** The post-job step, as the agent runs it at the end of the job. */
function postJob(main: TaskStepResult, env: Record<string, string>): Promise<TaskStepResult> {
  return runTaskStep(taskDir, 'post.js', postJobEnv(env, main));
}

// --- tests ---------------------------------------------------------------------------------------

// The bundle as the agent starts it: on Node 24 (task.json's Node24) and on the machine's Node (Node20_1 elsewhere).
describe.each(STEP_RUNTIMES)('on $name', (runtime: Runtime) => {
  beforeAll(() => {
    stepNode = runtime.binary();
  });

  describe('each service connection scheme logs in, a real push succeeds, the post-job step logs out', () => {
    it('workload identity federation: the OIDC token comes from System.OidcRequestUri with System.AccessToken', async () => {
      const job = newJob(wifEnv());
      seedConfig(job);
      const registry = world.registries.armRefused;
      const before = world.requests.count('ado-oidc');
      const run = await runTask(
        job,
        { azureSubscription: world.ado.serviceConnectionId, registry: registry.url, loginMode: 'config' },
        wifConnection(),
        { post: false }
      );
      expectSuccess(run);
      expect(world.requests.count('ado-oidc')).toBe(before + 1);
      expectMaskedFirst(run.main, [world.ado.accessToken]);
      expectOutputs(run.main, registry.loginServer, TOKEN_USERNAME);
      const hoursLeft = (Date.parse(run.main.variables.expiresOn?.value ?? '') - Date.now()) / 3600000;
      expect(hoursLeft).toBeGreaterThan(2.5);
      expect(hoursLeft).toBeLessThan(3.5);
      expect(Object.keys(run.main.taskVariables)).toEqual(['AcrLoginState']);
      await expectPush(job, registry);

      const post = await postJob(run.main, run.env);
      expect({ exit: post.exitCode, errors: post.errors, warnings: post.warnings }).toEqual({ exit: 0, errors: [], warnings: [] });
      expect(post.log).toContain(`Removed credentials for ${registry.loginServer}`);
      expect(Object.keys(readAuths(job))).toEqual(['ghcr.io']);
      expectNoLeak(post);
    });

    it('workload identity federation also takes System.AccessToken from the SystemVssConnection endpoint', async () => {
      const job = newJob({
        ...world.ado.env(),
        ...endpointEnv({
          id: 'SYSTEMVSSCONNECTION',
          url: 'https://dev.azure.com/contoso/',
          scheme: 'OAuth',
          parameters: { AccessToken: world.ado.accessToken }
        })
      });
      const before = world.requests.count('ado-oidc');
      const run = await runTask(
        job,
        { azureSubscription: world.ado.serviceConnectionId, registry: world.registries.armAllowed.url, loginMode: 'none' },
        wifConnection()
      );
      expectSuccess(run);
      expect(world.requests.count('ado-oidc')).toBe(before + 1);
      expect(run.main.masks).toContain(world.ado.accessToken);
    });

    it('service principal with a secret (spnKey), two registries: one Entra token, comma-separated outputs', async () => {
      const job = newJob();
      const registries = [world.registries.armAllowed, world.registries.armRefused];
      const connection = spnKeyConnection();
      const entraBefore = world.requests.count('entra-token');
      const run = await runTask(
        job,
        { azureSubscription: connection.id, registry: registries.map((r) => r.url).join('\n'), loginMode: 'config' },
        connection,
        { post: false }
      );
      expectSuccess(run);
      expect(world.requests.count('entra-token')).toBe(entraBefore + 1);
      expectMaskedFirst(run.main, [world.secretApp.secret]);
      expect(run.main.variables.loginServer?.value).toBe(registries.map((r) => r.loginServer).join(','));
      expect(run.main.variables.password?.value.split(',')).toHaveLength(2);
      expect(run.main.variables.password?.value).not.toContain('\n');
      for (const registry of registries) await expectPush(job, registry);

      const post = await postJob(run.main, run.env);
      expect({ exit: post.exitCode, warnings: post.warnings }).toEqual({ exit: 0, warnings: [] });
      expect(readAuths(job)).toEqual({});
      expectNoLeak(post);
    });

    it('service principal with a certificate (spnCertificate): every key line is masked first', async () => {
      const job = newJob();
      const registry = world.registries.armRefused;
      const connection = spnCertificateConnection();
      const run = await runTask(job, { azureSubscription: connection.id, registry: registry.url, loginMode: 'config' }, connection, {
        post: false
      });
      expectSuccess(run);
      const keyLines = world.certApp.certificate.keyPem.split('\n').filter((line) => line && !line.startsWith('-----'));
      expectMaskedFirst(run.main, keyLines);
      expectOutputs(run.main, registry.loginServer, TOKEN_USERNAME);
      await expectPush(job, registry);
      const post = await postJob(run.main, run.env);
      expect(post.exitCode).toBe(0);
      expect(readAuths(job)).toEqual({});
    });

    it('managed identity through IMDS, system-assigned and user-assigned (msiclientId)', async () => {
      for (const clientId of ['', world.userAssigned.clientId]) {
        const job = newJob(world.imds.env());
        const registry = world.registries.armAllowed;
        const connection = msiConnection(clientId);
        const before = world.requests.count('imds');
        const run = await runTask(job, { azureSubscription: connection.id, registry: registry.url, loginMode: 'config' }, connection, {
          post: false
        });
        expectSuccess(run);
        expect(world.requests.count('imds')).toBeGreaterThan(before);
        expectOutputs(run.main, registry.loginServer, TOKEN_USERNAME);
        await expectPush(job, registry);
        const post = await postJob(run.main, run.env);
        expect(post.exitCode).toBe(0);
        expect(readAuths(job)).toEqual({});
      }
    });

    it('repository-scoped token with username and password: no service connection, no Entra request', async () => {
      const job = newJob();
      const registry = world.registries.armAllowed;
      const entraBefore = world.requests.count('entra-token');
      const run = await runTask(
        job,
        { registry: registry.url, username: world.scopedToken.username, password: world.scopedToken.password, loginMode: 'config' },
        undefined,
        { post: false }
      );
      expectSuccess(run);
      expect(world.requests.count('entra-token')).toBe(entraBefore);
      expectMaskedFirst(run.main, [world.scopedToken.password]);
      expectOutputs(run.main, registry.loginServer, world.scopedToken.username);
      expect(run.main.variables.expiresOn?.value).toBe('');
      await expectPush(job, registry, world.scopedToken.repository);
      const post = await postJob(run.main, run.env);
      expect(post.exitCode).toBe(0);
      expect(readAuths(job)).toEqual({});
    });

    it('logout: false leaves no state and the post-job step has nothing to do', async () => {
      const job = newJob();
      const connection = spnKeyConnection();
      const run = await runTask(
        job,
        { azureSubscription: connection.id, registry: world.registries.armAllowed.url, loginMode: 'config', logout: 'false' },
        connection
      );
      expectSuccess(run);
      expect(run.main.taskVariables).toEqual({});
      expect(run.post?.log).toContain('Nothing to log out of');
      expect(Object.keys(readAuths(job))).toEqual([world.registries.armAllowed.loginServer]);
    });
  });

  describe('bad input fails the task with one line naming the cause', () => {
    it('an unknown service connection', async () => {
      const id = randomUUID();
      const run = await runTask(newJob(), { azureSubscription: id, registry: world.registries.armAllowed.url }, undefined, { post: false });
      expectFailure(run.main, `service connection '${id}' is not available to this job`);
    });

    it('an unsupported authorization scheme', async () => {
      const connection: ServiceConnectionEnv = {
        id: randomUUID(),
        scheme: 'PublishProfile',
        parameters: { tenantid: world.tenantId, publishProfile: '<publishData/>' }
      };
      const run = await runTask(newJob(), { azureSubscription: connection.id, registry: world.registries.armAllowed.url }, connection, {
        post: false
      });
      expectFailure(
        run.main,
        /uses the authorization scheme 'PublishProfile', which AcrLogin does not support; use WorkloadIdentityFederation/
      );
    });

    it('workload identity federation without System.OidcRequestUri says what is needed, before any request', async () => {
      const mark = world.requests.mark();
      const job = newJob({ SECRET_SYSTEM_ACCESSTOKEN: world.ado.accessToken });
      const run = await runTask(
        job,
        { azureSubscription: world.ado.serviceConnectionId, registry: world.registries.armAllowed.url },
        wifConnection(),
        { post: false }
      );
      expectFailure(
        run.main,
        /uses workload identity federation, but the agent provides no System\.OidcRequestUri; workload identity federation needs Azure DevOps Services .* an up-to-date agent/
      );
      expect(world.requests.since(mark)).toEqual([]);
    });

    it('a connection Azure DevOps gives no OIDC token for: its answer, in one line', async () => {
      const connection = { ...wifConnection(), id: randomUUID() };
      const run = await runTask(
        newJob(wifEnv()),
        { azureSubscription: connection.id, registry: world.registries.armAllowed.url },
        connection,
        { post: false }
      );
      expectFailure(
        run.main,
        new RegExp(
          `Azure DevOps gave no OIDC token for service connection ${connection.id} \\(HTTP 404\\): Service connection with id '${connection.id}' was not found`
        )
      );
    });

    it.each([
      [
        'a wrong client secret',
        () => spnKeyConnection({ serviceprincipalkey: 'wrong-secret-value-do-not-print' }),
        /AADSTS7000215.*client secret of app .* is wrong/
      ],
      ['an unknown tenant', () => spnKeyConnection({ tenantid: world.unknownTenantId }), /AADSTS90002.*tenant .* was not found/]
    ])('%s', async (_name, connection, message) => {
      const conn = connection();
      const run = await runTask(
        newJob(),
        { azureSubscription: conn.id, registry: world.registries.armAllowed.url, loginMode: 'config' },
        conn,
        { post: false }
      );
      expectFailure(run.main, message);
      const key = conn.parameters.serviceprincipalkey ?? '';
      expect(run.main.log.split('\n').filter((line) => line.includes(key))).toEqual([`##vso[task.setsecret]${key}`]);
    });

    it('a registry that is not an ACR is refused before any token request', async () => {
      const mark = world.requests.mark();
      const run = await runTask(
        newJob(wifEnv()),
        {
          azureSubscription: world.ado.serviceConnectionId,
          registry: `${world.registries.armAllowed.url}\nmyregistry.azurecr.io.evil.example`
        },
        wifConnection(),
        { post: false }
      );
      expectFailure(run.main, "registry 'myregistry.azurecr.io.evil.example' refused");
      const services = world.requests.since(mark).map((entry) => entry.service);
      expect(services).not.toContain('entra-token');
      expect(services).toEqual([]);
    });
  });

  describe('Docker registry service connections (containerRegistry), as Docker@2 takes them', () => {
    let wif: DockerRegistryWifIdentity;
    beforeAll(() => {
      wif = addDockerRegistryWifIdentity(world);
    });

    /** The audiences of the access tokens Entra ID issued while `run` ran. */
    async function audiencesDuring<T>(run: () => Promise<T>): Promise<{ result: T; audiences: unknown[] }> {
      const before = new Set(issuedAccessTokens(world).map((issued) => issued.token));
      const result = await run();
      const audiences = issuedAccessTokens(world)
        .filter((issued) => !before.has(issued.token))
        .map((issued) => issued.aud);
      return { result, audiences };
    }

    const registry = (): RegistryRef => world.registries.armRefused;
    const wifParameters = (): Record<string, string> => ({ serviceprincipalid: wif.app.clientId, tenantid: world.tenantId });
    const servicePrincipalConnection = (): ServiceConnectionEnv =>
      acrTypeConnection(world, registry(), 'ServicePrincipal', {
        serviceprincipalid: world.secretApp.clientId,
        serviceprincipalkey: world.secretApp.secret,
        tenantid: world.tenantId
      });
    /** [scheme, the connection, what the agent adds to the job for it, the secrets it must mask first] */
    const schemes: Array<[string, () => ServiceConnectionEnv, () => Record<string, string>, () => string[]]> = [
      [
        'WorkloadIdentityFederation',
        () => acrTypeConnection(world, registry(), 'WorkloadIdentityFederation', wifParameters(), wif.id),
        wifEnv,
        () => [world.ado.accessToken]
      ],
      ['ServicePrincipal', servicePrincipalConnection, () => ({}), () => [world.secretApp.secret]],
      [
        'ManagedServiceIdentity',
        () => acrTypeConnection(world, registry(), 'ManagedServiceIdentity', { tenantid: world.tenantId }),
        () => world.imds.env(),
        () => []
      ]
    ];

    it.each(schemes)(
      'type Azure Container Registry, %s: only the loginServer, an ACR-audience token, a real push, logged out after the job',
      async (scheme, connection, env, secrets) => {
        const job = newJob(env());
        seedConfig(job);
        const oidcBefore = world.requests.count('ado-oidc');
        const conn = connection();
        const { result: run, audiences } = await audiencesDuring(() =>
          runTask(job, { containerRegistry: conn.id, loginMode: 'config' }, conn, { post: false })
        );
        expectSuccess(run);
        expect(audiences.length).toBeGreaterThan(0);
        expect(new Set(audiences)).toEqual(new Set([ACR_AUDIENCE]));
        expect(world.requests.count('ado-oidc')).toBe(oidcBefore + (scheme === 'WorkloadIdentityFederation' ? 1 : 0));
        expectMaskedFirst(run.main, secrets());
        expectOutputs(run.main, registry().loginServer, TOKEN_USERNAME);
        await expectPush(job, registry());

        const post = await postJob(run.main, run.env);
        expect({ exit: post.exitCode, errors: post.errors, warnings: post.warnings }).toEqual({ exit: 0, errors: [], warnings: [] });
        expect(post.log).toContain(`Removed credentials for ${registry().loginServer}`);
        expect(Object.keys(readAuths(job))).toEqual(['ghcr.io']);
        expectNoLeak(post);
      }
    );

    it('with the registry input too: one Entra token, both registries logged in to and pushed to', async () => {
      const job = newJob();
      const conn = servicePrincipalConnection();
      const entraBefore = world.requests.count('entra-token');
      const run = await runTask(job, { containerRegistry: conn.id, registry: world.registries.armAllowed.url, loginMode: 'config' }, conn, {
        post: false
      });
      expectSuccess(run);
      expect(world.requests.count('entra-token')).toBe(entraBefore + 1);
      expect(run.main.variables.loginServer?.value).toBe(`${registry().loginServer},${world.registries.armAllowed.loginServer}`);
      for (const target of [registry(), world.registries.armAllowed]) await expectPush(job, target);
    });

    it('type Others to an Azure Container Registry login server: its repository-scoped token pushes within its scope only', async () => {
      const job = newJob();
      const target = world.registries.armAllowed;
      const conn = othersConnection(target.url, world.scopedToken.username, world.scopedToken.password);
      const entraBefore = world.requests.count('entra-token');
      const run = await runTask(job, { containerRegistry: conn.id, loginMode: 'config' }, conn, { post: false });
      expectSuccess(run);
      expect(world.requests.count('entra-token')).toBe(entraBefore);
      expectMaskedFirst(run.main, [world.scopedToken.password]);
      expectOutputs(run.main, target.loginServer, world.scopedToken.username);
      await expectPush(job, target, world.scopedToken.repository);
      const outside = await world.push(configFile(job), target, 'app');
      expect(outside.ok).toBe(false);

      const post = await postJob(run.main, run.env);
      expect(post.exitCode).toBe(0);
      expect(readAuths(job)).toEqual({});
    });

    it('type Others to any other registry: refused, naming it, before anything is sent', async () => {
      const conn = othersConnection('https://index.docker.io/v1/', 'contoso', world.admin.password);
      const mark = world.requests.mark();
      const run = await runTask(newJob(wifEnv()), { containerRegistry: conn.id }, conn, { post: false });
      expectFailure(
        run.main,
        `Docker registry service connection '${conn.id}' is for index.docker.io, which is not an Azure Container Registry login server`
      );
      expect(run.main.masks).toContain(world.admin.password);
      expect(world.requests.since(mark)).toEqual([]);
    });

    it.each<[string, () => ServiceConnectionEnv, (id: string) => string, { handedOver: boolean }]>([
      [
        'without loginServer',
        () => {
          const conn = acrTypeConnection(world, registry(), 'WorkloadIdentityFederation', wifParameters(), wif.id);
          delete conn.parameters.loginServer;
          return conn;
        },
        (id) => `Docker registry service connection '${id}' (Azure Container Registry) has no loginServer`,
        { handedOver: true }
      ],
      [
        'with an unknown scheme',
        () => acrTypeConnection(world, registry(), 'Certificate', { tenantid: world.tenantId }),
        (id) =>
          `Docker registry service connection '${id}' (Azure Container Registry) uses the authorization scheme 'Certificate', which AcrLogin does not support`,
        { handedOver: true }
      ],
      [
        'this pipeline is not authorized to use (the agent hands over nothing)',
        () => acrTypeConnection(world, registry(), 'WorkloadIdentityFederation', wifParameters()),
        (id) => `Docker registry service connection '${id}' is not available to this job`,
        { handedOver: false }
      ],
      [
        'Azure DevOps gives no OIDC token for',
        () => acrTypeConnection(world, registry(), 'WorkloadIdentityFederation', wifParameters()),
        (id) =>
          `Azure DevOps gave no OIDC token for service connection ${id} (HTTP 404): Service connection with id '${id}' was not found or the pipeline is not authorized to use it`,
        { handedOver: true }
      ]
    ])('a connection %s fails in one line, nothing sent to Entra ID or a registry', async (_name, connection, message, { handedOver }) => {
      const conn = connection();
      const mark = world.requests.mark();
      const run = await runTask(newJob(wifEnv()), { containerRegistry: conn.id }, handedOver ? conn : undefined, { post: false });
      expectFailure(run.main, message(conn.id));
      expect(world.requests.since(mark).filter((entry) => entry.service !== 'ado-oidc')).toEqual([]);
    });
  });

  describe('post-job step', () => {
    it('never fails the job, even with unreadable state', async () => {
      const job = newJob();
      const post = await runTaskStep(taskDir, 'post.js', { ...job.env, VSTS_TASKVARIABLE_ACRLOGINSTATE: 'not json' });
      expect({ exit: post.exitCode, errors: post.errors, result: post.result }).toEqual({ exit: 0, errors: [], result: undefined });
      expect(post.log).toContain('Nothing to log out of');
    });
  });
});
