// The ready-made unattended push for real: the reusable workflow's and the steps template's own steps (their
// shell scripts, this action and the AcrLogin task as bundled) run in order against the stand-ins, with the
// real docker engine the jest global set-up starts and the real docker-registry behind the ACR stand-ins; the
// digest the steps report is then read back from the registry with skopeo.
//
// Debian has no Buildx: where the workflow runs docker/setup-buildx-action and docker/build-push-action, this
// test runs the plain `docker build` (classic builder) and `docker push` they reduce to, with the same context,
// Dockerfile, build arguments, target and tags taken from the step's `with:`.
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { actionDefaults, leakedFromStep as leakedInJobLog, runStep, type StepResult } from '../../test/support/action-runner';
import { inspectInRegistry, readAuths, writeCallerCode } from '../../test/support/build-push';
import { docker, sharedDockerEngine } from '../../test/support/docker-engine';
import { parseWorkflow, type Workflow, type WorkflowStep } from '../../test/support/github-workflow';
import {
  expandMacros,
  expandTemplateExpressions,
  parameterValues,
  parseTemplate,
  type StepsTemplate
} from '../../test/support/azure-pipelines-yaml';
import { evaluateGitHub, evaluateWith, runAdoBash, runGitHubStep, type GitHubContexts } from '../../test/support/step-scripts';
import {
  endpointEnv,
  inputEnv,
  installTask,
  leakedFromTask as leakedInAgentLog,
  postJobEnv,
  runTaskStep,
  taskDefaults,
  type ServiceConnectionEnv,
  wifConnectionOf
} from '../../test/support/task-runner';
import { acrTypeConnection, addDockerRegistryWifIdentity } from '../../test/support/docker-registry-connections';
import { startWorld, type RegistryRef, type World } from '../../test/support/world';

const ROOT = join(__dirname, '..', '..');
const PATH_WITH_DOCKER = '/usr/local/bin:/usr/bin:/bin';
/** `sub` of a job of octo-org/octo-repo that runs the reusable workflow, once the repository's subject template includes job_workflow_ref. */
const WORKFLOW_REF = 'octo-org/acr-login/.github/workflows/acr-build-push.yml@refs/tags/v1';
const DIGEST = /^sha256:[0-9a-f]{64}$/;

let world: World;
let dockerHost: string;
let taskDir: string;
let dir: string;
/** An identity that trusts only jobs running the reusable workflow (docs/unattended-push.md). */
let platformApp: { clientId: string; objectId: string; subject: string };

beforeAll(async () => {
  ({ host: dockerHost } = await sharedDockerEngine());
  world = await startWorld();
  taskDir = installTask();
  dir = mkdtempSync(join(tmpdir(), 'unattended-push-'));
  const subject = `${world.github.defaultSubject}:job_workflow_ref:${WORKFLOW_REF}`;
  platformApp = { clientId: randomUUID(), objectId: randomUUID(), subject };
  world.entra.addApplication(world.tenantId, {
    clientId: platformApp.clientId,
    objectId: platformApp.objectId,
    displayName: 'acr-build-push only',
    federatedCredentials: [{ name: 'acr-build-push', issuer: world.github.issuer, subject, audience: 'api://AzureADTokenExchange' }]
  });
  for (const registry of Object.values(world.registries)) registry.acr.assignRole(platformApp.objectId, 'AcrPush');
}, 60000);

afterAll(async () => {
  await world?.close();
  for (const path of [dir, taskDir && join(taskDir, '..')]) if (path) rmSync(path, { recursive: true, force: true });
});

// --- GitHub: the reusable workflow -----------------------------------------------------------------

/** Inputs as the runner hands them to a called workflow: the caller's `with:` over the declared defaults. */
function workflowInputs(workflow: Workflow, given: Record<string, string>): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const [name, input] of Object.entries(workflow.on.workflow_call?.inputs ?? {})) inputs[name] = String(input.default ?? '');
  return { ...inputs, ...given };
}

