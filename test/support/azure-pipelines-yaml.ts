// Validates Azure Pipelines YAML with Microsoft's own language service (azure-pipelines-language-service, the
// engine of the Azure Pipelines VS Code extension) and the pipeline schema it ships (service-schema.json,
// vendored, see test/schemas/README.md), plus what no schema knows about the steps template.
import { getLanguageService, parse as parseYamlDocument, TextDocument, type JSONSchema } from 'azure-pipelines-language-service';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..');
const SCHEMA_URI = 'file:///test/schemas/service-schema.json';

export interface TaskInput {
  name: string;
  aliases?: string[];
  type: string;
  label?: string;
  defaultValue?: string;
  required?: boolean;
  visibleRule?: string;
  options?: Record<string, string>;
}

export interface TaskJson {
  name: string;
  friendlyName: string;
  description: string;
  version: { Major: number; Minor: number; Patch: number };
  inputs: TaskInput[];
  outputVariables?: Array<{ name: string }>;
}

export function readTaskJson(): TaskJson {
  return JSON.parse(readFileSync(join(ROOT, 'task', 'task.json'), 'utf8')) as TaskJson;
}

interface TaskSchema {
  properties: { task: { anyOf: object[] } };
  anyOf: object[];
}

/**
 * The schema an Azure DevOps organisation serves once the extension is installed: the published schema
 * only knows Microsoft's built-in tasks, the organisation's own (`_apis/distributedtask/yamlschema`) adds
 * every installed task in the same shape. This adds AcrLogin@<major> built from task.json that way.
 */
export function schemaWithTask(published: JSONSchema, task: TaskJson): JSONSchema {
  const schema = structuredClone(published) as { definitions: { task: TaskSchema } };
  const id = `${task.name}@${task.version.Major}`;
  const properties: Record<string, object> = {};
  for (const input of task.inputs) {
    const common = { description: input.label ?? input.name, ...(input.aliases?.length ? { aliases: input.aliases } : {}) };
    if (input.type === 'pickList' && input.options) {
      properties[input.name] = { ...common, ignoreCase: 'all', enum: Object.keys(input.options) };
    } else if (input.type === 'boolean') {
      properties[input.name] = { type: 'boolean', ...common, ignoreCase: 'key' };
    } else {
      properties[input.name] = { type: 'string', ...common, ignoreCase: 'key' };
    }
  }
  const required = task.inputs.filter((i) => i.required && !i.defaultValue && !i.visibleRule).map((i) => i.name);
  schema.definitions.task.properties.task.anyOf.push({
    description: task.description,
    doNotSuggest: false,
    ignoreCase: 'value',
    enum: [id]
  });
  schema.definitions.task.anyOf.push({
    properties: {
      task: { description: `${task.friendlyName}\n\n${task.description}`, ignoreCase: 'value', pattern: `^${id}$` },
      inputs: { description: `${task.friendlyName} inputs`, properties, additionalProperties: false, required }
    },
    doNotSuggest: false,
    firstProperty: ['task'],
    required: ['task']
  });
  return schema as JSONSchema;
}

let languageService: ReturnType<typeof getLanguageService> | undefined;
let documents = 0;

/** The organisation schema (published schema + this repository's task). */
function pipelineSchema(): JSONSchema {
  const published = JSON.parse(readFileSync(join(ROOT, 'test', 'schemas', 'service-schema.json'), 'utf8')) as JSONSchema;
  return schemaWithTask(published, readTaskJson());
}

/**
 * Every diagnostic the language service reports for `text`, as `line N: message`. The service reports
 * schema violations as warnings (squiggles in the editor); all of them count here.
 */
export async function pipelineDiagnostics(text: string): Promise<string[]> {
  if (!languageService) {
    const schema = pipelineSchema();
    languageService = getLanguageService(() => Promise.resolve(schema), [], undefined as never);
    languageService.configure({ validate: true, schemas: [{ uri: SCHEMA_URI, fileMatch: ['*.yml'], schema }] });
  }
  documents += 1;
  const uri = `file:///templates/document-${documents}.yml`;
  // The library prints a trace line per document it resolves a schema for.
  const log = console.log;
  console.log = () => undefined;
  try {
    const diagnostics = await languageService.doValidation(TextDocument.create(uri, 'yaml', 1, text), parseYamlDocument(text));
    return diagnostics.map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  } finally {
    console.log = log;
  }
}

// --- the steps template ------------------------------------------------------------------------------

export interface TemplateParameter {
  name: string;
  type?: string;
  default?: unknown;
  displayName?: string;
}

export interface TemplateStep {
  task?: string;
  bash?: string;
  name?: string;
  displayName?: string;
  inputs?: Record<string, unknown>;
  env?: Record<string, string>;
  workingDirectory?: string;
}

export interface StepsTemplate {
  parameters: TemplateParameter[];
  steps: TemplateStep[];
}

export function parseTemplate(text: string): StepsTemplate {
  return parse(text) as StepsTemplate;
}

const TEMPLATE_EXPRESSION = /\$\{\{\s*(.*?)\s*\}\}/g;

