// GitLab CI/CD as the components meet it: a CI/CD component file (a `spec:` header, `---`, the jobs), its
// `$[[ inputs.x ]]` interpolation as GitLab does it when a pipeline includes the component, the ID tokens GitLab
// hands a job that asks with `id_tokens:` (signed by an issuer Entra trusts), and a job's scripts run as the
// runner runs them: before_script and script as one shell script, after_script in a shell of its own.
import Ajv, { type ValidateFunction } from 'ajv';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { EntraStandIn } from './entra';
import { generateSigningKey, nowSeconds, TokenIssuer } from './jwt';
import { runBash, type ShellResult } from './step-scripts';

export const GITLAB_ISSUER = 'https://gitlab.com';

export interface ComponentInput {
  description?: string;
  default?: string;
  options?: string[];
}

export interface GitLabJob {
  stage?: string;
  image?: string;
  extends?: string;
  variables?: Record<string, string>;
  id_tokens?: Record<string, { aud: string }>;
  before_script?: string[];
  script?: string[];
  after_script?: string[];
  [key: string]: unknown;
}

export interface Component {
  inputs: Record<string, ComponentInput>;
  /** The text after the `---` that ends the header, before interpolation. */
  body: string;
  header: unknown;
}

export function readComponent(path: string): Component {
  const text = readFileSync(path, 'utf8');
  const [header, body] = parseAllDocuments(text);
  if (!header || !body) throw new Error(`${path}: a component is a spec: header, ---, then the jobs`);
  const spec = (header.toJS() as { spec?: { inputs?: Record<string, ComponentInput | null> } }).spec;
  const inputs = Object.fromEntries(Object.entries(spec?.inputs ?? {}).map(([name, input]) => [name, input ?? {}]));
  return { inputs, header: header.toJS(), body: text.slice(body.range[0]) };
}

/** Names of the inputs `$[[ inputs.x ]]` reads, in order, with repeats. */
export function inputsUsed(text: string): string[] {
  return [...text.matchAll(/\$\[\[\s*inputs\.([\w-]+)\s*\]\]/g)].map((m) => m[1] ?? '');
}

/**
 * The jobs, as GitLab sees them once the component is included with `given`: every `$[[ inputs.x ]]` in a key or value replaced by
 * the given value or the default; a required input missing, an unknown one given or a value outside `options` throws.
 */
export function includeComponent(component: Component, given: Record<string, string>): Record<string, GitLabJob> {
  for (const name of Object.keys(given)) if (!(name in component.inputs)) throw new Error(`unknown input ${name}`);
  const values: Record<string, string> = {};
  for (const [name, input] of Object.entries(component.inputs)) {
    const value = given[name] ?? input.default;
    if (value === undefined) throw new Error(`required input ${name} is missing`);
    if (input.options && !input.options.includes(value)) throw new Error(`input ${name}: '${value}' is not one of its options`);
    values[name] = value;
  }
  const interpolate = (node: unknown): unknown => {
    if (typeof node === 'string') return node.replace(/\$\[\[\s*inputs\.([\w-]+)\s*\]\]/g, (_, name: string) => values[name] ?? '');
    if (Array.isArray(node)) return node.map(interpolate);
    if (node && typeof node === 'object')
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [interpolate(key), interpolate(value)]));
    return node;
  };
  // GitLab interpolates the parsed YAML, key by key and value by value, not the text.
  return interpolate(parseAllDocuments(component.body)[0]?.toJS()) as Record<string, GitLabJob>;
}

/** A job that `extends:` a (hidden) job: the job's own keys win, as GitLab merges them (lists are replaced, maps merged). */
export function extendJob(job: GitLabJob, jobs: Record<string, GitLabJob>): GitLabJob {
  const base = job.extends ? jobs[job.extends] : undefined;
  if (job.extends && !base) throw new Error(`no job ${job.extends} to extend`);
  const merged: GitLabJob = { ...base, ...job, variables: { ...base?.variables, ...job.variables } };
  delete merged.extends;
  return merged;
}

