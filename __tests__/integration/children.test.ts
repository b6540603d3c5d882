// The docker child of every face (the action, the task, the command line): whatever it does — exit before
// reading its input, fail, hang, flood its standard error — the step ends with its own one line, the child is
// gone, and the child never saw the step's secret inputs. Docker here is a script (or /bin/true, /bin/false)
// first on PATH.
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leakedFromStep, runAction, StepResult } from '../../test/support/action-runner';
import { CLI, ProcessResult, runCli } from '../../test/support/cli-runner';
import { leakedSecrets } from '../../test/support/leaks';
import { peakMemoryEnv } from '../../test/support/planted';
import { runNode, runProcess } from '../../test/support/spawn-node';
import { useStandIns } from '../../test/support/suite-stand-ins';
import {
  endpointEnv,
  inputEnv,
  leakedFromTask,
  postJobEnv,
  runTaskStep,
  taskDefaults,
  TaskStepResult,
  spnKeyConnectionOf
} from '../../test/support/task-runner';
import { World } from '../../test/support/world';

let world: World;
let taskDir: string;
const { cleanup: dirs } = useStandIns({ task: true }, (standIns) => ({ world, taskDir } = standIns));

const EARLIER = { auth: Buffer.from('me:my-own-password').toString('base64') };

interface Job {
  home: string;
  bin: string;
  dockerConfig: string;
  env: Record<string, string>;
}

/** A job whose docker is `docker` (a path to link, or a shell script's body), with the user's own entry for the registry already in its config. */
function newJob(docker: string): Job {
  const home = mkdtempSync(join(tmpdir(), 'children-'));
  dirs.push(home);
  const bin = join(home, 'bin');
  mkdirSync(bin);
  if (docker.startsWith('/')) symlinkSync(docker, join(bin, 'docker'));
  else {
    writeFileSync(join(bin, 'docker'), `#!/bin/sh\n${docker}\n`);
    chmodSync(join(bin, 'docker'), 0o755);
  }
  const dockerConfig = join(home, '.docker');
  mkdirSync(dockerConfig);
  writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [registry().loginServer]: EARLIER } }));
  const agentTemp = join(home, '_temp');
  mkdirSync(agentTemp);
  return {
    home,
    bin,
    dockerConfig,
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: home,
      DOCKER_CONFIG: dockerConfig,
      AGENT_TEMPDIRECTORY: agentTemp,
      NODE_EXTRA_CA_CERTS: world.caCertPath
    }
  };
}

const registry = (): World['registries']['armAllowed'] => world.registries.armAllowed;

const actionInputs = (): Record<string, string> => ({
  registry: registry().url,
  'client-id': world.secretApp.clientId,
  'tenant-id': world.tenantId,
  'client-secret': world.secretApp.secret,
  'authority-host': world.entra.url,
  login: 'docker'
});

const connection = (): Parameters<typeof endpointEnv>[0] =>
  spnKeyConnectionOf(world, 'c0ffee00-0000-4000-8000-000000000001', { subscriptionId: randomUUID() });

async function runTask(job: Job, post = true): Promise<{ main: TaskStepResult; post?: TaskStepResult }> {
  const inputs = { ...taskDefaults(taskDir), azureSubscription: connection().id, registry: registry().url, loginMode: 'docker' };
  const env = { ...job.env, ...inputEnv(inputs), ...endpointEnv(connection()) };
  const main = await runTaskStep(taskDir, 'index.js', env);
  return post ? { main, post: await runTaskStep(taskDir, 'post.js', postJobEnv(env, main)) } : { main };
}

const cliArgs = (): string[] => ['--registry', registry().url, '--tenant-id', world.tenantId, '--authority-host', world.entra.url];
const cliEnv = (job: Job): Record<string, string> => ({
  ...job.env,
  AZURE_CLIENT_ID: world.secretApp.clientId,
  AZURE_CLIENT_SECRET: world.secretApp.secret
});

const STACK = /^\s+at .+:\d+:\d+\)?$/m;

