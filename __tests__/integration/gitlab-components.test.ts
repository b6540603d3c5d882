// The GitLab CI/CD components (templates/<name>/template.yml, what GitLab's catalog publishes): they validate
// against GitLab's own CI/CD schema, every input they hand to acr-login is a flag it takes, and their scripts
// run in order, as the runner runs them, against the stand-ins and the real docker engine: GitLab's ID token
// (id_tokens, a federated credential for https://gitlab.com), a repository-scoped token, a real push, logout.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { inspectInRegistry, readAuths, writeCallerCode } from '../../test/support/build-push';
import { CLI } from '../../test/support/cli-runner';
import { docker, sharedDockerEngine } from '../../test/support/docker-engine';
import {
  extendJob,
  gitlabSchemaErrors,
  GitLabIdTokens,
  includeComponent,
  inputsUsed,
  readComponent,
  runJob,
  type GitLabJob
} from '../../test/support/gitlab-ci';
import { leakedSecrets } from '../../test/support/leaks';
import { runNode } from '../../test/support/spawn-node';
import { startWorld, type RegistryRef, type World } from '../../test/support/world';

const ROOT = join(__dirname, '..', '..');
const TEMPLATES = join(ROOT, 'templates');
const LOGIN = join(TEMPLATES, 'acr-login', 'template.yml');
const BUILD_PUSH = join(TEMPLATES, 'acr-build-push', 'template.yml');
const PATH_WITH_DOCKER = '/usr/local/bin:/usr/bin:/bin';
const PROJECT = 'contoso/app';
/** Inputs the components keep for themselves (the job, its image, how acr-login is run); every other one is a flag of acr-login. */
const COMPONENT_ONLY = [
  'as',
  'job',
  'stage',
  'image',
  'setup',
  'command',
  'password_variable',
  'repository',
  'tags',
  'context',
  'file',
  'build_args',
  'target'
];

let world: World;
let dockerHost: string;
let gitlab: GitLabIdTokens;
let dir: string;
/** Trusts jobs of contoso/app on main, by GitLab's issuer and subject format. */
let gitlabApp: { clientId: string; objectId: string };

beforeAll(async () => {
  ({ host: dockerHost } = await sharedDockerEngine());
  world = await startWorld();
  gitlab = await GitLabIdTokens.start(world.entra);
  dir = mkdtempSync(join(tmpdir(), 'gitlab-components-'));
  gitlabApp = { clientId: randomUUID(), objectId: randomUUID() };
  world.entra.addApplication(world.tenantId, {
    ...gitlabApp,
    displayName: 'gitlab contoso/app main',
    federatedCredentials: [
      {
        name: 'gitlab-main',
        issuer: 'https://gitlab.com',
        subject: GitLabIdTokens.subject(PROJECT, 'main'),
        audience: 'api://AzureADTokenExchange'
      }
    ]
  });
  for (const registry of Object.values(world.registries)) registry.acr.assignRole(gitlabApp.objectId, 'AcrPush');
}, 60000);

