// Checks a GitHub workflow with the publishers' own validators, and what no schema knows: that every `with:`
// is an input of the action it goes to and that every `steps.*.outputs.*` / `jobs.*.outputs.*` it reads is set.
import { validateWorkflow } from '@action-validator/core';
import Ajv, { type ValidateFunction } from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..');
const SCHEMAS = join(ROOT, 'test', 'schemas');

export interface WorkflowStep {
  id?: string;
  name?: string;
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  if?: string;
}

export interface WorkflowJob {
  'runs-on'?: string;
  permissions?: Record<string, string> | string;
  outputs?: Record<string, string>;
  steps: WorkflowStep[];
}

export interface WorkflowCall {
  inputs?: Record<string, { type: string; required?: boolean; default?: unknown; description?: string }>;
  secrets?: Record<string, { required?: boolean; description?: string }>;
  outputs?: Record<string, { value: string; description?: string }>;
}

export interface Workflow {
  name?: string;
  on: { workflow_call?: WorkflowCall };
  permissions?: Record<string, string> | string;
  jobs: Record<string, WorkflowJob>;
}

export interface ActionMetadata {
  inputs: Record<string, { required?: boolean; default?: unknown }>;
  outputs: Record<string, unknown>;
}

export function parseWorkflow(text: string): Workflow {
  return parse(text) as Workflow;
}

let compiledSchema: ValidateFunction | undefined;

