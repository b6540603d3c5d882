import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionRun, leakedFromStep, runAction as runActionOn, runStep, StepResult } from '../../test/support/action-runner';
import { sharedDockerEngine } from '../../test/support/docker-engine';
import { MACHINE_NODE, Runtime, STEP_RUNTIMES } from '../../test/support/runtimes';
import { holdLock } from '../../test/support/lock-holder';
import { leakedSecrets } from '../../test/support/leaks';
import { useStandIns } from '../../test/support/suite-stand-ins';
import { World } from '../../test/support/world';
import { TOKEN_USERNAME } from '../../test/support/acr';

const PATH_WITHOUT_DOCKER = '/usr/bin:/bin';

let world: World;
/** The node binary the steps of the running block start with. */
let stepNode: string | undefined;

const runAction = (inputs: Record<string, string>, env: Record<string, string>, options: { post?: boolean } = {}): Promise<ActionRun> =>
  runActionOn(inputs, env, { ...options, node: stepNode });

useStandIns({}, (standIns) => ({ world } = standIns));

interface Job {
  dockerConfig: string;
  env: Record<string, string>;
}

/** A fresh job with debug logging on: its own HOME and docker config, the stand-ins' CA trusted, no docker CLI unless asked. */
function newJob(extraEnv: Record<string, string> = {}): Job {
  const home = mkdtempSync(join(tmpdir(), 'job-'));
  const dockerConfig = join(home, '.docker');
  return {
    dockerConfig,
    env: {
      PATH: PATH_WITHOUT_DOCKER,
      HOME: home,
      DOCKER_CONFIG: dockerConfig,
      NODE_EXTRA_CA_CERTS: world.caCertPath,
      RUNNER_DEBUG: '1',
      ...extraEnv
    }
  };
}

function configFile(job: Job): string {
  return join(job.dockerConfig, 'config.json');
}

function readAuths(job: Job): Record<string, { auth?: string }> {
  return existsSync(configFile(job)) ? (JSON.parse(readFileSync(configFile(job), 'utf8')).auths ?? {}) : {};
}

function expectNoLeak(...steps: Array<StepResult | undefined>): void {
  for (const step of steps) if (step) expect(leakedFromStep(step.log, world.secrets())).toEqual([]);
}

/** Success: exit 0, no error, no secret anywhere in the log (debug lines included) or in the job summary, which names every registry. */
function expectSuccess(run: ActionRun): void {
  expect({ exit: run.main.exitCode, errors: run.main.errors }).toEqual({ exit: 0, errors: [] });
  expectNoLeak(run.main, run.post);
  expect(leakedSecrets(run.main.summary, world.secrets())).toEqual([]);
  for (const server of (run.main.outputs['login-server'] ?? '').split('\n')) expect(run.main.summary).toContain(`<td>${server}</td>`);
}

const hostOf = (url: string): string => new URL(url).host;
const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Each expected line among the step's ::debug:: lines (a string is a line's start; `N ms` matches any duration). */
function expectDebugLines(step: StepResult, expected: string[]): void {
  for (const line of expected) {
    const pattern = new RegExp(`^${escaped(line).replace(/N ms/g, '\\d+ ms')}`);
    expect({ line, found: step.debug.some((debug) => pattern.test(debug)) }).toEqual({ line, found: true });
  }
}

/** The debug lines of an Entra login of one registry. */
function entraDebugLines(registry: { loginServer: string }, authPath: string, tokenRequest: string): string[] {
  return [
    `registries: ${registry.loginServer}`,
    `auth path: ${authPath}`,
    'audience: acr (https://containerregistry.azure.net)',
    tokenRequest,
    'Entra ID token for client ',
    `POST ${registry.loginServer}/oauth2/exchange: HTTP 200 in N ms`
  ];
}

const entraTokenRequest = (): string => `POST ${hostOf(world.entra.url)}/${world.tenantId}/oauth2/v2.0/token: HTTP 200 in N ms`;