/**
 * Compile-time `${{ }}` expansion for the forms the template uses: `parameters.X` and
 * `join('sep', parameters.X)`. Anything else throws, so the template cannot outgrow what the tests run.
 */
export function expandTemplateExpressions(text: string, parameters: Record<string, unknown>): string {
  return text.replace(TEMPLATE_EXPRESSION, (_, expression: string) => {
    const plain = /^parameters\.(\w+)$/.exec(expression);
    if (plain) return String(parameters[plain[1] ?? ''] ?? '');
    const coalesce = /^coalesce\((parameters\.\w+(?:,\s*parameters\.\w+)*)\)$/.exec(expression);
    if (coalesce) {
      const names = (coalesce[1] ?? '').split(',').map((name) => name.trim().slice('parameters.'.length));
      return String(names.map((name) => parameters[name]).find((value) => value !== undefined && value !== '') ?? '');
    }
    const join = /^join\('([^']*)',\s*parameters\.(\w+)\)$/.exec(expression);
    if (join) {
      const value = parameters[join[2] ?? ''];
      return Array.isArray(value) ? value.join(join[1]) : String(value ?? '');
    }
    throw new Error(`template expression the tests do not expand: ${expression}`);
  });
}

/** Runtime `$(name)` macros, as the agent expands them: known variables (case-insensitive) replaced, others left as they are. */
export function expandMacros(text: string, variables: Record<string, string>): string {
  const byName = new Map(Object.entries(variables).map(([k, v]) => [k.toLowerCase(), v]));
  return text.replace(/\$\(([\w.-]+)\)/g, (whole, name: string) => byName.get(name.toLowerCase()) ?? whole);
}

/** Parameter values: the template's defaults under the given ones. */
export function parameterValues(template: StepsTemplate, given: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const p of template.parameters) if (p.default !== undefined) values[p.name] = p.default;
  return { ...values, ...given };
}

/** Output variables a bash step sets with `##vso[task.setvariable variable=X;isOutput=true]`. */
export function outputVariablesSetBy(script: string): Set<string> {
  return new Set([...script.matchAll(/##vso\[task\.setvariable variable=(\w+);isOutput=true\]/g)].map((m) => m[1] ?? ''));
}

/** What no schema checks, one line per problem: task inputs and output variables against task.json, parameters declared and typed. */
export function templateProblems(template: StepsTemplate, promisedOutputs: string[]): string[] {
  const problems: string[] = [];
  const task = readTaskJson();
  const taskId = `${task.name}@${task.version.Major}`;
  const declared = new Map(template.parameters.map((p) => [p.name, p]));
  for (const p of template.parameters) if (!p.type) problems.push(`parameter '${p.name}' has no type`);

  const used = JSON.stringify(template.steps);
  for (const [, name] of used.matchAll(/parameters\.(\w+)/g)) {
    if (!declared.has(name ?? '')) problems.push(`parameters.${name} is used but not declared`);
  }

  const values = parameterValues(template, {});
  const steps = template.steps.map((step) => JSON.parse(expandTemplateExpressions(JSON.stringify(step), values)) as TemplateStep);
  const known = new Set(task.inputs.flatMap((i) => [i.name, ...(i.aliases ?? [])]).map((n) => n.toLowerCase()));
  const taskSteps = steps.filter((s) => s.task?.toLowerCase() === taskId.toLowerCase());
  if (taskSteps.length === 0) problems.push(`no ${taskId} step`);
  for (const step of taskSteps) {
    for (const key of Object.keys(step.inputs ?? {})) {
      if (!known.has(key.toLowerCase())) problems.push(`'${key}' is not an input of ${taskId} (task/task.json)`);
    }
    for (const input of task.inputs) {
      const given = Object.keys(step.inputs ?? {}).map((k) => k.toLowerCase());
      if (input.required && !input.defaultValue && ![input.name, ...(input.aliases ?? [])].some((n) => given.includes(n.toLowerCase())))
        problems.push(`required input '${input.name}' of ${taskId} is missing`);
    }
  }

  const outputsOf = new Map<string, Set<string>>();
  for (const step of steps) {
    if (!step.name) continue;
    if (step.task?.toLowerCase() === taskId.toLowerCase())
      outputsOf.set(step.name, new Set((task.outputVariables ?? []).map((v) => v.name)));
    else if (step.bash) outputsOf.set(step.name, outputVariablesSetBy(step.bash));
  }
  for (const [, stepName, variable] of JSON.stringify(steps).matchAll(/\$\((\w+)\.(\w+)\)/g)) {
    const outputs = outputsOf.get(stepName ?? '');
    if (outputs && !outputs.has(variable ?? '')) problems.push(`step '${stepName}' sets no output variable '${variable}'`);
  }

  const lastBash = [...steps].reverse().find((s) => s.bash);
  const setByLast = outputVariablesSetBy(lastBash?.bash ?? '');
  for (const promised of promisedOutputs) {
    if (!setByLast.has(promised)) problems.push(`output variable '${promised}' is promised but never set`);
  }
  return problems;
}
