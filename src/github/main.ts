import * as core from './workflow-commands';
import { describeError, login, parseLoginOptions, secretValues, exitSoon } from '../core';
import { githubFederation } from '../federation/github';
import { readInputs } from './inputs';
import { githubPlatform } from './platform';

async function run(): Promise<void> {
  const raw = readInputs();
  for (const secret of secretValues(raw)) core.setSecret(secret);
  const options = parseLoginOptions(raw, githubFederation(process.env, githubPlatform));
  await login(options, githubPlatform);
}

run()
  .catch((error: unknown) => core.setFailed(describeError(error)))
  .finally(exitSoon);
