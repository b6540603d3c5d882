// Runs the bundled Azure Pipelines task the way the agent does: a fresh node process, inputs as INPUT_*,
// the service connection as ENDPOINT_*, secret variables as SECRET_*, task variables handed to the
// post-job step as VSTS_TASKVARIABLE_*; the ##vso[...] commands it prints are parsed back.
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNode } from './spawn-node';
import { leakedSecrets } from './leaks';
import type { World } from './world';

const ROOT = join(__dirname, '..', '..');

export interface VsoCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

export interface TaskVariable {
  value: string;
  secret: boolean;
  isOutput: boolean;
}

export interface TaskStepResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, as the job log shows them. */
  log: string;
  commands: VsoCommand[];
  /** task.setvariable, by variable name. */
  variables: Record<string, TaskVariable>;
  /** task.settaskvariable, by variable name. */
  taskVariables: Record<string, string>;
  /** task.setsecret, in order. */
  masks: string[];
  errors: string[];
  warnings: string[];
  /** task.complete result, when the task set one. */
  result: string | undefined;
  durationMs: number;
}

/** An Azure Resource Manager service connection as the agent hands it to a task. */
export interface ServiceConnectionEnv {
  id: string;
  url?: string;
  scheme: string;
  parameters: Record<string, string>;
  data?: Record<string, string>;
}

/** A service principal (secret) connection for the world's secret app, its authority the world's Entra stand-in. */
export function spnKeyConnectionOf(world: World, id: string, data: Record<string, string> = {}): ServiceConnectionEnv {
  return {
    id,
    scheme: 'ServicePrincipal',
    parameters: {
      tenantid: world.tenantId,
      serviceprincipalid: world.secretApp.clientId,
      authenticationType: 'spnKey',
      serviceprincipalkey: world.secretApp.secret
    },
    data: { environment: 'AzureCloud', activeDirectoryAuthority: `${world.entra.url}/`, ...data }
  };
}

/** The world's workload identity federation connection: its federated app, trusting the Azure DevOps stand-in's subject. */
export function wifConnectionOf(world: World, data?: Record<string, string>): ServiceConnectionEnv {
  return {
    id: world.ado.serviceConnectionId,
    scheme: 'WorkloadIdentityFederation',
    parameters: {
      tenantid: world.tenantId,
      serviceprincipalid: world.federatedApp.clientId,
      workloadIdentityFederationIssuer: world.ado.issuer,
      workloadIdentityFederationSubject: world.ado.subjectFor(world.ado.serviceConnectionName)
    },
    ...(data ? { data } : {})
  };
}

/**
 * Copies what the extension ships (task.json, icon, dist/) to a temp dir outside the repository,
 * so no node_modules is reachable: the bundle must carry everything it needs.
 */
export function installTask(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'agent-tasks-')), 'AcrLogin_1.0.0');
  for (const entry of ['task.json', 'icon.png', 'dist']) cpSync(join(ROOT, 'task', entry), join(dir, entry), { recursive: true });
  return dir;
}

/** Input names as the agent turns them into variables: upper case, dots and spaces as underscores. */
export function variableKey(name: string): string {
  return name.replace(/[. ]/g, '_').toUpperCase();
}

