import * as core from '@actions/core';
import { login, parseLoginOptions, secretValues } from '../core';
import { describeError } from '../lib/errors';
import { readInputs } from './inputs';
import { actionsFederation } from './oidc';
import { githubPlatform } from './platform';
import { jobSummaryWanted, writeJobSummary } from './summary';

/** The action's main step. Never throws: a failure is one `::error::` line and exit code 1. */
export async function run(): Promise<void> {
  try {
    const raw = readInputs();
    for (const secret of secretValues(raw)) core.setSecret(secret);
    const summary = jobSummaryWanted(core.getInput('job-summary'));
    const options = parseLoginOptions(raw, actionsFederation(process.env));
    const result = await login(options, githubPlatform);
    if (summary && process.env.GITHUB_STEP_SUMMARY) await writeJobSummary(result, options);
  } catch (error) {
    core.setFailed(describeError(error));
  }
}
