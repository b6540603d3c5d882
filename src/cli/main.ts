import { login, loginRecords, logout, parseLoginOptions, parseRegistry, RegistryCredential, secretValues, serializeState } from '../core';
import { describeError } from '../lib/errors';
import { exitSoon } from '../lib/exit-soon';
import { readStdin } from '../lib/stdin';
import { version } from '../../package.json';
import { parseArgs, UsageError } from './args';
import { HELP } from './help';
import { readCliInputs } from './inputs';
import { terminal } from './platform';

const records = loginRecords(process.env);
// What a login is about to write is recorded first: `acr-login logout` undoes it even when this run is killed.
const term = terminal(process.env, process.stderr, (state) => records.record(state));

// A reader that went away (`acr-login --print | head -c0`) does not undo the login: what was left to print is dropped.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') return;
  term.error(`cannot write to standard output: ${describeError(error)}`);
  process.exitCode = 1;
});
process.stderr.on('error', () => undefined);

async function run(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.verbose) term.beVerbose();
  if (args.command === 'help' || args.command === 'version') return print(args.command === 'help' ? HELP : `acr-login ${version}\n`);
  if (args.command === 'logout') {
    const servers = args.registries.length > 0 ? args.registries.map((entry) => usage(() => parseRegistry(entry)).loginServer) : undefined;
    const states = await records.take(servers);
    if (states.length === 0)
      term.platform.info(`Nothing to log out of: acr-login has not logged in to ${servers?.join(', ') ?? 'any registry'}`);
    for (const state of states) await logout(serializeState(state), term.platform);
    return 0;
  }
  const { raw, federation } = await readCliInputs(args, process.env, term.platform, () => readStdin());
  for (const secret of secretValues(raw)) term.platform.mask(secret);
  const options = usage(() => parseLoginOptions(raw, federation));
  if (options.login !== 'none') await records.ensureDir();
  const { credentials } = await login(options, term.platform);
  const state = term.savedState();
  if (state) await records.foldReplaced(state).catch((error: unknown) => term.platform.warning(describeError(error)));
  if (args.print)
    print(
      `${JSON.stringify(credentials.length === 1 ? exposed(credentials[0] as RegistryCredential) : credentials.map(exposed), null, 2)}\n`
    );
  return 0;
}

/** The fields `az acr login --expose-token` prints, plus the user name and the expiry. */
function exposed(credential: RegistryCredential): Record<string, string | null> {
  const { registry, username, password, expiresOn } = credential;
  return { loginServer: registry.loginServer, accessToken: password, username, expiresOn: expiresOn?.toISOString() ?? null };
}

/** Anything wrong with the inputs, found before a request is made, is a bad command line. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(describeError(error));
  }
}

function print(text: string): number {
  process.stdout.write(text);
  return 0;
}

run()
  .then((code) => (process.exitCode = code))
  .catch((error: unknown) => {
    const bad = error instanceof UsageError;
    term.error(`${describeError(error)}${bad ? ' (see acr-login --help)' : ''}`);
    process.exitCode = bad ? 2 : 1;
  })
  .finally(exitSoon);