/** A `uses: ./path` action as the runner runs it from that path: runs.main, then (at the end of the job) runs.post. */
async function runLocalAction(actionDir: string, inputs: Record<string, string>, env: Record<string, string>) {
  const { runs } = parse(readFileSync(join(actionDir, 'action.yml'), 'utf8')) as { runs: { main: string; post: string } };
  // runStep takes a path relative to the repository; the action may sit anywhere (a job's workspace).
  const script = (key: 'main' | 'post') => relative(ROOT, join(actionDir, runs[key]));
  const inputEnvironment: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...actionDefaults(), ...inputs })) inputEnvironment[`INPUT_${name.toUpperCase()}`] = value;
  const main = await runStep(script('main'), { ...env, ...inputEnvironment });
  const post = async (): Promise<StepResult> => {
    const state: Record<string, string> = {};
    for (const [name, value] of Object.entries(main.state)) state[`STATE_${name}`] = value;
    return runStep(script('post'), { ...env, ...inputEnvironment, ...state });
  };
  return { main, post };
}

/**
 * What docker/setup-buildx-action + docker/build-push-action reduce to without Buildx: `docker build` with the
 * step's context, file, build-args, target and tags, then `docker push` of each tag. Its `digest` output is
 * what the registry answered to the push.
 */
async function buildAndPushLikeBuildPushAction(with_: Record<string, string>, cwd: string, dockerConfig: string) {
  expect(with_.platforms).toBe(''); // emulated platforms need Buildx and QEMU
  expect(with_.push).toBe('true');
  const lines = (value = '') =>
    value
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  const tags = lines(with_.tags);
  const args = ['build', ...(with_.file ? ['--file', with_.file] : [])];
  for (const arg of lines(with_['build-args'])) args.push('--build-arg', arg);
  if (with_.target) args.push('--target', with_.target);
  for (const tag of tags) args.push('--tag', tag);
  const options = { host: dockerHost, dockerConfig, cwd, env: { PATH: PATH_WITH_DOCKER } };
  const build = await docker([...args, with_.context ?? '.'], options);
  expect({ exit: build.exitCode, stderr: build.exitCode === 0 ? '' : build.stderr }).toEqual({ exit: 0, stderr: '' });
  const digests = new Set<string>();
  for (const tag of tags) {
    const push = await docker(['push', tag], options);
    expect({ exit: push.exitCode, stderr: push.exitCode === 0 ? '' : push.stderr }).toEqual({ exit: 0, stderr: '' });
    digests.add(/digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)?.[1] ?? '');
  }
  expect(digests.size).toBe(1);
  return { digest: [...digests][0] ?? '' };
}

