// npm run demo: every main auth path of the bundled action and task against the local stand-ins and a
// real registry, each followed by a real push with the credential it left, as a short transcript.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actionDefaults, runStep, StepResult } from '../test/support/action-runner';
import type { RequestLogEntry } from '../test/support/request-log';
import { endpointEnv, inputEnv, installTask, postJobEnv, runTaskStep, taskDefaults, TaskStepResult } from '../test/support/task-runner';
import { RegistryRef, startWorld, World } from '../test/support/world';

const ROOT = join(__dirname, '..', '..');
const SYSTEM_TOOLS = ['docker-registry', 'skopeo', 'openssl'];

interface Scenario {
  title: string;
  registry: (world: World) => RegistryRef;
  repository: string;
  run: (world: World, job: Job) => Promise<{ main: StepResult | TaskStepResult; post: () => Promise<StepResult | TaskStepResult> }>;
}

interface Job {
  dir: string;
  dockerConfig: string;
  env: Record<string, string>;
}

function action(
  inputs: (world: World) => Record<string, string>,
  env: (world: World) => Record<string, string> = () => ({})
): Scenario['run'] {
  return async (world, job) => {
    const inputVars: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...actionDefaults(), login: 'config', ...inputs(world) }))
      inputVars[`INPUT_${name.toUpperCase()}`] = value;
    const stepEnv = { ...job.env, ...env(world), ...inputVars };
    const main = await runStep('dist/index.js', stepEnv);
    const stateEnv = Object.fromEntries(Object.entries(main.state).map(([name, value]) => [`STATE_${name}`, value]));
    return { main, post: () => runStep('dist/post.js', { ...stepEnv, ...stateEnv }) };
  };
}

function task(
  taskDir: string,
  inputs: (world: World) => Record<string, string>,
  env: (world: World) => Record<string, string>
): Scenario['run'] {
  return async (world, job) => {
    const stepEnv = {
      ...job.env,
      AGENT_TEMPDIRECTORY: job.dir,
      ...env(world),
      ...inputEnv({ ...taskDefaults(taskDir), loginMode: 'config', ...inputs(world) })
    };
    const main = await runTaskStep(taskDir, 'index.js', stepEnv);
    return { main, post: () => runTaskStep(taskDir, 'post.js', postJobEnv(stepEnv, main)) };
  };
}

function scenarios(taskDir: string): Scenario[] {
  const entra = (world: World): Record<string, string> => ({ 'tenant-id': world.tenantId, 'authority-host': world.entra.url });
  return [
    {
      title: 'GitHub Action · service principal (client secret)',
      registry: (w) => w.registries.armRefused,
      repository: 'demo/service-principal',
      run: action((w) => ({
        ...entra(w),
        registry: w.registries.armRefused.url,
        'client-id': w.secretApp.clientId,
        'client-secret': w.secretApp.secret
      }))
    },
    {
      title: 'GitHub Action · service principal (certificate)',
      registry: (w) => w.registries.armRefused,
      repository: 'demo/certificate',
      run: action((w) => ({
        ...entra(w),
        registry: w.registries.armRefused.url,
        'client-id': w.certApp.clientId,
        'client-certificate': w.certApp.certificate.path
      }))
    },
    {
      title: 'GitHub Action · OIDC (GitHub ID token as a federated credential)',
      registry: (w) => w.registries.armRefused,
      repository: 'demo/oidc',
      run: action(
        (w) => ({ ...entra(w), registry: w.registries.armRefused.url, 'client-id': w.federatedApp.clientId }),
        (w) => w.github.env()
      )
    },
    {
      title: 'GitHub Action · managed identity (IMDS, system-assigned)',
      registry: (w) => w.registries.armRefused,
      repository: 'demo/managed-identity',
      run: action(
        (w) => ({ registry: w.registries.armRefused.url, 'auth-type': 'managed-identity' }),
        (w) => w.imds.env()
      )
    },
    {
      title: 'GitHub Action · repository-scoped token (no Entra ID)',
      registry: (w) => w.registries.armAllowed,
      repository: 'scoped/only-here',
      run: action((w) => ({ registry: w.registries.armAllowed.url, username: w.scopedToken.username, password: w.scopedToken.password }))
    },
    {
      title: 'Azure Pipelines task · workload identity federation service connection',
      registry: (w) => w.registries.armRefused,
      repository: 'demo/azure-pipelines',
      run: task(
        taskDir,
        (w) => ({ azureSubscription: w.ado.serviceConnectionId, registry: w.registries.armRefused.url }),
        (w) => ({
          ...w.ado.env(),
          SECRET_SYSTEM_ACCESSTOKEN: w.ado.accessToken,
          ...endpointEnv({
            id: w.ado.serviceConnectionId,
            scheme: 'WorkloadIdentityFederation',
            parameters: { tenantid: w.tenantId, serviceprincipalid: w.federatedApp.clientId },
            data: { environment: 'AzureCloud', activeDirectoryAuthority: `${w.entra.url}/` }
          })
        })
      )
    }
  ];
}