let compiledSchema: ValidateFunction | undefined;

/** Errors from GitLab's own CI/CD schema (vendored, see test/schemas/README.md), validated by ajv. */
export function gitlabSchemaErrors(config: unknown): string[] {
  if (!compiledSchema) {
    const schema = JSON.parse(readFileSync(join(__dirname, '..', 'schemas', 'gitlab-ci.json'), 'utf8')) as object;
    // strict: false because the schema uses keywords ajv does not know (markdownDescription …), as editors do.
    compiledSchema = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
  }
  if (compiledSchema(config)) return [];
  return (compiledSchema.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** GitLab's ID tokens: the claims of a job of `projectPath` on a branch, signed by a key Entra trusts for https://gitlab.com. */
export class GitLabIdTokens {
  private constructor(private readonly tokens: TokenIssuer) {}

  static async start(entra: EntraStandIn): Promise<GitLabIdTokens> {
    const key = await generateSigningKey();
    entra.trustIssuer(GITLAB_ISSUER, key.publicKey);
    return new GitLabIdTokens(new TokenIssuer(key));
  }

  /** The `sub` of a job on a branch: what a federated credential for GitLab names. */
  static subject(projectPath: string, branch: string): string {
    return `project_path:${projectPath}:ref_type:branch:ref:${branch}`;
  }

  mint(audience: string, projectPath: string, branch: string): string {
    const now = nowSeconds();
    const [namespace = 'group'] = projectPath.split('/');
    return this.tokens.sign({
      namespace_id: '72',
      namespace_path: namespace,
      project_id: '2004',
      project_path: projectPath,
      user_id: '42',
      user_login: 'ci-user',
      pipeline_id: '1212',
      pipeline_source: 'push',
      job_id: '4242',
      ref: branch,
      ref_type: 'branch',
      ref_path: `refs/heads/${branch}`,
      ref_protected: 'true',
      runner_environment: 'gitlab-hosted',
      sha: randomBytes(20).toString('hex'),
      jti: randomUUID(),
      iss: GITLAB_ISSUER,
      iat: now,
      nbf: now - 5,
      exp: now + 300,
      sub: GitLabIdTokens.subject(projectPath, branch),
      aud: audience
    });
  }

  secrets(): string[] {
    return this.tokens.tokens;
  }
}

/** `$NAME` and `${NAME}` in a variable's value, expanded as the runner expands variables that name others. */
export function expandVariables(value: string, env: Record<string, string>): string {
  return value.replace(/\$(?:\{(\w+)\}|(\w+))/g, (_, braced?: string, bare?: string) => env[braced ?? bare ?? ''] ?? '');
}

export interface JobRun {
  main: ShellResult;
  after: ShellResult | undefined;
}

/**
 * Runs a job as the runner's shell executor does: its variables (expanded) and ID tokens in the environment,
 * before_script then script as one `sh` script that stops at the first failing line, then after_script in a new shell.
 */
export async function runJob(
  job: GitLabJob,
  env: Record<string, string>,
  cwd: string,
  idToken: (audience: string) => string
): Promise<JobRun> {
  const jobEnv: Record<string, string> = { ...env };
  for (const [name, value] of Object.entries(job.variables ?? {})) jobEnv[name] = expandVariables(String(value), jobEnv);
  for (const [name, { aud }] of Object.entries(job.id_tokens ?? {})) jobEnv[name] = idToken(aud);
  const script = (lines: string[] | undefined): string => `set -e\n${(lines ?? []).join('\n')}\n`;
  const main = await runBash([], script([...(job.before_script ?? []), ...(job.script ?? [])]), jobEnv, cwd, 180000, '/bin/sh');
  const after = job.after_script ? await runBash([], script(job.after_script), jobEnv, cwd, 60000, '/bin/sh') : undefined;
  return { main, after };
}