export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${variableKey(name)}`] = value;
  return env;
}

export function endpointEnv(connection: ServiceConnectionEnv): Record<string, string> {
  const { id } = connection;
  const env: Record<string, string> = {
    [`ENDPOINT_URL_${id}`]: connection.url ?? 'https://management.azure.com/',
    [`ENDPOINT_AUTH_${id}`]: JSON.stringify({ scheme: connection.scheme, parameters: connection.parameters }),
    [`ENDPOINT_AUTH_SCHEME_${id}`]: connection.scheme
  };
  for (const [name, value] of Object.entries(connection.parameters)) env[`ENDPOINT_AUTH_PARAMETER_${id}_${name.toUpperCase()}`] = value;
  for (const [name, value] of Object.entries(connection.data ?? {})) env[`ENDPOINT_DATA_${id}_${name.toUpperCase()}`] = value;
  return env;
}

/** Runs one bundled entry (`index.js` or `post.js`) of an installed task with exactly `env`. */
export async function runTaskStep(
  taskDir: string,
  script: 'index.js' | 'post.js',
  env: Record<string, string>,
  timeoutMs = 120000,
  node?: string
): Promise<TaskStepResult> {
  const started = Date.now();
  const { exitCode, stdout, stderr, log } = await runNode(join(taskDir, 'dist', script), { env, cwd: taskDir, timeoutMs, node });
  const commands = parseCommands(stdout);
  const variables: Record<string, TaskVariable> = {};
  const taskVariables: Record<string, string> = {};
  for (const { command, properties, message } of commands) {
    if (command === 'task.setvariable') {
      variables[properties.variable ?? ''] = {
        value: message,
        secret: properties.issecret === 'true',
        isOutput: properties.isOutput === 'true'
      };
    }
    if (command === 'task.settaskvariable') taskVariables[properties.variable ?? ''] = message;
  }
  const issues = (type: string): string[] =>
    commands
      .filter((c) => (c.command === 'task.issue' || c.command === 'task.logissue') && c.properties.type === type)
      .map((c) => c.message);
  return {
    exitCode,
    stdout,
    stderr,
    log,
    commands,
    variables,
    taskVariables,
    masks: commands.filter((c) => c.command === 'task.setsecret').map((c) => c.message),
    errors: issues('error'),
    warnings: issues('warning'),
    result: commands.filter((c) => c.command === 'task.complete').pop()?.properties.result,
    durationMs: Date.now() - started
  };
}

/** The env the agent gives the post-job step: the same job env plus the task variables the main step set. */
export function postJobEnv(env: Record<string, string>, main: TaskStepResult): Record<string, string> {
  const taskVariables: Record<string, string> = {};
  for (const [name, value] of Object.entries(main.taskVariables)) taskVariables[`VSTS_TASKVARIABLE_${variableKey(name)}`] = value;
  return { ...env, ...taskVariables };
}

export function parseCommands(stdout: string): VsoCommand[] {
  const commands: VsoCommand[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^##vso\[([\w.]+)(?: ([^\]]*))?\](.*)$/.exec(line);
    if (!match) continue;
    const properties: Record<string, string> = {};
    for (const pair of (match[2] ?? '').split(';')) {
      const at = pair.indexOf('=');
      if (at > 0) properties[pair.slice(0, at).trim()] = unescapeProperty(pair.slice(at + 1));
    }
    commands.push({ command: match[1] ?? '', properties, message: unescapeData(match[3] ?? '') });
  }
  return commands;
}

/**
 * Secrets visible in clear in a log. The only lines allowed to carry one are those that hand it to
 * the agent: task.setsecret (registers the mask) and a task.setvariable marked issecret=true.
 */
export function leakedFromTask(log: string, secrets: string[]): string[] {
  return leakedSecrets(
    log,
    secrets,
    (line) => line.startsWith('##vso[task.setsecret]') || /^##vso\[task\.setvariable [^\]]*issecret=true;/.test(line)
  );
}

/** task.json as shipped, for defaults. */
export function taskDefaults(taskDir: string): Record<string, string> {
  const task = JSON.parse(readFileSync(join(taskDir, 'task.json'), 'utf8')) as { inputs: Array<{ name: string; defaultValue?: string }> };
  const defaults: Record<string, string> = {};
  for (const input of task.inputs) if (input.defaultValue) defaults[input.name] = input.defaultValue;
  return defaults;
}

function unescapeData(value: string): string {
  return value
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%AZP25/g, '%');
}

function unescapeProperty(value: string): string {
  return value
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%5D/g, ']')
    .replace(/%3B/g, ';')
    .replace(/%AZP25/g, '%');
}
