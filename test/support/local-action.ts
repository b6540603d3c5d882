// @github/local-action (GitHub's stand-in for the runner and @actions/core) on the action's TypeScript source,
// under Node 24, against the stand-ins: what `npm run local-action` and the local-action suite run.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { node24 } from './node24';
import { runNode, type NodeRun } from './spawn-node';
import type { World } from './world';

const ROOT = join(__dirname, '..', '..');

/** Put together at run time: a path ncc can evaluate would make scripts/run-ts.js copy the file into its bundle. */
function underRoot(...parts: string[]): string {
  return join(ROOT, ...parts);
}

const LOCAL_ACTION = underRoot('node_modules', '@github', 'local-action', 'bin', 'local-action.js');

export type LocalActionScenario = 'service-principal' | 'token';

/** The values the {{...}} of .env.example take for one scenario; a login mode other than config when asked. */
export function envValues(world: World, scenario: LocalActionScenario, jobDir: string, login = 'config'): Record<string, string> {
  const registry = world.registries.armAllowed;
  const common = { registry: registry.url, login, 'job-dir': jobDir };
  const none = { 'client-id': '', 'tenant-id': '', 'client-secret': '', 'authority-host': '', username: '', password: '' };
  if (scenario === 'token') return { ...none, ...common, username: world.scopedToken.username, password: world.scopedToken.password };
  return {
    ...none,
    ...common,
    'client-id': world.secretApp.clientId,
    'tenant-id': world.tenantId,
    'client-secret': world.secretApp.secret,
    'authority-host': world.entra.url
  };
}

/** .env.example with its {{...}} filled in, written to `path`. */
export function writeEnvFile(path: string, values: Record<string, string>): string {
  const template = readFileSync(underRoot('.env.example'), 'utf8');
  writeFileSync(
    path,
    template.replace(/\{\{([a-z-]+)\}\}/g, (_match, name: string) => {
      const value = values[name];
      if (value === undefined) throw new Error(`.env.example names {{${name}}}, which the scenario does not fill`);
      return value;
    })
  );
  return path;
}

export interface LocalActionRun extends NodeRun {
  /** The table local-action prints under "Action Outputs" (it leaves out an output holding a secret, as the runner does for job outputs). */
  outputs: Record<string, string>;
  errors: string[];
  warnings: string[];
  debug: string[];
}

/**
 * `local-action run . src/github/main.ts ENV --post src/github/post.ts` with Node 24 first on PATH (local-action
 * starts tsx through npm, which runs on the node it finds there); `env` is the process environment (what must be
 * there before node starts, such as NODE_EXTRA_CA_CERTS), the .env file the step's.
 */
export async function runLocalAction(envFile: string, env: Record<string, string>, timeoutMs = 180000): Promise<LocalActionRun> {
  const node = node24();
  const run = await runNode(LOCAL_ACTION, {
    node,
    args: ['run', ROOT, 'src/github/main.ts', envFile, '--post', 'src/github/post.ts'],
    cwd: ROOT,
    env: {
      HOME: process.env['HOME'] ?? '/root',
      ...env,
      PATH: `${dirname(node)}:${env['PATH'] ?? process.env['PATH'] ?? '/usr/bin:/bin'}`
    },
    timeoutMs
  });
  const lines = run.stdout.split('\n');
  const commands = (name: string): string[] =>
    lines.flatMap((line) => {
      const match = new RegExp(`^::${name}::(.*)$`).exec(line.trim());
      return match ? [match[1] ?? ''] : [];
    });
  return { ...run, outputs: outputsTable(run.stdout), errors: commands('error'), warnings: commands('warning'), debug: commands('debug') };
}

/** The rows of the console.table under "Action Outputs": `│ 0 │ 'login-server' │ '127.0.0.1:1234' │`. */
function outputsTable(stdout: string): Record<string, string> {
  const section = stdout.split('Action Outputs')[1] ?? '';
  const outputs: Record<string, string> = {};
  for (const match of section.matchAll(/^│\s*\d+\s*│\s*'([^']*)'\s*│\s*'(.*)'\s*│\s*$/gm)) outputs[match[1] as string] = match[2] as string;
  return outputs;
}