/** Errors from SchemaStore's github-workflow.json (vendored, see test/schemas/README.md), validated by ajv. */
export function schemaStoreErrors(text: string): string[] {
  if (!compiledSchema) {
    const schema = JSON.parse(readFileSync(join(SCHEMAS, 'github-workflow.json'), 'utf8')) as object;
    // strict: false because the schema uses keywords ajv does not know (markdownDescription …), as editors do.
    compiledSchema = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  if (compiledSchema(parse(text))) return [];
  return (compiledSchema.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** Errors from @action-validator/core's workflow validation, with the alternatives of a failed oneOf spelled out. */
export function actionValidatorErrors(text: string): string[] {
  type ValidationError = ReturnType<typeof validateWorkflow>['errors'][number];
  const flatten = (errors: ValidationError[]): string[] =>
    errors.flatMap((e) => [
      `${'path' in e ? e.path : ''} ${e.title}: ${e.detail ?? ''}`,
      ...('states' in e && e.states ? e.states.flatMap((state) => flatten(state.errors)) : [])
    ]);
  return flatten(validateWorkflow(text).errors);
}

/** action.yml of this repository for a local `./…` step, the vendored copy under test/schemas/actions/ for `owner/name@sha`. */
export function actionMetadataFor(uses: string): ActionMetadata | undefined {
  const path = uses.startsWith('./') ? join(ROOT, 'action.yml') : join(SCHEMAS, 'actions', uses.split('@')[0] ?? '', 'action.yml');
  if (!existsSync(path)) return undefined;
  const metadata = parse(readFileSync(path, 'utf8')) as Partial<ActionMetadata>;
  return { inputs: metadata.inputs ?? {}, outputs: metadata.outputs ?? {} };
}

const EXPRESSION = /\$\{\{\s*(.*?)\s*\}\}/g;

/** Every `${{ … }}` in a value, recursively through maps and lists. */
export function expressionsIn(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(EXPRESSION)].map((m) => m[1] ?? '');
  if (Array.isArray(value)) return value.flatMap(expressionsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(expressionsIn);
  return [];
}

/** Names a run step writes to $GITHUB_OUTPUT (`name=…` or `name<<DELIMITER`). */
export function outputsWrittenBy(run: string): Set<string> {
  return new Set([...run.matchAll(/^\s*echo "([A-Za-z_][\w-]*)(?:=|<<)/gm)].map((m) => m[1] ?? ''));
}

/**
 * Where an expression's value comes from, following `steps.X.outputs.Y` through run steps that only
 * copy an env variable into an output (`echo "Y=$VAR"` with `env: VAR: ${{ … }}`).
 */
export function originOf(expression: string, steps: WorkflowStep[]): string {
  const ref = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression);
  const step = ref && steps.find((s) => s.id === ref[1]);
  if (!ref || !step?.run) return expression;
  const copied = new RegExp(`^\\s*echo "${ref[2]}=\\$([A-Z_]+)"`, 'm').exec(step.run)?.[1];
  const source = copied && step.env?.[copied];
  const inner = source ? /^\$\{\{\s*(.*?)\s*\}\}$/.exec(source)?.[1] : undefined;
  return inner ? originOf(inner, steps) : expression;
}

const SHA_PINNED = /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/;

/** What no schema checks, as one line per problem (empty when the workflow is consistent). */
export function workflowProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  const call = workflow.on.workflow_call ?? {};
  const inputs = new Set(Object.keys(call.inputs ?? {}));
  const secrets = new Set(Object.keys(call.secrets ?? {}));

  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    const seen: WorkflowStep[] = [];
    for (const step of job.steps) {
      const label = `${jobId}: step '${step.id ?? step.name ?? step.uses ?? '?'}'`;
      for (const expression of expressionsIn([step.with, step.env, step.if])) {
        problems.push(...referenceProblems(expression, label, seen, inputs, secrets));
      }
      if (step.uses) problems.push(...usesProblems(step, label, seen));
      seen.push(step);
    }
    for (const [name, value] of Object.entries(job.outputs ?? {})) {
      for (const expression of expressionsIn(value)) {
        problems.push(...referenceProblems(expression, `${jobId}: output '${name}'`, job.steps, inputs, secrets));
      }
    }
  }

  for (const [name, output] of Object.entries(call.outputs ?? {})) {
    for (const expression of expressionsIn(output.value)) {
      const ref = /^jobs\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression);
      if (!ref) problems.push(`workflow output '${name}': '${expression}' is not jobs.<job>.outputs.<name>`);
      else if (!workflow.jobs[ref[1] ?? '']?.outputs?.[ref[2] ?? ''])
        problems.push(`workflow output '${name}': job '${ref[1]}' sets no output '${ref[2]}'`);
    }
  }
  return problems;
}

function referenceProblems(expression: string, label: string, before: WorkflowStep[], inputs: Set<string>, secrets: Set<string>): string[] {
  const problems: string[] = [];
  for (const [, kind, name] of expression.matchAll(/\b(inputs|secrets)\.([\w-]+)/g)) {
    if (!(kind === 'inputs' ? inputs : secrets).has(name ?? '')) problems.push(`${label}: ${kind}.${name} is not declared`);
  }
  for (const [, id, name] of expression.matchAll(/\bsteps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
    const source = before.find((s) => s.id === id);
    if (!source) {
      problems.push(`${label}: reads steps.${id} before (or without) a step with that id`);
      continue;
    }
    const outputs = source.uses ? new Set(Object.keys(actionMetadataFor(source.uses)?.outputs ?? {})) : outputsWrittenBy(source.run ?? '');
    if (!outputs.has(name ?? '')) problems.push(`${label}: step '${id}' sets no output '${name}'`);
  }
  return problems;
}

function usesProblems(step: WorkflowStep, label: string, before: WorkflowStep[]): string[] {
  const uses = step.uses ?? '';
  const problems: string[] = [];
  if (uses.startsWith('./')) {
    // The local action must come from this workflow's own repository at this workflow's own commit.
    const path = uses.slice(2);
    const checkout = before.find((s) => s.uses?.startsWith('actions/checkout@') && s.with?.path === path);
    const origin = (key: string): string => {
      const value = String(checkout?.with?.[key] ?? '');
      const inner = /^\$\{\{\s*(.*?)\s*\}\}$/.exec(value)?.[1];
      return inner ? originOf(inner, before) : value;
    };
    if (!checkout) problems.push(`${label}: nothing checks out '${path}' before it is used`);
    else if (origin('repository') !== 'job.workflow_repository' || origin('ref') !== 'job.workflow_sha')
      problems.push(`${label}: '${path}' is checked out from ${origin('repository')}@${origin('ref')}, not this workflow's own commit`);
  } else if (!SHA_PINNED.test(uses)) {
    problems.push(`${label}: ${uses} is not pinned to a full commit SHA`);
  }
  const metadata = actionMetadataFor(uses);
  if (!metadata) return [...problems, `${label}: no action.yml known for ${uses} (vendor it under test/schemas/actions/)`];
  for (const key of Object.keys(step.with ?? {})) {
    if (!(key in metadata.inputs)) problems.push(`${label}: '${key}' is not an input of ${uses.split('@')[0]}`);
  }
  for (const [name, input] of Object.entries(metadata.inputs)) {
    if (input.required && input.default === undefined && !(name in (step.with ?? {})))
      problems.push(`${label}: required input '${name}' of ${uses.split('@')[0]} is missing`);
  }
  return problems;
}
