import { getExecOutput } from '@actions/exec';
import type { DockerRunner } from '../core';

/** The docker CLI through @actions/exec: the password on standard input, no command line echoed, stderr kept for the error. */
export const execDocker: DockerRunner = async (args, stdin) => {
  const { exitCode, stderr } = await getExecOutput('docker', args, {
    input: Buffer.from(stdin, 'utf8'),
    silent: true,
    ignoreReturnCode: true
  });
  return { exitCode, stderr };
};