function expectNoStack(log: string): void {
  expect(log).not.toMatch(STACK);
  expect(log).not.toMatch(/EPIPE|Unhandled|node:internal/);
}

function expectActionFailure(step: StepResult, message: RegExp): void {
  expect({ exit: step.exitCode, errors: step.errors.length }).toEqual({ exit: 1, errors: 1 });
  expect(step.errors[0]).toMatch(message);
  expectNoStack(step.log);
  expect(leakedFromStep(step.log, world.secrets())).toEqual([]);
}

function userEntryIsBack(job: Job): void {
  expect(JSON.parse(readFileSync(join(job.dockerConfig, 'config.json'), 'utf8')).auths[registry().loginServer]).toEqual(EARLIER);
}

/**
 * The dockers that exit at once: /bin/false and /bin/true themselves (login fails, or "succeeds" writing
 * nothing), and a docker whose login writes the entry as docker does while every other command (the post
 * step's logout, with its empty input) is /bin/false or /bin/true.
 */
const WRITES_ON_LOGIN =
  'if [ "$1" = login ]; then\n' +
  '  password=$(cat)\n' +
  '  auth=$(printf "%s:%s" "$3" "$password" | base64 -w0)\n' +
  '  printf \'{"auths":{"%s":{"auth":"%s"}}}\' "$5" "$auth" > "$DOCKER_CONFIG/config.json"\n' +
  '  exit 0\n' +
  'fi\n';
const AT_ONCE = [
  { name: '/bin/false', docker: '/bin/false', loginFails: true, logoutFails: false },
  { name: '/bin/true', docker: '/bin/true', loginFails: false, logoutFails: false },
  { name: 'login, then /bin/false', docker: `${WRITES_ON_LOGIN}exec /bin/false "$@"`, loginFails: false, logoutFails: true },
  { name: 'login, then /bin/true', docker: `${WRITES_ON_LOGIN}exec /bin/true "$@"`, loginFails: false, logoutFails: false }
];

const loginFailed = (): string => `docker login ${registry().loginServer} exited with 1`;
const logoutFailed = (): string => `Logout of ${registry().loginServer} failed: docker logout ${registry().loginServer} exited with 1`;

