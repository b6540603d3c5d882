import { appendFileSync } from 'node:fs';
import { EOL, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import * as core from './workflow-commands';
import type { Platform } from '../core/platform';

export const STATE_NAME = 'acr-login';

export const githubPlatform: Platform = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  mask: (secret) => core.setSecret(secret),
  setOutput: (name, value) => core.setOutput(name, value),
  saveState: (value) => core.saveState(STATE_NAME, value),
  credentialHelper: {
    // dist/index.js runs; the helper is dist/credential-helper.js next to it.
    script: join(__dirname, 'credential-helper.js'),
    binDir: join(process.env.RUNNER_TEMP || tmpdir(), 'acr-login-bin'),
    addPath
  }
};

/** Prepends a directory to PATH for the following steps (GITHUB_PATH), as @actions/core's addPath does. */
function addPath(dir: string): boolean {
  const pathFile = process.env.GITHUB_PATH;
  if (pathFile) appendFileSync(pathFile, `${dir}${EOL}`, 'utf8');
  else process.stdout.write(`::add-path::${dir}${EOL}`);
  process.env.PATH = `${dir}${delimiter}${process.env.PATH ?? ''}`;
  return true;
}
