import { answerCredentialRequest, HELPER_EXECUTABLE } from '../core';
import { describeError, LoginError } from '../lib/errors';
import { exitSoon } from '../lib/exit-soon';
import { readStdin } from '../lib/stdin';
import { version } from '../../package.json';
import { settingsFromEnvironment, signInAgain } from './sign-in';

/** The answer docker, podman, buildah and skopeo take as "no credentials here, go on without". */
const NOT_FOUND = 'credentials not found in native keychain';

/**
 * The docker credential-helper protocol: the action as the only argument, the request on stdin, the answer (or the
 * error) on stdout; undefined for "no credentials here". The core answers; this reads and writes.
 */
async function run(action: string | undefined, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (action === 'version') return `${HELPER_EXECUTABLE} (acr-login) ${version}\n`;
  if (!action) throw new LoginError(`Usage: ${HELPER_EXECUTABLE} <store|get|erase|list|version>`);
  return answerCredentialRequest(action, await readStdin(), {
    env,
    settingsFromEnvironment: (server) => settingsFromEnvironment(server, env),
    signInAgain: (server, settings) => signInAgain(server, settings, env),
    // Only the cache is unusable (a full disk): the answer still goes out, the reason on stderr.
    warning: (message) => process.stderr.write(`${HELPER_EXECUTABLE}: warning: ${message.replace(/[\r\n]+/g, ' ')}\n`)
  });
}

run(process.argv.length === 3 ? process.argv[2] : undefined, process.env)
  .then((answer) => {
    process.stdout.write(answer ?? `${NOT_FOUND}\n`);
    if (answer === undefined) process.exitCode = 1;
  })
  .catch((error: unknown) => {
    process.stdout.write(`${describeError(error)}\n`);
    process.exitCode = 1;
  })
  .finally(exitSoon);
