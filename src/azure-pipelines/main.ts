import * as tl from 'azure-pipelines-task-lib/task';
import { login, parseLoginOptions } from '../core';
import { describeError } from '../lib/errors';
import { exitSoon } from '../lib/exit-soon';
import { readTaskInputs } from './inputs';
import { neutralize, pipelinesPlatform, taskJsonPath } from './platform';

async function run(): Promise<void> {
  const { raw, federation } = readTaskInputs(pipelinesPlatform.mask, pipelinesPlatform.proxy);
  tl.setResourcePath(taskJsonPath(__dirname));
  const options = parseLoginOptions(raw, federation);
  await login(options, pipelinesPlatform);
}

run()
  .catch((error: unknown) => {
    tl.setResult(tl.TaskResult.Failed, neutralize(describeError(error)));
    process.exitCode = 1;
  })
  .finally(exitSoon);
