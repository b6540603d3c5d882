// Runs the shell steps of the reusable workflow and of the steps template the way the GitHub runner and the
// Azure Pipelines agent run them: the step's own script, its env with expressions evaluated, bash with the
// runner's or the agent's flags, and the output files or ##vso commands read back.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFileCommands } from './action-runner';
import { parseCommands, type TaskVariable } from './task-runner';
import type { WorkflowStep } from './github-workflow';
import { runProcess } from './spawn-node';

export interface ShellResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  log: string;
}

export async function runBash(
  args: string[],
  script: string,
  env: Record<string, string>,
  cwd: string,
  timeoutMs = 120000,
  shell = '/bin/bash'
): Promise<ShellResult> {
  const dir = mkdtempSync(join(tmpdir(), 'step-'));
  const file = join(dir, 'script.sh');
  writeFileSync(file, script);
  try {
    return await runProcess(shell, [...args, file], { env, cwd, timeoutMs });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- GitHub ----------------------------------------------------------------------------------------

/** The contexts a step's expressions read: `inputs`, `secrets`, `steps.<id>.outputs`, `github`, `job`. */
export interface GitHubContexts {
  inputs?: Record<string, string>;
  secrets?: Record<string, string>;
  github?: Record<string, string>;
  job?: Record<string, string>;
  steps?: Record<string, { outputs: Record<string, string> }>;
}

/**
 * `${{ a.b.c }}` property look-ups, as the runner evaluates them (a missing property is empty).
 * Anything else throws: the workflow's expressions must stay within what this evaluates.
 */
export function evaluateGitHub(text: string, contexts: GitHubContexts): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expression: string) => {
    if (!/^[A-Za-z_][\w-]*(\.[\w-]+)+$/.test(expression)) throw new Error(`expression the tests do not evaluate: ${expression}`);
    let value: unknown = contexts;
    for (const key of expression.split('.'))
      value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return value === undefined || value === null ? '' : String(value);
  });
}

/** A step's `with:` with its expressions evaluated. */
export function evaluateWith(step: WorkflowStep, contexts: GitHubContexts): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(step.with ?? {})) values[key] = evaluateGitHub(String(value), contexts);
  return values;
}

export interface GitHubStepResult extends ShellResult {
  outputs: Record<string, string>;
  summary: string;
  errors: string[];
}

/** A `run:` step with `shell: bash`: `bash --noprofile --norc -eo pipefail {0}`, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files. */
export async function runGitHubStep(
  step: WorkflowStep,
  contexts: GitHubContexts,
  jobEnv: Record<string, string>,
  cwd: string
): Promise<GitHubStepResult> {
  if (step.shell !== 'bash' || !step.run) throw new Error(`step '${step.id ?? step.name}' is not a bash run step`);
  const dir = mkdtempSync(join(tmpdir(), 'runner-files-'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = { ...jobEnv, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile };
  for (const [name, value] of Object.entries(step.env ?? {})) env[name] = evaluateGitHub(String(value), contexts);
  const result = await runBash(['--noprofile', '--norc', '-eo', 'pipefail'], step.run, env, cwd);
  const outputs = parseFileCommands(readFileSync(outputFile, 'utf8'));
  const summary = readFileSync(summaryFile, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  const errors = [...result.stdout.matchAll(/^::error::(.*)$/gm)].map((m) => m[1] ?? '');
  return { ...result, outputs, summary, errors };
}

// --- Azure Pipelines ----------------------------------------------------------------------------------

export interface AdoStepResult extends ShellResult {
  variables: Record<string, TaskVariable>;
  errors: string[];
}

/** A `bash:` step as the agent runs it: `bash --noprofile --norc <file>` with the step's (already expanded) env. */
export async function runAdoBash(script: string, env: Record<string, string>, cwd: string): Promise<AdoStepResult> {
  const result = await runBash(['--noprofile', '--norc'], script, env, cwd);
  const variables: Record<string, TaskVariable> = {};
  const errors: string[] = [];
  for (const { command, properties, message } of parseCommands(result.stdout)) {
    if (command === 'task.setvariable')
      variables[properties.variable ?? ''] = {
        value: message,
        secret: properties.issecret === 'true',
        isOutput: properties.isOutput === 'true'
      };
    if (command === 'task.logissue' && properties.type === 'error') errors.push(message);
  }
  return { ...result, variables, errors };
}
