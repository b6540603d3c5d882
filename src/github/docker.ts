import { dockerRunner, type Platform } from '../core';

/**
 * The docker CLI as the core runs it (the password on standard input, stderr kept bounded, killed at the
 * deadline), with the step's environment less its inputs: client-secret, password, creds and
 * client-certificate reach the runner as INPUT_* variables, and docker needs none of them.
 */
export const actionDocker: NonNullable<Platform['runDocker']> = (args, stdin) => dockerRunner(withoutStepInputs(process.env))(args, stdin);

function withoutStepInputs(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^INPUT_/i.test(name)));
}