describe('the reusable workflow, step by step', () => {
  const workflow = parseWorkflow(readFileSync(join(ROOT, '.github', 'workflows', 'acr-build-push.yml'), 'utf8'));
  const steps = workflow.jobs['build-push']!.steps;
  const stepById = (id: string): WorkflowStep => steps.find((s) => s.id === id)!;

  /** A runner job: its workspace with the caller's code checked out into source/, its own HOME and docker config. */
  function newJob() {
    const workspace = mkdtempSync(join(dir, 'gh-workspace-'));
    const home = mkdtempSync(join(dir, 'gh-home-'));
    writeCallerCode(join(workspace, 'source'));
    const dockerConfig = join(home, '.docker');
    const env = {
      PATH: PATH_WITH_DOCKER,
      HOME: home,
      DOCKER_CONFIG: dockerConfig,
      DOCKER_HOST: dockerHost,
      GITHUB_WORKSPACE: workspace,
      GITHUB_SHA: 'e'.repeat(40),
      NODE_EXTRA_CA_CERTS: world.caCertPath,
      ...world.github.env()
    };
    return { workspace, dockerConfig, env };
  }

  it('logs in with OIDC trusted only for this workflow, builds, pushes to two registries, and reports the digest the registry holds', async () => {
    const job = newJob();
    const registries = [world.registries.armAllowed, world.registries.armRefused];
    const contexts: GitHubContexts & { steps: NonNullable<GitHubContexts['steps']> } = {
      inputs: workflowInputs(workflow, {
        registry: registries.map((r) => r.url).join('\n'),
        repository: 'team/app',
        tags: 'v1, latest',
        context: 'svc',
        'build-args': 'GREETING=hello',
        target: 'app',
        'client-id': platformApp.clientId,
        'tenant-id': world.tenantId
      }),
      secrets: {},
      github: { sha: job.env.GITHUB_SHA },
      job: { workflow_repository: 'octo-org/acr-login', workflow_sha: 'a'.repeat(40) },
      steps: {}
    };
    // The job's OIDC token says it runs the reusable workflow (the subject template includes job_workflow_ref).
    world.github.setSubject(platformApp.subject);
    world.github.claimOverrides = { job_workflow_ref: WORKFLOW_REF };

    let post: (() => Promise<StepResult>) | undefined;
    const logs: string[] = [];
    for (const step of steps) {
      if (step.id && step.run) {
        const result = await runGitHubStep(step, contexts, job.env, job.workspace);
        logs.push(result.log);
        expect({ step: step.id, exit: result.exitCode, errors: result.errors }).toEqual({ step: step.id, exit: 0, errors: [] });
        contexts.steps[step.id] = { outputs: result.outputs };
      } else if (step.uses?.startsWith('actions/checkout@') && step.with?.path === '.acr-login') {
        // The runner checks out acr-login at the commit the workflow was called at; here: this working tree's action (action.yml and dist/, the sparse checkout).
        const { repository, ref } = evaluateWith(step, contexts);
        expect({ repository, ref }).toEqual({ repository: 'octo-org/acr-login', ref: 'a'.repeat(40) });
        mkdirSync(join(job.workspace, '.acr-login'));
        cpSync(join(ROOT, 'action.yml'), join(job.workspace, '.acr-login', 'action.yml'));
        cpSync(join(ROOT, 'dist'), join(job.workspace, '.acr-login', 'dist'), { recursive: true });
      } else if (step.uses === './.acr-login') {
        // The one input the test adds: the stand-in Entra ID (on GitHub, the default login.microsoftonline.com).
        const inputs = { ...evaluateWith(step, contexts), 'authority-host': world.entra.url };
        const action = await runLocalAction(join(job.workspace, '.acr-login'), inputs, job.env);
        logs.push(action.main.log);
        expect({ exit: action.main.exitCode, errors: action.main.errors }).toEqual({ exit: 0, errors: [] });
        contexts.steps[step.id!] = { outputs: action.main.outputs };
        post = action.post;
      } else if (step.uses?.startsWith('docker/build-push-action@')) {
        contexts.steps[step.id!] = {
          outputs: await buildAndPushLikeBuildPushAction(evaluateWith(step, contexts), job.workspace, job.dockerConfig)
        };
      }
      // actions/checkout of the caller (done in newJob), setup-qemu (skipped: no platforms), setup-buildx (no Buildx here).
    }

    // The workflow's outputs, through the job's outputs, as the caller reads them.
    const jobOutputs: Record<string, string> = {};
    for (const [name, value] of Object.entries(workflow.jobs['build-push']!.outputs ?? {}))
      jobOutputs[name] = evaluateGitHub(value, contexts);
    const outputs: Record<string, string> = {};
    for (const [name, output] of Object.entries(workflow.on.workflow_call!.outputs ?? {}))
      outputs[name] = evaluateGitHub(output.value, { jobs: { 'build-push': { outputs: jobOutputs } } } as GitHubContexts);

    expect(outputs.digest).toMatch(DIGEST);
    expect(outputs.image).toBe(`${registries[0]!.loginServer}/team/app@${outputs.digest}`);
    const references = registries.flatMap((r) => ['v1', 'latest'].map((tag) => `${r.loginServer}/team/app:${tag}`));
    expect(outputs.references?.split('\n')).toEqual(references);
    for (const [i, reference] of references.entries()) {
      const inRegistry = await inspectInRegistry(world, registries[Math.floor(i / 2)]!, reference, join(dir, 'skopeo'));
      expect(inRegistry.digest).toBe(outputs.digest);
      expect(inRegistry.labels).toMatchObject({ 'org.example.greeting': 'hello', 'org.example.stage': 'app' });
    }
    expect(await inspectInRegistry(world, registries[0]!, outputs.image!, join(dir, 'skopeo'))).toMatchObject({ digest: outputs.digest });

    // The post step logs out of exactly these registries; nothing secret reached the log.
    expect(Object.keys(readAuths(job.dockerConfig)).sort()).toEqual(registries.map((r) => r.loginServer).sort());
    const logout = await post!();
    expect({ exit: logout.exitCode, warnings: logout.warnings }).toEqual({ exit: 0, warnings: [] });
    expect(readAuths(job.dockerConfig)).toEqual({});
    for (const log of [...logs, logout.log]) expect(leakedInJobLog(log, world.secrets())).toEqual([]);
  });

  it('a job of the same repository that does not run the workflow gets no token from that identity', async () => {
    const job = newJob();
    world.github.setSubject(); // repo:octo-org/octo-repo:ref:refs/heads/main, as any other workflow of the repository
    world.github.claimOverrides = {};
    const login = stepById('login');
    const inputs = {
      ...evaluateWith(login, {
        inputs: workflowInputs(workflow, {
          registry: world.registries.armRefused.url,
          repository: 'team/app',
          'client-id': platformApp.clientId,
          'tenant-id': world.tenantId
        }),
        secrets: {}
      }),
      'authority-host': world.entra.url
    };
    const action = await runLocalAction(ROOT, inputs, job.env);
    expect(action.main.exitCode).not.toBe(0);
    expect(action.main.errors.join('\n')).toMatch(/AADSTS700213|subject/);
    expect(readAuths(job.dockerConfig)).toEqual({});
  });
});

