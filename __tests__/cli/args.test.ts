import { parseArgs, UsageError } from '../../src/cli/args';

describe('parseArgs', () => {
  it('login is the default command; registries come from repeated and comma-separated flags', () => {
    const args = parseArgs(['--registry', 'a.azurecr.io, b.azurecr.io', '--registry=c.azurecr.io', '--client-id', 'app']);
    expect(args).toMatchObject({
      command: 'login',
      registries: ['a.azurecr.io', 'b.azurecr.io', 'c.azurecr.io'],
      values: { 'client-id': 'app' },
      print: false
    });
  });

  it('takes --flag=value and --flag value alike, and boolean flags', () => {
    const args = parseArgs(['login', '--registry', 'r.azurecr.io', '--tenant-id=t', '--username', 'u', '--password-stdin', '--print']);
    expect(args).toMatchObject({ command: 'login', values: { 'tenant-id': 't', username: 'u' }, passwordStdin: true, print: true });
  });

  it('--help and --version win over everything else', () => {
    expect(parseArgs(['--registry', 'r.azurecr.io', '--help']).command).toBe('help');
    expect(parseArgs(['-h']).command).toBe('help');
    expect(parseArgs(['--version']).command).toBe('version');
  });

  it('--verbose is a boolean flag, for login and logout', () => {
    expect(parseArgs(['--registry', 'r.azurecr.io', '--verbose']).verbose).toBe(true);
    expect(parseArgs(['--registry', 'r.azurecr.io']).verbose).toBe(false);
    expect(parseArgs(['logout', '--verbose'])).toMatchObject({ command: 'logout', verbose: true });
  });

  it('logout takes registries only, and none means all', () => {
    expect(parseArgs(['logout'])).toMatchObject({ command: 'logout', registries: [] });
    expect(parseArgs(['logout', '--registry', 'r.azurecr.io'])).toMatchObject({ command: 'logout', registries: ['r.azurecr.io'] });
  });

  it.each([
    [['--registry', 'r.azurecr.io', '--client-secret', 'x'], '--client-secret would put a secret on the command line'],
    [['--registry', 'r.azurecr.io', '--password=x'], '--password would put a secret on the command line'],
    [['--registry', 'r.azurecr.io', '--creds', '{}'], '--creds would put a secret on the command line'],
    [['--registry', 'r.azurecr.io', '--client-id', 'a', '--client-id', 'b'], '--client-id is given twice'],
    [['--registry', 'r.azurecr.io', '--print=yes'], '--print takes no value'],
    [['--registry', 'r.azurecr.io', '--tenant-id'], '--tenant-id needs a value'],
    [['--registry', 'r.azurecr.io', '--tenant-id', '--print'], '--tenant-id needs a value'],
    [['--registry', 'r.azurecr.io', '-x'], 'unknown option -x'],
    [['push', '--registry', 'r.azurecr.io'], "unexpected argument 'push'"],
    [['login', 'logout'], "unexpected argument 'logout'"],
    [['--registry', 'r.azurecr.io', '--client-secret-stdin', '--password-stdin', '--username', 'u'], 'both want standard input'],
    [['--registry', 'r.azurecr.io', '--client-secret-stdin', '--client-secret-file', 'f'], 'give the client secret once'],
    [['--registry', 'r.azurecr.io', '--password-stdin'], '--password-stdin needs --username'],
    [['--registry', 'r.azurecr.io', '--federated-token-env', 'A', '--federated-token-file', 'f'], 'give the federated token once'],
    [['--registry', 'r.azurecr.io', '--login', 'podman'], "--login 'podman' is not valid; use one of: auto, docker, config, helper, none"],
    [['logout', '--print'], 'logout takes only --registry and --verbose, not --print']
  ])('%j is a usage error: %s', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
