import * as core from '@actions/core';
import { logout } from '../core';
import { describeError } from '../lib/errors';
import { githubPlatform, STATE_NAME } from './platform';

/** The post step: undoes what the main step recorded. Never fails the job: every problem is a warning. */
export async function run(): Promise<void> {
  try {
    await logout(core.getState(STATE_NAME), githubPlatform);
  } catch (error) {
    core.warning(`Logout failed: ${describeError(error)}`);
  }
}