/** The failure contract: non-zero exit, exactly one ::error:: line, no stack trace, no secret. */
function expectFailure(step: StepResult, message: string | RegExp): void {
  expect(step.exitCode).not.toBe(0);
  expect(step.errors).toHaveLength(1);
  expect(step.errors[0]).toMatch(message);
  expect(step.log).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
  expectNoLeak(step);
}

const spInputs = (): Record<string, string> => ({
  'client-id': world.secretApp.clientId,
  'tenant-id': world.tenantId,
  'client-secret': world.secretApp.secret,
  'authority-host': world.entra.url,
  login: 'config'
});

async function expectPush(job: Job, registry: { loginServer: string }, repository = 'app'): Promise<void> {
  const pushed = await world.push(configFile(job), registry, repository);
  expect(pushed.ok ? 'pushed' : pushed.stderr).toBe('pushed');
}

/** Push with what the step wrote, then run its post step and check the entry is gone. */
async function expectPushThenLogout(job: Job, run: ActionRun, registry: { loginServer: string }): Promise<void> {
  await expectPush(job, registry);
  const post = await runPost(job, run);
  expect({ exit: post.exitCode, warnings: post.warnings }).toEqual({ exit: 0, warnings: [] });
  expect(readAuths(job)[registry.loginServer]).toBeUndefined();
  expectNoLeak(post);
}

