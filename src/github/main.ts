import * as core from '@actions/core';
import { login, parseLoginOptions, secretValues } from '../core';
import { describeError } from '../lib/errors';
import { readInputs } from './inputs';
import { actionsFederation } from './oidc';
import { githubPlatform } from './platform';

/** The action's main step. Never throws: a failure is one `::error::` line and exit code 1. */
export async function run(): Promise<void> {
  try {
    const raw = readInputs();
    for (const secret of secretValues(raw)) core.setSecret(secret);
    const options = parseLoginOptions(raw, actionsFederation(process.env));
    await login(options, githubPlatform);
  } catch (error) {
    core.setFailed(describeError(error));
  }
}
