import { LOGIN_MODES } from '../core';

/** A command line the user must change: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliArgs {
  command: 'login' | 'logout' | 'help' | 'version';
  registries: string[];
  /** Flags taking a value, by flag name without the dashes (registry excluded). */
  values: Partial<Record<ValueFlag, string>>;
  clientSecretStdin: boolean;
  passwordStdin: boolean;
  print: boolean;
  /** --verbose: the core's debug lines on stderr. */
  verbose: boolean;
}

const VALUE_FLAGS = [
  'auth-type',
  'client-id',
  'tenant-id',
  'client-secret-file',
  'client-certificate',
  'creds-file',
  'federated-token-file',
  'federated-token-env',
  'authority-host',
  'environment',
  'token-audience',
  'oidc-audience',
  'login',
  'username'
] as const;
export type ValueFlag = (typeof VALUE_FLAGS)[number];

/** Flags that would put a secret where `ps` and the shell history see it. */
const REFUSED: Record<string, string> = {
  'client-secret': 'use --client-secret-file PATH, --client-secret-stdin or AZURE_CLIENT_SECRET',
  password: 'use --password-stdin',
  creds: 'use --creds-file PATH'
};

/** Parses `acr-login [login|logout] [--flag value | --flag=value]...`; every mistake is a UsageError. */
export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = {
    command: 'login',
    registries: [],
    values: {},
    clientSecretStdin: false,
    passwordStdin: false,
    print: false,
    verbose: false
  };
  let commandSeen = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('-')) {
      if (commandSeen || (arg !== 'login' && arg !== 'logout')) {
        throw new UsageError(`unexpected argument '${arg}'; the commands are login (the default) and logout`);
      }
      args.command = arg;
      commandSeen = true;
      continue;
    }
    if (arg === '-h' || arg === '--help') return { ...args, command: 'help' };
    if (arg === '--version') return { ...args, command: 'version' };
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new UsageError(`unknown option ${arg}`);
    const name = match[1] as string;
    const inline = match[2];
    const refused = REFUSED[name];
    if (refused)
      throw new UsageError(`--${name} would put a secret on the command line, where ps and the shell history show it; ${refused}`);
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      i++;
      return next;
    };
    const flag = (value: boolean): void => {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      if (name === 'client-secret-stdin') args.clientSecretStdin = value;
      if (name === 'password-stdin') args.passwordStdin = value;
      if (name === 'print') args.print = value;
      if (name === 'verbose') args.verbose = value;
    };
    if (name === 'registry')
      args.registries.push(
        ...takeValue()
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean)
      );
    else if (['client-secret-stdin', 'password-stdin', 'print', 'verbose'].includes(name)) flag(true);
    else if ((VALUE_FLAGS as readonly string[]).includes(name)) {
      if (args.values[name as ValueFlag] !== undefined) throw new UsageError(`--${name} is given twice`);
      args.values[name as ValueFlag] = takeValue();
    } else throw new UsageError(`unknown option --${name}`);
  }
  validate(args);
  return args;
}

function validate(args: CliArgs): void {
  if (args.command === 'logout') {
    const extra = [
      ...Object.keys(args.values).map((name) => `--${name}`),
      ...(args.print ? ['--print'] : []),
      ...(args.clientSecretStdin ? ['--client-secret-stdin'] : []),
      ...(args.passwordStdin ? ['--password-stdin'] : [])
    ];
    if (extra.length > 0) throw new UsageError(`logout takes only --registry and --verbose, not ${extra.join(', ')}`);
    return;
  }
  if (args.registries.length === 0)
    throw new UsageError('--registry is required: name the registry, e.g. --registry myregistry.azurecr.io');
  if (args.clientSecretStdin && args.passwordStdin)
    throw new UsageError(
      '--client-secret-stdin and --password-stdin both want standard input; give the client secret with --client-secret-file'
    );
  if (args.clientSecretStdin && args.values['client-secret-file'] !== undefined)
    throw new UsageError('give the client secret once: --client-secret-file or --client-secret-stdin');
  if (args.passwordStdin && args.values.username === undefined) throw new UsageError('--password-stdin needs --username');
  if (args.values.username !== undefined && !args.passwordStdin)
    throw new UsageError('--username needs --password-stdin (the password is read from standard input)');
  if (args.values['federated-token-env'] !== undefined && args.values['federated-token-file'] !== undefined) {
    throw new UsageError('give the federated token once: --federated-token-env or --federated-token-file');
  }
  const login = args.values.login;
  if (login !== undefined && !(LOGIN_MODES as readonly string[]).includes(login)) {
    throw new UsageError(`--login '${login}' is not valid; use one of: ${LOGIN_MODES.join(', ')}`);
  }
}
