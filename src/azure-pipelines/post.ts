import * as tl from 'azure-pipelines-task-lib/task';
import { describeError } from '../lib/errors';
import { logout } from '../core';
import { pipelinesPlatform, STATE_NAME, taskJsonPath } from './platform';

async function run(): Promise<void> {
  tl.setResourcePath(taskJsonPath(__dirname));
  await logout(tl.getTaskVariable(STATE_NAME) ?? '', pipelinesPlatform);
}

// Cleanup never fails the job: every problem is a warning.
run().catch((error: unknown) => pipelinesPlatform.warning(`Logout failed: ${describeError(error)}`));
