// The few runner commands the action needs, written as @actions/core 3 writes them. @actions/core itself
// is not imported: its entry point statically loads @actions/http-client and undici (for getIDToken and
// summary, which this action does not use), and evaluating them took a third of the cold start.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { EOL } from 'node:os';
import { delimiter } from 'node:path';

/** `INPUT_<NAME>` as the runner sets it; untrimmed when asked. */
export function getInput(name: string, options: { trimWhitespace?: boolean } = {}): string {
  const value = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '';
  return options.trimWhitespace === false ? value : value.trim();
}

/** What the main step saved with saveState, handed to the post step as `STATE_<name>`. */
export function getState(name: string): string {
  return process.env[`STATE_${name}`] ?? '';
}

export function info(message: string): void {
  process.stdout.write(message + EOL);
}

export function warning(message: string): void {
  issueCommand('warning', message);
}

/** Registers a secret: the runner replaces it with *** in every later log line. */
export function setSecret(secret: string): void {
  issueCommand('add-mask', secret);
}

/** An `::error::` line and exit code 1. */
export function setFailed(message: string): void {
  process.exitCode = 1;
  issueCommand('error', message);
}

export function setOutput(name: string, value: string): void {
  keyValueCommand('OUTPUT', 'set-output', name, value);
}

export function saveState(name: string, value: string): void {
  keyValueCommand('STATE', 'save-state', name, value);
}

/** Prepends a directory to PATH for this step and, through GITHUB_PATH, for the following ones. */
export function addPath(dir: string): boolean {
  const pathFile = process.env.GITHUB_PATH;
  if (pathFile) appendFileSync(pathFile, `${dir}${EOL}`, 'utf8');
  else issueCommand('add-path', dir);
  process.env.PATH = `${dir}${delimiter}${process.env.PATH ?? ''}`;
  return true;
}

function issueCommand(command: string, message: string, properties: Record<string, string> = {}): void {
  const props = Object.entries(properties).map(([key, value]) => `${key}=${escapeProperty(value)}`);
  process.stdout.write(`::${command}${props.length > 0 ? ` ${props.join(',')}` : ''}::${escapeData(message)}${EOL}`);
}

/** GITHUB_OUTPUT / GITHUB_STATE file with a random heredoc delimiter, or the old stdout command without one. */
function keyValueCommand(file: 'OUTPUT' | 'STATE', command: string, name: string, value: string): void {
  const filePath = process.env[`GITHUB_${file}`] ?? '';
  if (!filePath) {
    if (command === 'set-output') process.stdout.write(EOL);
    issueCommand(command, value, { name });
    return;
  }
  if (!existsSync(filePath)) throw new Error(`Missing file at path: ${filePath}`);
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter))
    throw new Error(`Unexpected input: the ${file.toLowerCase()} must not contain the delimiter "${delimiter}"`);
  appendFileSync(filePath, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, { encoding: 'utf8' });
}

function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