describe('a docker that exits at once: /bin/false, /bin/true, and a login that writes then either for the logout, all at once', () => {
  it('under the action: one ::error:: line or success; each post step ends well, warns of a failed logout, and puts the user’s entry back', async () => {
    const jobs = AT_ONCE.map((kind) => ({ kind, job: newJob(kind.docker) }));
    const runs = await Promise.all(jobs.map(({ job }) => runAction(actionInputs(), job.env, { post: true })));
    runs.forEach(({ main, post }, i) => {
      const { kind, job } = jobs[i] as (typeof jobs)[number];
      if (kind.loginFails) expectActionFailure(main, new RegExp(`^${loginFailed()}$`));
      else expect({ kind: kind.name, exit: main.exitCode, errors: main.errors }).toEqual({ kind: kind.name, exit: 0, errors: [] });
      expect({ kind: kind.name, exit: post?.exitCode, errors: post?.errors }).toEqual({ kind: kind.name, exit: 0, errors: [] });
      if (kind.logoutFails) expect(post?.warnings).toEqual([logoutFailed()]);
      expectNoStack(main.log + (post?.log ?? ''));
      expect(leakedFromStep(main.log + (post?.log ?? ''), world.secrets())).toEqual([]);
      userEntryIsBack(job);
    });
  }, 120000);

  it('under the task: one error line or success; each post-job step ends well, warns of a failed logout, and puts the user’s entry back', async () => {
    const jobs = AT_ONCE.map((kind) => ({ kind, job: newJob(kind.docker) }));
    const runs = await Promise.all(jobs.map(({ job }) => runTask(job)));
    runs.forEach(({ main, post }, i) => {
      const { kind, job } = jobs[i] as (typeof jobs)[number];
      expect({ kind: kind.name, exit: main.exitCode, errors: main.errors }).toEqual({
        kind: kind.name,
        ...(kind.loginFails ? { exit: 1, errors: [loginFailed()] } : { exit: 0, errors: [] })
      });
      expect({ kind: kind.name, exit: post?.exitCode, errors: post?.errors }).toEqual({ kind: kind.name, exit: 0, errors: [] });
      if (kind.logoutFails) expect(post?.warnings).toEqual([logoutFailed()]);
      expectNoStack(main.log + (post?.log ?? ''));
      expect(leakedFromTask(main.log + (post?.log ?? ''), world.secrets())).toEqual([]);
      userEntryIsBack(job);
    });
  }, 120000);

  it('under the command line, then acr-login logout: one error line or success, and the user’s entry back', async () => {
    const jobs = AT_ONCE.map((kind) => ({ kind, job: newJob(kind.docker) }));
    const logins = await Promise.all(jobs.map(({ job }) => runCli([...cliArgs(), '--login', 'docker'], cliEnv(job))));
    const logouts = await Promise.all(jobs.map(({ job }) => runCli(['logout'], cliEnv(job))));
    logins.forEach((login, i) => {
      const { kind, job } = jobs[i] as (typeof jobs)[number];
      const logout = logouts[i] as ProcessResult;
      expect({ kind: kind.name, exit: login.exitCode, stdout: login.stdout }).toEqual({
        kind: kind.name,
        exit: kind.loginFails ? 1 : 0,
        stdout: ''
      });
      if (kind.loginFails) expect(lastLine(login.stderr)).toBe(`acr-login: ${loginFailed()}`);
      expect({ kind: kind.name, exit: logout.exitCode }).toEqual({ kind: kind.name, exit: 0 });
      if (kind.logoutFails) expect(logout.stderr).toContain(`warning: ${logoutFailed()}`);
      expectNoStack(login.log + logout.log);
      expect(leakedSecrets(login.log + logout.log, world.secrets())).toEqual([]);
      userEntryIsBack(job);
    });
  }, 120000);
});

describe('a docker that hangs', () => {
  it('is killed at the 60 s deadline and waited for under the action, the task and the command line (no process left)', async () => {
    const script = 'echo $$ > "$(dirname "$0")/pid"\nexec sleep 600';
    const [action, task, cli] = [newJob(script), newJob(script), newJob(script)] as [Job, Job, Job];
    const [actionRun, taskRun, cliRun] = await Promise.all([
      runAction(actionInputs(), action.env),
      runTask(task, false),
      // The runners' own 60 s limit would kill the command line before its docker's deadline.
      runNode(CLI, { args: [...cliArgs(), '--login', 'docker'], env: cliEnv(cli), timeoutMs: 120000 })
    ]);
    const stopped = `docker login ${registry().loginServer} was stopped after 60 s`;
    expectActionFailure(actionRun.main, new RegExp(`^${stopped}$`));
    expect({ exit: taskRun.main.exitCode, errors: taskRun.main.errors }).toEqual({ exit: 1, errors: [stopped] });
    expect({ exit: cliRun.exitCode, error: lastLine(cliRun.stderr) }).toEqual({ exit: 1, error: `acr-login: ${stopped}` });
    for (const job of [action, task, cli]) {
      const pid = Number(readFileSync(join(job.bin, 'pid'), 'utf8'));
      expect({ pid, alive: alive(pid) }).toEqual({ pid, alive: false });
    }
  }, 150000);
});

