import * as core from './workflow-commands';
import { describeError } from '../lib/errors';
import { logout } from '../core';
import { githubPlatform, STATE_NAME } from './platform';

logout(core.getState(STATE_NAME), githubPlatform).catch((error: unknown) => core.warning(`Logout failed: ${describeError(error)}`));
