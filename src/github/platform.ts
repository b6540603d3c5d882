import * as core from '@actions/core';
import type { Platform } from '../core/platform';

export const STATE_NAME = 'acr-login';

export const githubPlatform: Platform = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  mask: (secret) => core.setSecret(secret),
  setOutput: (name, value) => core.setOutput(name, value),
  saveState: (value) => core.saveState(STATE_NAME, value)
};