// The bundle as the runner starts it: on Node 24 (action.yml's node24) and on the machine's Node.
describe.each(STEP_RUNTIMES)('on $name', (runtime: Runtime) => {
  beforeAll(() => {
    stepNode = runtime.binary();
  });

  describe('each auth path logs in and a real push succeeds with what it wrote', () => {
    it('service principal with a secret: outputs, mask, 0600 config, push, then logout of exactly that entry', async () => {
      const job = newJob();
      writeFileSync(join(mkdir(job.dockerConfig), 'config.json'), JSON.stringify({ auths: { 'ghcr.io': { auth: 'a2VlcDptZQ==' } } }));
      const registry = world.registries.armAllowed;
      const run = await runAction({ ...spInputs(), registry: registry.url }, job.env);
      expectSuccess(run);
      expectDebugLines(run.main, [
        ...entraDebugLines(
          registry,
          `service principal with a client secret (client ${world.secretApp.clientId}, tenant ${world.tenantId}), chosen by auth-type auto, as client-secret is given`,
          entraTokenRequest()
        ),
        `authority: ${world.entra.url}, from authority-host`,
        'login: config'
      ]);
      const { outputs, masks } = run.main;
      expect(outputs['login-server']).toBe(registry.loginServer);
      expect(outputs.username).toBe(TOKEN_USERNAME);
      expect(masks).toContain(outputs.password);
      expect(masks).toContain(world.secretApp.secret);
      const hoursLeft = (Date.parse(outputs['expires-on'] ?? '') - Date.now()) / 3600000;
      expect(hoursLeft).toBeGreaterThan(2.5);
      expect(hoursLeft).toBeLessThan(3.5);
      expect(statSync(configFile(job)).mode & 0o777).toBe(0o600);
      expect(Buffer.from(readAuths(job)[registry.loginServer]?.auth ?? '', 'base64').toString()).toBe(
        `${TOKEN_USERNAME}:${outputs.password}`
      );
      await expectPush(job, registry);

      const logout = await runPost(job, run);
      expect(logout.exitCode).toBe(0);
      expect(logout.warnings).toEqual([]);
      expect(Object.keys(readAuths(job))).toEqual(['ghcr.io']);
      expectNoLeak(logout);
      expectDebugLines(logout, [`logout: undoing the config login of ${registry.loginServer}`]);
    });

    it('service principal with a certificate given as PEM text, and as a file path', async () => {
      for (const certificate of [world.certApp.certificate.combinedPem, world.certApp.certificate.path]) {
        const job = newJob();
        const inputs = { ...spInputs(), 'client-id': world.certApp.clientId, 'client-secret': '', 'client-certificate': certificate };
        const run = await runAction({ ...inputs, registry: world.registries.armRefused.url }, job.env);
        expectSuccess(run);
        expectDebugLines(
          run.main,
          entraDebugLines(
            world.registries.armRefused,
            `service principal with a certificate (client ${world.certApp.clientId}, tenant ${world.tenantId}), chosen by auth-type auto, as client-certificate is given`,
            entraTokenRequest()
          )
        );
        if (certificate.includes('PRIVATE KEY')) expect(run.main.masks).toContain(world.certApp.certificate.keyPem.split('\n')[1]);
        await expectPushThenLogout(job, run, world.registries.armRefused);
      }
    });

    it('service principal from an azure/login creds JSON', async () => {
      const job = newJob();
      const creds = JSON.stringify({
        clientId: world.secretApp.clientId,
        clientSecret: world.secretApp.secret,
        tenantId: world.tenantId,
        subscriptionId: 'x'
      });
      const run = await runAction(
        { registry: world.registries.armRefused.url, creds, 'authority-host': world.entra.url, login: 'config' },
        job.env
      );
      expectSuccess(run);
      expectDebugLines(
        run.main,
        entraDebugLines(
          world.registries.armRefused,
          `service principal with a client secret (client ${world.secretApp.clientId}, tenant ${world.tenantId}), chosen by auth-type auto, as creds is given`,
          entraTokenRequest()
        )
      );
      await expectPushThenLogout(job, run, world.registries.armRefused);
    });

    it('GitHub OIDC: the job token becomes a client assertion', async () => {
      const job = newJob(world.github.env());
      const before = world.requests.count('github-oidc');
      const run = await runAction(
        {
          registry: world.registries.armRefused.url,
          'client-id': world.federatedApp.clientId,
          'tenant-id': world.tenantId,
          'authority-host': world.entra.url,
          login: 'config'
        },
        job.env
      );
      expectSuccess(run);
      expect(world.requests.count('github-oidc')).toBe(before + 1);
      expectDebugLines(run.main, [
        ...entraDebugLines(
          world.registries.armRefused,
          `OIDC (client ${world.federatedApp.clientId}, tenant ${world.tenantId}, federated token from github), chosen by auth-type auto, as client-id is given and the platform offers an OIDC token`,
          entraTokenRequest()
        ),
        'federated token from github: N ms'
      ]);
      await expectPushThenLogout(job, run, world.registries.armRefused);
    });

    it('managed identity through IMDS, system-assigned and user-assigned', async () => {
      for (const clientId of ['', world.userAssigned.clientId]) {
        const job = newJob(world.imds.env());
        const run = await runAction(
          { registry: world.registries.armRefused.url, 'auth-type': 'managed-identity', 'client-id': clientId, login: 'config' },
          job.env
        );
        expectSuccess(run);
        expectDebugLines(
          run.main,
          entraDebugLines(
            world.registries.armRefused,
            `managed identity, ${clientId ? `user-assigned (client ${clientId})` : 'system-assigned'}, chosen by auth-type managed-identity as given`,
            `GET ${hostOf(world.imds.env().AZURE_POD_IDENTITY_AUTHORITY_HOST)}/metadata/identity/oauth2/token`
          )
        );
        await expectPushThenLogout(job, run, world.registries.armRefused);
      }
    });

    it('managed identity through the App Service endpoint', async () => {
      const job = newJob(world.appService.env());
      const run = await runAction({ registry: world.registries.armRefused.url, 'auth-type': 'managed-identity', login: 'config' }, job.env);
      expectSuccess(run);
      expectDebugLines(
        run.main,
        entraDebugLines(
          world.registries.armRefused,
          'managed identity, system-assigned, chosen by auth-type managed-identity as given',
          `GET ${hostOf(world.appService.env().IDENTITY_ENDPOINT)}`
        )
      );
      await expectPushThenLogout(job, run, world.registries.armRefused);
    });

    it('repository-scoped token: no Entra call, checked at the token endpoint, denied outside its scope', async () => {
      const job = newJob();
      const entraBefore = world.requests.count('entra-token');
      const registry = world.registries.armAllowed;
      const run = await runAction(
        { registry: registry.url, username: world.scopedToken.username, password: world.scopedToken.password, login: 'config' },
        job.env
      );
      expectSuccess(run);
      expect(world.requests.count('entra-token')).toBe(entraBefore);
      expectDebugLines(run.main, [
        `registries: ${registry.loginServer}`,
        `auth path: username and password of '${world.scopedToken.username}', chosen by auth-type auto, as username is given`,
        'no Entra ID request',
        `GET ${registry.loginServer}/oauth2/token: HTTP 200 in N ms`,
        'login: config'
      ]);
      expect(run.main.outputs.username).toBe(world.scopedToken.username);
      expect(run.main.outputs['expires-on']).toBe('');
      expect(run.main.masks).toContain(world.scopedToken.password);
      await expectPush(job, registry, world.scopedToken.repository);
      const denied = await world.push(configFile(job), registry, 'not-in-scope');
      expect(denied.ok).toBe(false);
    });

    it('admin user', async () => {
      const job = newJob();
      const run = await runAction(
        { registry: world.registries.armAllowed.url, username: world.admin.username, password: world.admin.password, login: 'config' },
        job.env
      );
      expectSuccess(run);
      expectDebugLines(run.main, [
        `auth path: username and password of '${world.admin.username}', chosen by auth-type auto, as username is given`,
        `GET ${world.registries.armAllowed.loginServer}/oauth2/token: HTTP 200 in N ms`
      ]);
      await expectPushThenLogout(job, run, world.registries.armAllowed);
    });
  });

  describe('several registries, audiences and login modes', () => {
    it('one Entra token for all registries, exchanges in parallel, outputs as lists in input order', async () => {
      const job = newJob();
      const registries = [world.registries.armRefused, world.registries.armAllowed];
      const entraBefore = world.requests.count('entra-token');
      const run = await runAction({ ...spInputs(), registry: registries.map((r) => r.url).join('\n') }, job.env, { post: true });
      expectSuccess(run);
      expect(world.requests.count('entra-token')).toBe(entraBefore + 1);
      expect(run.main.outputs['login-server']).toBe(registries.map((r) => r.loginServer).join('\n'));
      const passwords = (run.main.outputs.password ?? '').split('\n');
      expect(passwords).toHaveLength(2);
      for (const password of passwords) expect(run.main.masks).toContain(password);
      expect(run.post?.exitCode).toBe(0);
      expect(readAuths(job)).toEqual({});
    });

    it('ARM audience works where allowed and, where authentication-as-arm is disabled, says how to fix it', async () => {
      const allowed = await runAction({ ...spInputs(), registry: world.registries.armAllowed.url, 'token-audience': 'arm' }, newJob().env);
      expectSuccess(allowed);
      const refused = await runAction({ ...spInputs(), registry: world.registries.armRefused.url, 'token-audience': 'arm' }, newJob().env);
      expectFailure(refused.main, /refused the ARM-audience token .*authentication-as-arm is disabled.*token-audience: acr/);
    });

    it('login: docker runs the real docker CLI with the password on stdin', async () => {
      const job = newJob({ PATH: process.env.PATH ?? '' });
      const registry = world.registries.armAllowed;
      const run = await runAction({ ...spInputs(), login: 'docker', registry: registry.url }, job.env);
      expectSuccess(run);
      expect(run.main.log).toContain(`docker login ${registry.loginServer} succeeded`);
      expect(readAuths(job)[registry.loginServer]).toBeDefined();
      await expectPush(job, registry);
      const logout = await runPost(job, run);
      expect(logout.log).toContain(`docker logout ${registry.loginServer} succeeded`);
      expect(readAuths(job)[registry.loginServer]).toBeUndefined();
    });

    it('login: none sets the outputs and writes no file; logout: false keeps the entry', async () => {
      const none = newJob();
      const outputsOnly = await runAction({ ...spInputs(), login: 'none', registry: world.registries.armAllowed.url }, none.env);
      expectSuccess(outputsOnly);
      expect(outputsOnly.main.outputs.password).toBeTruthy();
      expect(existsSync(configFile(none))).toBe(false);

      const kept = newJob();
      const run = await runAction({ ...spInputs(), logout: 'false', registry: world.registries.armAllowed.url }, kept.env, { post: true });
      expectSuccess(run);
      expect(Object.keys(readAuths(kept))).toEqual([world.registries.armAllowed.loginServer]);
    });

    it('parallel steps sharing one docker config lose nothing', async () => {
      const job = newJob();
      writeFileSync(join(mkdir(job.dockerConfig), 'config.json'), JSON.stringify({ auths: { 'ghcr.io': { auth: 'a2VlcDptZQ==' } } }));
      const steps: Array<Record<string, string>> = [
        { username: world.scopedToken.username, password: world.scopedToken.password, registry: world.registries.armAllowed.url },
        { username: world.admin.username, password: world.admin.password, registry: world.registries.armRefused.url },
        { ...spInputs(), registry: world.registries.armAllowed.url },
        { ...spInputs(), registry: world.registries.armRefused.url }
      ];
      const runs = await Promise.all(steps.map((inputs) => runAction({ login: 'config', ...inputs }, job.env)));
      runs.forEach(expectSuccess);
      expect(Object.keys(readAuths(job)).sort()).toEqual(
        ['ghcr.io', world.registries.armAllowed.loginServer, world.registries.armRefused.loginServer].sort()
      );
    });
  });

  describe('job summary', () => {
    /** The <td> cells of each row of the step's summary table, header row excluded. */
    const summaryRows = (step: StepResult): string[][] =>
      [...step.summary.matchAll(/<tr>(.*?)<\/tr>/g)]
        .map((row) => [...(row[1] ?? '').matchAll(/<td>(.*?)<\/td>/g)].map((cell) => cell[1] ?? ''))
        .filter((cells) => cells.length > 0);

    it('one row per registry: the identity from the token, the audience, the login mode and the expiry; no secret', async () => {
      const registries = [world.registries.armAllowed, world.registries.armRefused];
      const run = await runAction({ ...spInputs(), registry: registries.map((r) => r.url).join(',') }, newJob().env);
      expectSuccess(run);
      const expiries = (run.main.outputs['expires-on'] ?? '').split('\n');
      const identity = `client ${world.secretApp.clientId} (object ${world.secretApp.objectId})`;
      expect(run.main.summary).toContain('<h3>ACR login</h3>');
      expect(summaryRows(run.main)).toEqual(registries.map((r, i) => [r.loginServer, identity, 'acr', 'config', expiries[i]]));
    });

    it('a username and password: the user name, no audience, no expiry', async () => {
      const registry = world.registries.armAllowed;
      const run = await runAction(
        { registry: registry.url, username: world.scopedToken.username, password: world.scopedToken.password, login: 'none' },
        newJob().env
      );
      expectSuccess(run);
      expect(summaryRows(run.main)).toEqual([
        [registry.loginServer, `user ${world.scopedToken.username}`, 'none (username and password)', 'none', 'not known (a password)']
      ]);
    });

    it('job-summary: false writes nothing to GITHUB_STEP_SUMMARY; a value that is not a boolean fails the step', async () => {
      const off = await runAction({ ...spInputs(), registry: world.registries.armAllowed.url, 'job-summary': 'false' }, newJob().env);
      expect({ exit: off.main.exitCode, summary: off.main.summary }).toEqual({ exit: 0, summary: '' });
      const bad = await runAction({ ...spInputs(), registry: world.registries.armAllowed.url, 'job-summary': 'maybe' }, newJob().env);
      expectFailure(bad.main, "job-summary 'maybe' is not valid; use true or false");
      expect(bad.main.summary).toBe('');
    });
  });

  describe('bad input fails with one line naming the cause', () => {
    it('refuses a host that is not a registry before any request', async () => {
      const before = world.requests.all().length;
      const run = await runAction(
        { ...spInputs(), registry: `${world.registries.armAllowed.url}\nmyregistry.azurecr.io.evil.example` },
        newJob().env
      );
      expectFailure(run.main, "registry 'myregistry.azurecr.io.evil.example' refused");
      expect(world.requests.all().length).toBe(before);
    });

    it.each([
      ['a wrong client secret', () => ({ 'client-secret': 'wrong-secret-value' }), /AADSTS7000215.*client secret of app .* is wrong/],
      ['an unknown tenant', () => ({ 'tenant-id': world.unknownTenantId }), /AADSTS90002.*tenant .* was not found/],
      [
        'an unknown application',
        () => ({ 'client-id': '11111111-2222-3333-4444-555555555555' }),
        /AADSTS700016.*app 11111111-2222-3333-4444-555555555555 was not found/
      ],
      [
        'an unknown auth-type',
        () => ({ 'auth-type': 'magic' }),
        /auth-type 'magic' is not valid; use one of: auto, oidc, service-principal, managed-identity, token/
      ],
      ['a username without password', () => ({ username: 'someone' }), /username is given but password is empty/],
      [
        'malformed creds',
        () => ({ 'client-secret': '', 'client-id': '', creds: '{"clientSecret": "do-not-print-me" ' }),
        /creds is not valid JSON/
      ]
    ])('%s', async (_name, inputs, message) => {
      const run = await runAction({ ...spInputs(), registry: world.registries.armAllowed.url, ...inputs() }, newJob().env);
      expectFailure(run.main, message);
      expect(leakedFromStep(run.main.log, ['do-not-print-me'])).toEqual([]);
    });

    it('OIDC without id-token: write says what to add', async () => {
      const run = await runAction(
        {
          registry: world.registries.armAllowed.url,
          'auth-type': 'oidc',
          'client-id': world.federatedApp.clientId,
          'tenant-id': world.tenantId,
          'authority-host': world.entra.url
        },
        newJob().env,
        { post: false }
      );
      expectFailure(run.main, /add `permissions: id-token: write`/);
    });

    it('OIDC with a subject that has no federated credential names the subject', async () => {
      const subject = 'repo:octo-org/octo-repo:pull_request';
      world.github.setSubject(subject);
      try {
        const run = await runAction(
          {
            registry: world.registries.armAllowed.url,
            'client-id': world.federatedApp.clientId,
            'tenant-id': world.tenantId,
            'authority-host': world.entra.url
          },
          newJob(world.github.env()).env,
          { post: false }
        );
        expectFailure(run.main, new RegExp(`AADSTS700213.*subject '${subject.replace(/[/]/g, '\\/')}'`));
      } finally {
        world.github.setSubject(world.github.defaultSubject);
      }
    });

    it('a wrong repository-token password fails the step, not the first push', async () => {
      const run = await runAction(
        { registry: world.registries.armAllowed.url, username: world.scopedToken.username, password: 'not-the-password', login: 'config' },
        newJob().env
      );
      expectFailure(
        run.main,
        new RegExp(`${world.registries.armAllowed.loginServer} rejected the password of '${world.scopedToken.username}'`)
      );
    });

    it('an identity without a role on the registry cannot push', async () => {
      const job = newJob();
      const run = await runAction(
        {
          ...spInputs(),
          'client-id': world.noRoleApp.clientId,
          'client-secret': world.noRoleApp.secret,
          registry: world.registries.armAllowed.url
        },
        job.env
      );
      expectSuccess(run);
      const denied = await world.push(configFile(job), world.registries.armAllowed, 'app');
      expect(denied.ok).toBe(false);
    });
  });

  describe('post step', () => {
    it('never fails the job, even with unreadable state', async () => {
      const job = newJob();
      const post = await runPost(job, undefined, 'not json');
      expect(post.exitCode).toBe(0);
      expect(post.errors).toEqual([]);
    });
  });
});