// --- Azure Pipelines: the steps template -------------------------------------------------------------

describe('the steps template, step by step', () => {
  const template: StepsTemplate = parseTemplate(readFileSync(join(ROOT, 'azure-pipelines', 'acr-build-push.yml'), 'utf8'));

  /** How the template is given each kind of connection: its parameters, the task input that names it, the connection the agent hands over. */
  interface ConnectionCase {
    given: Record<string, string>;
    input: 'azureSubscription' | 'containerRegistry';
    name: string;
    connection: ServiceConnectionEnv;
    /** In the order the login reports them. */
    registries: RegistryRef[];
  }

  it.each<[string, () => ConnectionCase]>([
    [
      'an Azure Resource Manager connection (azureSubscription)',
      () => {
        const registries = [world.registries.armAllowed, world.registries.armRefused];
        return {
          given: { azureSubscription: world.ado.serviceConnectionName, registry: registries.map((r) => r.url).join(',') },
          input: 'azureSubscription',
          name: world.ado.serviceConnectionName,
          connection: wifConnectionOf(world, { environment: 'AzureCloud', activeDirectoryAuthority: `${world.entra.url}/` }),
          registries
        };
      }
    ],
    [
      'a Docker registry connection (containerRegistry), its login server and the registry parameter',
      () => {
        const identity = addDockerRegistryWifIdentity(world);
        const parameters = { tenantid: world.tenantId, serviceprincipalid: identity.app.clientId };
        return {
          given: { containerRegistry: identity.name, registry: world.registries.armAllowed.url },
          input: 'containerRegistry',
          name: identity.name,
          connection: acrTypeConnection(world, world.registries.armRefused, 'WorkloadIdentityFederation', parameters, identity.id),
          registries: [world.registries.armRefused, world.registries.armAllowed]
        };
      }
    ]
  ])(
    'AcrLogin@1 with %s using workload identity federation, docker build, docker push, and output variables that match the registry',
    async (_kind, connectionCase) => {
      const { given, input, name, connection: serviceConnection, registries } = connectionCase();
      const sources = mkdtempSync(join(dir, 'ado-s-'));
      const home = mkdtempSync(join(dir, 'ado-home-'));
      const agentTemp = join(home, '_temp');
      mkdirSync(agentTemp);
      writeCallerCode(sources);
      const dockerConfig = join(home, '.docker');
      const jobEnv = {
        PATH: PATH_WITH_DOCKER,
        HOME: home,
        AGENT_TEMPDIRECTORY: agentTemp,
        AGENT_VERSION: '4.258.1',
        DOCKER_CONFIG: dockerConfig,
        DOCKER_HOST: dockerHost,
        // The classic builder: Debian has no Buildx (a hosted agent's docker uses BuildKit; the commands are the same).
        DOCKER_BUILDKIT: '0',
        NODE_EXTRA_CA_CERTS: world.caCertPath,
        ...world.ado.env(),
        SECRET_SYSTEM_ACCESSTOKEN: world.ado.accessToken
      };
      const variables: Record<string, string> = { 'Build.BuildId': '4711', 'Build.SourcesDirectory': sources };
      const parameters = parameterValues(template, {
        ...given,
        repository: 'team/api',
        dockerfile: 'svc/Dockerfile',
        buildContext: 'svc'
      });
      /** A value as the step gets it: template expressions at compile time, then `$(…)` macros at run time. */
      const expand = (value: unknown) => expandMacros(expandTemplateExpressions(String(value), parameters), variables);

      const [login, build] = template.steps;
      expect(login?.task).toBe('AcrLogin@1');
      const inputs: Record<string, string> = {};
      for (const [name, value] of Object.entries(login!.inputs ?? {})) inputs[name] = expand(value);
      // The agent hands a task the id of the service connection named in the input.
      expect(inputs[input]).toBe(name);
      inputs[input] = serviceConnection.id;
      const connection = endpointEnv(serviceConnection);
      const taskEnv = { ...jobEnv, ...inputEnv({ ...taskDefaults(taskDir), ...inputs }), ...connection };
      const main = await runTaskStep(taskDir, 'index.js', taskEnv);
      expect({ exit: main.exitCode, errors: main.errors }).toEqual({ exit: 0, errors: [] });
      for (const [name, variable] of Object.entries(main.variables))
        if (variable.isOutput) variables[`${login!.name}.${name}`] = variable.value;

      const stepEnv: Record<string, string> = { ...jobEnv };
      for (const [name, value] of Object.entries(build!.env ?? {})) stepEnv[name] = expand(value);
      expect(stepEnv.TAGS).toBe('4711'); // the default tag, $(Build.BuildId)
      const pushed = await runAdoBash(expand(build!.bash), stepEnv, expand(build!.workingDirectory));
      expect({ exit: pushed.exitCode, errors: pushed.errors, stderr: pushed.exitCode === 0 ? '' : pushed.log }).toEqual({
        exit: 0,
        errors: [],
        stderr: ''
      });

      const { imageReference, digest, references } = pushed.variables;
      expect(digest).toEqual({ value: expect.stringMatching(DIGEST), secret: false, isOutput: true });
      expect(imageReference?.value).toBe(`${registries[0]!.loginServer}/team/api@${digest!.value}`);
      expect(references?.value.split(',')).toEqual(registries.map((r) => `${r.loginServer}/team/api:4711`));
      for (const [i, reference] of (references?.value.split(',') ?? []).entries()) {
        const inRegistry = await inspectInRegistry(world, registries[i]!, reference, join(dir, 'skopeo'));
        expect(inRegistry.digest).toBe(digest!.value);
        expect(inRegistry.labels).toMatchObject({ 'org.example.greeting': 'unset', 'org.example.stage': 'debug' });
      }
      expect(await inspectInRegistry(world, registries[0]!, imageReference!.value, join(dir, 'skopeo'))).toMatchObject({
        digest: digest!.value
      });

      const post = await runTaskStep(taskDir, 'post.js', postJobEnv(taskEnv, main));
      expect({ exit: post.exitCode, errors: post.errors, warnings: post.warnings }).toEqual({ exit: 0, errors: [], warnings: [] });
      expect(readAuths(dockerConfig)).toEqual({});
      for (const log of [main.log, pushed.log, post.log]) expect(leakedInAgentLog(log, world.secrets())).toEqual([]);
    }
  );
});