function lastLine(text: string): string {
  return text.trimEnd().split('\n').pop() ?? '';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a docker that floods its standard error', () => {
  it('~400 MB of stderr: the action and the command line stay within 100 MiB of a quiet failure, and report the start of it', async () => {
    // 400 MB of "x" then a last line, on stderr, before docker fails; the same login with a docker that says nothing, for the baseline.
    const flood = 'head -c 400000000 /dev/zero | tr "\\0" x >&2\necho " the end" >&2\nexit 3';
    const quiet = 'exit 3';
    const peaks = Array.from({ length: 4 }, () => peakMemoryEnv());
    const [floodAction, quietAction, floodCli, quietCli] = [flood, quiet, flood, quiet].map((script) => newJob(script)) as [
      Job,
      Job,
      Job,
      Job
    ];
    const [floodActionRun, quietActionRun, floodCliRun, quietCliRun] = await Promise.all([
      runAction(actionInputs(), { ...floodAction.env, ...peaks[0]?.env }),
      runAction(actionInputs(), { ...quietAction.env, ...peaks[1]?.env }),
      runCli([...cliArgs(), '--login', 'docker'], { ...cliEnv(floodCli), ...peaks[2]?.env }),
      runCli([...cliArgs(), '--login', 'docker'], { ...cliEnv(quietCli), ...peaks[3]?.env })
    ]);
    const failed = `docker login ${registry().loginServer} exited with 3`;
    expectActionFailure(floodActionRun.main, new RegExp(`^${failed}: ${'x'.repeat(300)}$`));
    expectActionFailure(quietActionRun.main, new RegExp(`^${failed}$`));
    expect({ exit: floodCliRun.exitCode, error: lastLine(floodCliRun.stderr) }).toEqual({
      exit: 1,
      error: `acr-login: ${failed}: ${'x'.repeat(300)}`
    });
    expect({ exit: quietCliRun.exitCode, error: lastLine(quietCliRun.stderr) }).toEqual({ exit: 1, error: `acr-login: ${failed}` });
    const [floodActionMiB, quietActionMiB, floodCliMiB, quietCliMiB] = peaks.map((peak) => Math.round(peak.peakMiB()));
    const growth = { action: (floodActionMiB ?? 0) - (quietActionMiB ?? 0), cli: (floodCliMiB ?? 0) - (quietCliMiB ?? 0) };
    console.log(
      `peak memory, 400 MB of docker stderr against none: action ${floodActionMiB}/${quietActionMiB} MiB, command line ${floodCliMiB}/${quietCliMiB} MiB`
    );
    expect({ ...growth, bounded: growth.action < 100 && growth.cli < 100 }).toEqual({ ...growth, bounded: true });
  }, 120000);
});

describe("the docker child's environment", () => {
  it('holds none of the step’s inputs under the action (client-secret and password among them) nor under the task', async () => {
    const dump = 'env > "$(dirname "$0")/env.txt"\ncat > /dev/null';
    const [action, task] = [newJob(dump), newJob(dump)];
    const actionRun = await runAction({ ...actionInputs(), password: '', username: '' }, action.env, { post: true });
    const taskRun = await runTask(task);
    expect({ action: actionRun.main.exitCode, post: actionRun.post?.exitCode, task: taskRun.main.exitCode }).toEqual({
      action: 0,
      post: 0,
      task: 0
    });
    for (const job of [action, task]) {
      const env = readFileSync(join(job.bin, 'env.txt'), 'utf8');
      expect(env).toContain(`DOCKER_CONFIG=${job.dockerConfig}`);
      expect(env.split('\n').filter((line) => /^(INPUT_|ENDPOINT_AUTH|SECRET_)/i.test(line))).toEqual([]);
      expect(leakedSecrets(env, world.secrets())).toEqual([]);
    }
  }, 120000);
});

describe('acr-login --print whose reader has gone', () => {
  it('ends quietly with the login’s exit code: no stack, no EPIPE', async () => {
    const job = newJob('/bin/true');
    const command = `node ${CLI} ${cliArgs().join(' ')} --login config --print | head -c0; echo "exit=\${PIPESTATUS[0]}"`;
    const result = await runProcess('bash', ['-c', command], {
      env: { ...cliEnv(job), PATH: `${job.bin}:${process.execPath.replace(/\/node$/, '')}:/usr/bin:/bin` }
    });
    expect(result.stdout).toBe('exit=0\n');
    expectNoStack(result.stderr);
    expect(leakedSecrets(result.log, world.secrets())).toEqual([]);
    expect(existsSync(join(job.dockerConfig, 'config.json'))).toBe(true);
  }, 60000);
});