// Timing and retries are the same code on any Node: once, on the machine's.
describe("on the machine's Node", () => {
  beforeAll(() => {
    stepNode = MACHINE_NODE.binary();
  });

  describe('transient failures are retried, silent hosts fail fast', () => {
    it('retries 429 (with Retry-After) from Entra ID and 503 from the exchange', async () => {
      world.requests.failNext('entra-token', 2, { status: 429, retryAfterSeconds: 1 });
      world.requests.failNext('acr-exchange', 2, { status: 503 });
      const entraBefore = world.requests.count('entra-token');
      const exchangeBefore = world.requests.count('acr-exchange');
      const run = await runAction({ ...spInputs(), registry: world.registries.armAllowed.url }, newJob().env);
      expectSuccess(run);
      expect(world.requests.count('entra-token') - entraBefore).toBe(3);
      expect(world.requests.count('acr-exchange') - exchangeBefore).toBe(3);
    });

    it('an authority that never answers fails naming it, well under a minute', async () => {
      const authority = `https://127.0.0.1:${world.blackhole.port}`;
      const run = await runAction({ ...spInputs(), 'authority-host': authority, registry: world.registries.armAllowed.url }, newJob().env);
      expectFailure(run.main, new RegExp(`127\\.0\\.0\\.1:${world.blackhole.port}`));
      expect(run.main.durationMs).toBeLessThan(60000);
    }, 90000);

    it('a registry that never answers fails naming it', async () => {
      const run = await runAction(
        {
          registry: `http://127.0.0.1:${world.blackhole.port}`,
          username: world.admin.username,
          password: world.admin.password,
          login: 'config'
        },
        newJob().env,
        { post: false }
      );
      expectFailure(run.main, new RegExp(`127\\.0\\.0\\.1:${world.blackhole.port} did not answer`));
    }, 90000);
  });
});

