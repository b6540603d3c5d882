import * as core from '@actions/core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Platform } from '../core';
import { execDocker } from './docker';

export const STATE_NAME = 'acr-login';

export const githubPlatform: Platform = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
  mask: (secret) => core.setSecret(secret),
  setOutput: (name, value) => core.setOutput(name, value),
  saveState: (value) => core.saveState(STATE_NAME, value),
  env: process.env,
  credentialHelper: {
    // dist/index.js runs; the helper is dist/credential-helper.js next to it.
    script: join(__dirname, 'credential-helper.js'),
    binDir: join(process.env.RUNNER_TEMP || tmpdir(), 'acr-login-bin'),
    addPath: (dir) => {
      core.addPath(dir);
      return true;
    }
  },
  runDocker: execDocker
};
