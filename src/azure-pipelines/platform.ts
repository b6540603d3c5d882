import * as tl from 'azure-pipelines-task-lib/task';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { OutputName, Platform } from '../core';
import { maskableLines } from '../core';
import { oneLine, withoutAgentCommands } from '../lib/log-text';
import type { ProxySettings } from '../lib/proxy';
import { agentProxy } from './proxy';

/** The task variable that carries the (secret-free) login state to the post-job step. */
export const STATE_NAME = 'AcrLoginState';

/**
 * task.json, one level above the bundle, for the library's messages. Built at run time on purpose:
 * a path ncc can evaluate would make it copy task.json into dist/.
 */
export function taskJsonPath(bundleDir: string): string {
  return path.join(bundleDir, '..', 'task.json');
}

/** task.json outputVariables, by the core's output names. */
const OUTPUT_VARIABLES: Record<OutputName, string> = {
  'login-server': 'loginServer',
  username: 'username',
  password: 'password',
  'expires-on': 'expiresOn'
};

/** Text from servers ends up in log lines: a `##vso[` in it must not become an agent command, a line break must not start another line. */
export function neutralize(message: string): string {
  return withoutAgentCommands(oneLine(message));
}

let proxy: ProxySettings | undefined;

export const pipelinesPlatform: Platform = {
  info: (message) => console.log(neutralize(message)),
  warning: (message) => tl.warning(neutralize(message)),
  debug: (message) => tl.debug(neutralize(message)),
  mask: (secret) => {
    for (const line of maskableLines(secret)) tl.setSecret(line);
  },
  // Secret variables cannot hold newlines: several registries give comma-separated lists, in registry order.
  setOutput: (name, value, isSecret) => tl.setVariable(OUTPUT_VARIABLES[name], value.split('\n').join(','), isSecret, true),
  saveState: (value) => tl.setTaskVariable(STATE_NAME, value, false),
  env: process.env,
  // Read when first needed, so that unreadable proxy settings fail the task with one line.
  get proxy() {
    return (proxy ??= agentProxy());
  },
  credentialHelper: {
    // task/dist/index.js runs; the helper is task/dist/credential-helper.js next to it.
    script: path.join(__dirname, 'credential-helper.js'),
    binDir: path.join(process.env.AGENT_TEMPDIRECTORY || tmpdir(), 'acr-login-bin'),
    addPath: (dir) => {
      tl.prependPath(dir);
      return true;
    }
  }
};