async function runPost(job: Job, run: ActionRun | undefined, rawState?: string): Promise<StepResult> {
  const state = rawState !== undefined ? { 'acr-login': rawState } : (run?.main.state ?? {});
  const stateEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(state)) stateEnv[`STATE_${name}`] = value;
  return runStep('dist/post.js', { ...job.env, ...stateEnv }, undefined, stepNode);
}

function mkdir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('nothing the job had is lost, and a crashed writer blocks nobody', () => {
  const runnerSecret = 'long-lived-runner-secret-9876543210';
  const earlier = { auth: Buffer.from(`runner:${runnerSecret}`).toString('base64'), identitytoken: 'kept-exactly' };
  const secrets = (): string[] => [...world.secrets(), runnerSecret, earlier.auth];

  it('the entry the job had for the registry is kept aside (not in the state) and put back by the post step', async () => {
    const job = newJob();
    const registry = world.registries.armAllowed;
    const before = { auths: { [registry.loginServer]: earlier, 'ghcr.io': { auth: 'a2VlcDptZQ==' } }, proxies: { default: {} } };
    writeFileSync(join(mkdir(job.dockerConfig), 'config.json'), JSON.stringify(before));
    const run = await runAction({ ...spInputs(), registry: registry.url }, job.env, { post: true });
    expectSuccess(run);
    expect(leakedFromStep(run.main.log, secrets())).toEqual([]);
    expect(leakedFromStep(JSON.stringify(run.main.state), secrets())).toEqual([]);
    expect(run.post?.log).toContain(`Put back the earlier credentials for ${registry.loginServer}`);
    expect(leakedFromStep(run.post?.log ?? '', secrets())).toEqual([]);
    expect(JSON.parse(readFileSync(configFile(job), 'utf8'))).toEqual(before);
  });

  it('login: docker — docker login replaces the entry, the post step puts it back after docker logout', async () => {
    const { host } = await sharedDockerEngine();
    const job = newJob({ PATH: '/usr/local/bin:/usr/bin:/bin', DOCKER_HOST: host });
    const registry = world.registries.armRefused;
    writeFileSync(join(mkdir(job.dockerConfig), 'config.json'), JSON.stringify({ auths: { [registry.loginServer]: earlier } }));
    const run = await runAction({ ...spInputs(), login: 'docker', registry: registry.url }, job.env, { post: true });
    expectSuccess(run);
    expect(leakedFromStep(`${run.main.log}${JSON.stringify(run.main.state)}${run.post?.log}`, secrets())).toEqual([]);
    expect(run.post?.log).toContain(`docker logout ${registry.loginServer} succeeded`);
    expect(run.post?.log).toContain(`Put back the earlier credentials for ${registry.loginServer}`);
    expect(readAuths(job)).toEqual({ [registry.loginServer]: earlier });
  });

  it('a symbolic link config.json is written through and cleaned through', async () => {
    const job = newJob();
    const registry = world.registries.armRefused;
    const target = join(mkdir(join(job.env.HOME as string, 'dotfiles')), 'docker.json');
    writeFileSync(target, '{}');
    symlinkSync(target, join(mkdir(job.dockerConfig), 'config.json'));
    const run = await runAction({ ...spInputs(), registry: registry.url }, job.env);
    expectSuccess(run);
    expect(lstatSync(configFile(job)).isSymbolicLink()).toBe(true);
    await expectPushThenLogout(job, run, registry);
    expect(lstatSync(configFile(job)).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(target, 'utf8')).auths).toEqual({});
  });

  it.each([
    ['"text"', ' holds a string, not a JSON object'],
    ['{"auths":[]}', ': "auths" is an array, not an object'],
    ['{"auths":"x"}', ': "auths" is a string, not an object']
  ])('a config %s fails the step with one line naming it, and stays as it was', async (text, why) => {
    const job = newJob();
    writeFileSync(join(mkdir(job.dockerConfig), 'config.json'), text);
    const run = await runAction({ ...spInputs(), registry: world.registries.armAllowed.url }, job.env);
    expectFailure(run.main, `docker config ${configFile(job)}${why}; fix or remove it`);
    expect(readFileSync(configFile(job), 'utf8')).toBe(text);
  });

  it('DOCKER_CONFIG naming a file fails the step with one line', async () => {
    const job = newJob();
    writeFileSync(job.dockerConfig, 'a file');
    const run = await runAction({ ...spInputs(), registry: world.registries.armAllowed.url }, job.env);
    expectFailure(
      run.main,
      `the docker config directory ${job.dockerConfig} is a file, not a directory: point DOCKER_CONFIG at a directory`
    );
  });

  it('a writer killed (kill -9) holding the config lock: the login succeeds within seconds, the post step removes its entry', async () => {
    const job = newJob();
    const registry = world.registries.armAllowed;
    mkdir(job.dockerConfig);
    const crashed = await holdLock(configFile(job), JSON.stringify({ auths: { 'half.example': { auth: 'aGFsZjp3cml0dGVu' } } }));
    await crashed.kill();
    const run = await runAction({ ...spInputs(), registry: registry.url }, job.env);
    expectSuccess(run);
    expect(run.main.durationMs).toBeLessThan(10000);
    expect(readdirSync(job.dockerConfig)).toEqual(['config.json']);

    const crashedAgain = await holdLock(configFile(job));
    await crashedAgain.kill();
    const post = await runPost(job, run);
    expect({ exit: post.exitCode, warnings: post.warnings }).toEqual({ exit: 0, warnings: [] });
    expect(post.durationMs).toBeLessThan(10000);
    expect(readAuths(job)).toEqual({});
    expectNoLeak(post);
  });

  it('a refresh token with a line break fails the step before any output or config is written', async () => {
    const job = newJob();
    const registry = world.registries.armAllowed;
    const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = `${part({ alg: 'RS256' })}.${part({ exp: Math.floor(Date.now() / 1000) + 3600 })}.c2lnbmF0dXJlLXNlZ21lbnQ\ninjected-line`;
    world.requests.failNext('acr-exchange', 1, { status: 200, body: { refresh_token: token } });
    const run = await runAction({ ...spInputs(), registry: registry.url }, job.env);
    expectFailure(
      run.main,
      `${registry.loginServer} answered the token exchange with a refresh token that contains whitespace; nothing was written`
    );
    expect(run.main.outputs).toEqual({});
    expect(existsSync(configFile(job))).toBe(false);
    expect(leakedFromStep(run.main.log, token.split('\n'))).toEqual([]);
  });
});