afterAll(async () => {
  await world?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const components = (): string[] =>
  readdirSync(TEMPLATES)
    .map((name) => join(TEMPLATES, name, 'template.yml'))
    .filter((path) => existsSync(path));

/** A runner's job: its project checked out in a build dir, its own HOME and docker config, the stand-ins' CA trusted. */
function newJob(): { workspace: string; dockerConfig: string; env: Record<string, string> } {
  const workspace = mkdtempSync(join(dir, 'build-'));
  const home = mkdtempSync(join(dir, 'home-'));
  writeCallerCode(workspace);
  const dockerConfig = join(home, '.docker');
  const env = {
    PATH: PATH_WITH_DOCKER,
    HOME: home,
    DOCKER_CONFIG: dockerConfig,
    DOCKER_HOST: dockerHost,
    NODE_EXTRA_CA_CERTS: world.caCertPath,
    // The stand-in Entra ID, as a CI/CD variable (on GitLab.com, the default login.microsoftonline.com).
    AZURE_AUTHORITY_HOST: world.entra.url,
    CI_PROJECT_PATH: PROJECT,
    CI_COMMIT_SHA: 'c'.repeat(40),
    CI_COMMIT_REF_NAME: 'main'
  };
  return { workspace, dockerConfig, env };
}

/** acr-login as the `command` input runs it: here the checkout's bundle, on the node running the tests. */
const COMMAND = `'${process.execPath}' '${CLI}'`;

function idToken(audience: string): string {
  return gitlab.mint(audience, PROJECT, 'main');
}

function expectNoLeak(...logs: string[]): void {
  for (const log of logs) expect(leakedSecrets(log, [...world.secrets(), ...gitlab.secrets()])).toEqual([]);
}

describe('the components, as GitLab reads them', () => {
  it('are templates/<name>/template.yml: acr-login and acr-build-push, nothing else (the Azure Pipelines template lives elsewhere)', () => {
    expect(
      components()
        .map((path) => path.slice(TEMPLATES.length + 1))
        .sort()
    ).toEqual(['acr-build-push/template.yml', 'acr-login/template.yml']);
    expect(readdirSync(TEMPLATES).filter((name) => !existsSync(join(TEMPLATES, name, 'template.yml')))).toEqual([]);
  });

  it("validate against GitLab's CI/CD schema: the spec header as written, the jobs as included", () => {
    for (const path of components()) {
      const component = readComponent(path);
      expect({ path, errors: gitlabSchemaErrors(component.header) }).toEqual({ path, errors: [] });
      const required = Object.fromEntries(
        Object.entries(component.inputs)
          .filter(([, input]) => input.default === undefined)
          .map(([name]) => [name, name === 'repository' ? 'team/app' : 'myregistry.azurecr.io'])
      );
      const jobs = includeComponent(component, required);
      const pipeline = jobs['.acr-login']
        ? { ...jobs, push: { extends: '.acr-login', script: ['docker push myregistry.azurecr.io/app:1'] } }
        : jobs;
      expect({ path, errors: gitlabSchemaErrors(pipeline) }).toEqual({ path, errors: [] });
    }
  });

  it('hand acr-login only flags it takes, each from the input of the same name; every input is used', async () => {
    const help = await runNode(CLI, { args: ['--help'], env: { PATH: PATH_WITH_DOCKER } });
    expect(help.exitCode).toBe(0);
    const flags = new Set([...help.stdout.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]));
    for (const path of components()) {
      const component = readComponent(path);
      const handedOver = [...component.body.matchAll(/(--[a-z-]+) "\$\[\[\s*inputs\.([\w-]+)\s*\]\]"/g)].map((m) => ({
        flag: m[1],
        input: m[2]
      }));
      expect(handedOver.length).toBeGreaterThan(5);
      for (const { flag, input } of handedOver) {
        expect({ path, flag, known: flags.has(flag ?? '') }).toEqual({ path, flag, known: true });
        expect({ path, input, flag: `--${(input ?? '').replace(/_/g, '-')}` }).toEqual({ path, input, flag });
      }
      const used = new Set(inputsUsed(component.body));
      expect({ path, unused: Object.keys(component.inputs).filter((name) => !used.has(name)) }).toEqual({ path, unused: [] });
      expect({ path, undeclared: [...used].filter((name) => !(name in component.inputs)) }).toEqual({ path, undeclared: [] });
      const cliInputs = Object.keys(component.inputs).filter((name) => !COMPONENT_ONLY.includes(name));
      expect({ path, notFlags: cliInputs.filter((name) => !flags.has(`--${name.replace(/_/g, '-')}`)) }).toEqual({ path, notFlags: [] });
      // The login lines are the same in both components.
    }
    const loginLines = (job: GitLabJob | undefined): string[] =>
      (job?.before_script ?? []).filter((line) => !line.includes('inputs.setup'));
    const login = parse(readComponent(LOGIN).body) as Record<string, GitLabJob>;
    const buildPush = parse(readComponent(BUILD_PUSH).body) as Record<string, GitLabJob>;
    expect(loginLines(Object.values(buildPush)[0])).toEqual(loginLines(Object.values(login)[0]));
  });
});

describe('acr-login: a job that extends .acr-login', () => {
  const component = readComponent(LOGIN);
  const userJob = (registry: RegistryRef): GitLabJob => ({
    extends: '.acr-login',
    script: [`docker build --tag ${registry.loginServer}/gitlab/app:1 svc`, `docker push ${registry.loginServer}/gitlab/app:1`]
  });

  it("logs in with the job's ID token (id_tokens, GitLab's issuer and subject), pushes with docker, and logs out in after_script", async () => {
    const registry = world.registries.armRefused;
    const jobs = includeComponent(component, {
      registry: registry.url,
      client_id: gitlabApp.clientId,
      tenant_id: world.tenantId,
      command: COMMAND
    });
    const job = extendJob(userJob(registry), jobs);
    expect(job.id_tokens).toEqual({ AZURE_ID_TOKEN: { aud: 'api://AzureADTokenExchange' } });
    const run = newJob();
    const result = await runJob(job, run.env, run.workspace, idToken);
    expect({ exit: result.main.exitCode, log: result.main.exitCode === 0 ? '' : result.main.log }).toEqual({ exit: 0, log: '' });
    expect(result.main.stdout).toMatch(/digest: sha256:[0-9a-f]{64}/);
    expect(result.after?.exitCode).toBe(0);
    expect(Object.keys(readAuths(run.dockerConfig))).toEqual([]);
    expectNoLeak(result.main.log, result.after?.log ?? '');
  });

  it('a job of another branch gets no token from that identity: one line names the subject', async () => {
    const registry = world.registries.armRefused;
    const jobs = includeComponent(component, {
      registry: registry.url,
      client_id: gitlabApp.clientId,
      tenant_id: world.tenantId,
      command: COMMAND
    });
    const run = newJob();
    const result = await runJob(extendJob(userJob(registry), jobs), run.env, run.workspace, (aud) => gitlab.mint(aud, PROJECT, 'feature'));
    expect(result.main.exitCode).not.toBe(0);
    expect(result.main.stderr).toMatch(/AADSTS700213.*project_path:contoso\/app:ref_type:branch:ref:feature/);
    expect(result.main.stdout).not.toMatch(/digest:/);
    expectNoLeak(result.main.log);
  });

  it('logs in with a repository-scoped token whose password is a masked CI/CD variable, and pushes to its repository', async () => {
    const registry = world.registries.armAllowed;
    const jobs = includeComponent(component, {
      registry: registry.url,
      auth_type: 'token',
      username: world.scopedToken.username,
      password_variable: 'ACR_SCOPED_PASSWORD',
      command: COMMAND
    });
    const job = extendJob(
      {
        extends: '.acr-login',
        variables: { ACR_SCOPED_PASSWORD: world.scopedToken.password },
        script: [
          `docker build --tag ${registry.loginServer}/${world.scopedToken.repository}:1 svc`,
          `docker push ${registry.loginServer}/${world.scopedToken.repository}:1`
        ]
      },
      jobs
    );
    const run = newJob();
    const result = await runJob(job, run.env, run.workspace, idToken);
    expect({ exit: result.main.exitCode, log: result.main.exitCode === 0 ? '' : result.main.log }).toEqual({ exit: 0, log: '' });
    expect(result.main.stdout).toMatch(/digest: sha256:[0-9a-f]{64}/);
    expectNoLeak(result.main.log, result.after?.log ?? '');
  });
});

describe('acr-build-push: the job builds and pushes to every registry and hands the digest on', () => {
  it("runs its scripts in order with the job's ID token; the dotenv report names what the registry holds", async () => {
    const registries = [world.registries.armAllowed, world.registries.armRefused];
    const jobs = includeComponent(readComponent(BUILD_PUSH), {
      registry: registries.map((r) => r.url).join(','),
      repository: 'team/app',
      tags: '$CI_COMMIT_SHA,latest',
      context: 'svc',
      build_args: 'GREETING=hello',
      target: 'app',
      client_id: gitlabApp.clientId,
      tenant_id: world.tenantId,
      // The job image here is this machine, with docker and node already on it.
      setup: 'true',
      command: COMMAND
    });
    const job = jobs['acr-build-push'];
    expect(job?.artifacts).toEqual({ reports: { dotenv: 'acr-build-push.env' } });
    const run = newJob();
    const result = await runJob(job!, run.env, run.workspace, idToken);
    expect({ exit: result.main.exitCode, log: result.main.exitCode === 0 ? '' : result.main.log }).toEqual({ exit: 0, log: '' });
    const report = Object.fromEntries(
      readFileSync(join(run.workspace, 'acr-build-push.env'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
    ) as Record<string, string>;
    expect(report.ACR_DIGEST).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(report.ACR_IMAGE).toBe(`${registries[0]!.loginServer}/team/app@${report.ACR_DIGEST}`);
    const references = registries.flatMap((r) => ['c'.repeat(40), 'latest'].map((tag) => `${r.loginServer}/team/app:${tag}`));
    expect(report.ACR_REFERENCES?.split(',')).toEqual(references);
    for (const [i, reference] of references.entries()) {
      const inRegistry = await inspectInRegistry(world, registries[Math.floor(i / 2)]!, reference, join(dir, 'skopeo'));
      expect(inRegistry.digest).toBe(report.ACR_DIGEST);
      expect(inRegistry.labels).toMatchObject({ 'org.example.greeting': 'hello', 'org.example.stage': 'app' });
    }
    expect(result.after?.exitCode).toBe(0);
    expect(Object.keys(readAuths(run.dockerConfig))).toEqual([]);
    expectNoLeak(result.main.log, result.after?.log ?? '');
    await docker(['image', 'rm', '--force', ...references], {
      host: dockerHost,
      dockerConfig: run.dockerConfig,
      env: { PATH: PATH_WITH_DOCKER }
    });
  });
});
