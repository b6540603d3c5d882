import * as core from '@actions/core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Platform } from '../core';
import { oneLine } from '../lib/log-text';
import { proxyFromEnvironment, type ProxySettings } from '../lib/proxy';
import { actionDocker } from './docker';

export const STATE_NAME = 'acr-login';

let proxy: ProxySettings | undefined;

export const githubPlatform: Platform = {
  // core.info writes the text as it is; warning, error and debug escape line breaks themselves.
  info: (message) => core.info(oneLine(message)),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
  mask: (secret) => core.setSecret(secret),
  setOutput: (name, value) => core.setOutput(name, value),
  saveState: (value) => core.saveState(STATE_NAME, value),
  env: process.env,
  // Read when first needed, so that a malformed HTTPS_PROXY fails the step with one line.
  get proxy() {
    return (proxy ??= proxyFromEnvironment(process.env));
  },
  credentialHelper: {
    // dist/index.js runs; the helper is dist/credential-helper.js next to it.
    script: join(__dirname, 'credential-helper.js'),
    binDir: join(process.env.RUNNER_TEMP || tmpdir(), 'acr-login-bin'),
    addPath: (dir) => {
      core.addPath(dir);
      return true;
    }
  },
  runDocker: actionDocker
};