function checkMachine(): void {
  const missing = SYSTEM_TOOLS.filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) fail(`${missing.join(', ')} not installed: run 'bash scripts/setup.sh' first`);
  if (!existsSync(join(ROOT, 'dist', 'index.js')) || !existsSync(join(ROOT, 'task', 'dist', 'index.js')))
    fail("no bundles in dist/: run 'npm run build'");
}

function fail(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(1);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

function describeRequest(entry: RequestLogEntry, origin: number): string {
  const took = entry.end === undefined ? 'no answer' : `${Math.round(entry.end - entry.start)} ms`;
  return `    +${String(Math.round(entry.start - origin)).padStart(4)} ms  ${entry.service.padEnd(16)} ${entry.method.padEnd(4)} ${entry.path}  → ${entry.status} (${took})`;
}

async function main(): Promise<void> {
  checkMachine();
  console.log(
    'Starting the stand-ins (Entra ID, GitHub and Azure DevOps OIDC, IMDS) and two ACR login servers in front of docker-registry…'
  );
  const world = await startWorld();
  const redact = (text: string): string =>
    world.secrets().reduce((out, secret) => (secret.length >= 6 ? out.split(secret).join('***') : out), text);
  const say = (text: string): void => console.log(redact(text));
  const taskDir = installTask();
  const results: Array<{ title: string; login: string; push: string }> = [];
  try {
    for (const scenario of scenarios(taskDir)) {
      const dir = mkdtempSync(join(tmpdir(), 'demo-job-'));
      const dockerConfig = join(dir, '.docker');
      const job: Job = {
        dir,
        dockerConfig,
        env: { PATH: '/usr/bin:/bin', HOME: dir, DOCKER_CONFIG: dockerConfig, NODE_EXTRA_CA_CERTS: world.caCertPath }
      };
      say(`\n▶ ${scenario.title}`);
      const mark = world.requests.mark();
      const started = Date.now();
      const { main: step, post } = await scenario.run(world, job);
      const requests = world.requests.since(mark).filter((entry) => entry.service !== 'registry');
      requests.forEach((entry) => say(describeRequest(entry, started)));
      if (step.exitCode !== 0) {
        say(`  login failed in ${seconds(step.durationMs)}: ${step.errors.join(' ')}`);
        results.push({ title: scenario.title, login: 'FAILED', push: '-' });
        continue;
      }
      say(
        `  logged in: ${requests.length} request${requests.length === 1 ? '' : 's'}, ${seconds(step.durationMs)} (process start to exit)`
      );
      const registry = scenario.registry(world);
      const pushStarted = Date.now();
      const pushed = await world.push(join(dockerConfig, 'config.json'), registry, scenario.repository);
      const pushResult = pushed.ok
        ? `pushed ${registry.loginServer}/${scenario.repository}:v1 in ${seconds(Date.now() - pushStarted)}`
        : `push FAILED: ${pushed.stderr.trim()}`;
      say(`  skopeo: ${pushResult}`);
      const logout = await post();
      say(`  post step: ${logout.exitCode === 0 && logout.warnings.length === 0 ? 'logged out' : `problem: ${logout.warnings.join(' ')}`}`);
      results.push({ title: scenario.title, login: seconds(step.durationMs), push: pushed.ok ? 'pushed' : 'FAILED' });
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await world.close();
    rmSync(join(taskDir, '..'), { recursive: true, force: true });
  }
  say('\nSummary (every secret above is shown as ***):');
  for (const result of results) say(`  ${result.login.padStart(7)}  ${result.push.padEnd(7)} ${result.title}`);
  if (results.some((result) => result.push !== 'pushed')) process.exit(1);
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
