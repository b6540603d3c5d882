import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNode } from './spawn-node';
import { leakedSecrets } from './leaks';

const ROOT = join(__dirname, '..', '..');

/** A file of the repository, named at run time: a bundler that sees a literal path copies the file into its bundle. */
function underRoot(...parts: string[]): string {
  return join(ROOT, ...parts);
}

export interface StepResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, as the job log shows them. */
  log: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  masks: string[];
  errors: string[];
  warnings: string[];
  /** The ::debug:: lines (the runner shows them when the job runs with debug logging). */
  debug: string[];
  /** What the step appended to GITHUB_STEP_SUMMARY. */
  summary: string;
  durationMs: number;
  /** The step's RUNNER_TEMP, made for it (the caller removes it when done). */
  runnerTemp: string;
}

export interface ActionRun {
  main: StepResult;
  post?: StepResult;
}

/** The defaults action.yml declares, which the runner passes as INPUT_* when a workflow leaves an input out. */
export function actionDefaults(): Record<string, string> {
  const text = readFileSync(underRoot('action.yml'), 'utf8');
  const inputsBlock = text.split(/^inputs:\s*$/m)[1]?.split(/^\S/m)[0] ?? '';
  const defaults: Record<string, string> = {};
  let current = '';
  for (const line of inputsBlock.split('\n')) {
    const name = /^ {2}([a-z-]+):\s*$/.exec(line)?.[1];
    if (name) current = name;
    const value = /^ {4}default:\s*'?(.*?)'?\s*$/.exec(line)?.[1];
    if (current && value !== undefined) defaults[current] = value;
  }
  return defaults;
}

/**
 * Runs a bundled step the way the GitHub runner does: a fresh node process, inputs as INPUT_*,
 * GITHUB_OUTPUT and GITHUB_STATE files, and the saved state handed to the post step as STATE_*.
 */
export async function runStep(script: string, env: Record<string, string>, timeoutMs = 120000, node?: string): Promise<StepResult> {
  const dir = mkdtempSync(join(tmpdir(), 'runner-'));
  const outputFile = join(dir, 'output');
  const stateFile = join(dir, 'state');
  const summaryFile = join(dir, 'step-summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(stateFile, '');
  writeFileSync(summaryFile, '');
  const started = Date.now();
  const { exitCode, stdout, stderr, log } = await runNode(join(ROOT, script), {
    env: {
      GITHUB_ACTIONS: 'true',
      RUNNER_TEMP: dir,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STATE: stateFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      ...env
    },
    timeoutMs,
    node
  });
  const commands = (name: string): string[] =>
    [...stdout.matchAll(new RegExp(`^::${name}(?: [^:]*)?::(.*?)\r?$`, 'gm'))].map((match) => unescapeData(match[1] ?? ''));
  return {
    exitCode,
    stdout,
    stderr,
    log,
    outputs: parseFileCommands(readFileSync(outputFile, 'utf8')),
    state: parseFileCommands(readFileSync(stateFile, 'utf8')),
    masks: commands('add-mask'),
    errors: commands('error'),
    warnings: commands('warning'),
    debug: commands('debug'),
    summary: readFileSync(summaryFile, 'utf8'),
    durationMs: Date.now() - started,
    runnerTemp: dir
  };
}

/** Main step with the given inputs (on top of action.yml's defaults), then, when asked, the post step with its state; on `node` when given. */
export async function runAction(
  inputs: Record<string, string>,
  env: Record<string, string>,
  options: { post?: boolean; node?: string } = {}
): Promise<ActionRun> {
  const inputEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...actionDefaults(), ...inputs })) inputEnv[`INPUT_${name.toUpperCase()}`] = value;
  const main = await runStep('dist/index.js', { ...env, ...inputEnv }, undefined, options.node);
  if (!options.post) return { main };
  const stateEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(main.state)) stateEnv[`STATE_${name}`] = value;
  const post = await runStep('dist/post.js', { ...env, ...inputEnv, ...stateEnv }, undefined, options.node);
  return { main, post };
}

/** The `name<<DELIMITER ... DELIMITER` format of GITHUB_OUTPUT and GITHUB_STATE. */
export function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  // Windows runners' steps end lines with CRLF (os.EOL), which the runner reads as line ends too.
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i] ?? '');
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i] ?? '');
      values[name as string] = body.join('\n');
      continue;
    }
    const plain = /^([^=]+)=(.*)$/.exec(lines[i] ?? '');
    if (plain) values[plain[1] as string] = plain[2] ?? '';
  }
  return values;
}

function unescapeData(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/** Secrets that appear in clear anywhere in a log other than on the ::add-mask:: lines that register them. */
export function leakedFromStep(log: string, secrets: string[]): string[] {
  return leakedSecrets(log, secrets, (line) => line.startsWith('::add-mask::'));
}
