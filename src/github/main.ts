import * as core from './workflow-commands';
import { login, parseLoginOptions, secretValues } from '../core';
import { describeError } from '../lib/errors';
import { exitSoon } from '../lib/exit-soon';
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
