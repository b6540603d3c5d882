import { readFileSync } from 'node:fs';
import { azureEnvironmentInputs, FederatedTokenSource, Platform, RawInputs } from '../core';
import { federatedTokenEnv } from '../federation/env';
import { federatedTokenFile } from '../federation/file';
import { ambientFederation } from '../federation/ambient';
import { CliArgs, UsageError } from './args';

export interface CliInputs {
  raw: RawInputs;
  federation: FederatedTokenSource;
}

const NO_TOKEN_HINT =
  'no federated token: set AZURE_FEDERATED_TOKEN_FILE, pass --federated-token-env NAME (e.g. a GitLab CI id_tokens variable), ' +
  'or run inside a GitHub job with permissions: id-token: write';

/**
 * The flags, with the usual Azure environment variables filling what they leave out, and secrets
 * read from files or standard input: the core's RawInputs and where an OIDC token would come from.
 */
export async function readCliInputs(
  args: CliArgs,
  env: NodeJS.ProcessEnv,
  platform: Platform,
  stdin: () => Promise<string>
): Promise<CliInputs> {
  const flags = args.values;
  const fromEnv = azureEnvironmentInputs(env);
  const raw: RawInputs = {
    registry: args.registries.join('\n'),
    'auth-type': flags['auth-type'],
    'client-id': flags['client-id'] ?? fromEnv['client-id'],
    'tenant-id': flags['tenant-id'] ?? fromEnv['tenant-id'],
    'authority-host': flags['authority-host'] ?? (flags.environment ? undefined : fromEnv['authority-host']),
    environment: flags.environment,
    'token-audience': flags['token-audience'],
    'oidc-audience': flags['oidc-audience'],
    username: flags.username,
    login: flags.login ?? (args.print ? 'none' : 'auto'),
    logout: 'true'
  };
  if (args.clientSecretStdin) raw['client-secret'] = await stdin();
  else if (flags['client-secret-file'] !== undefined)
    raw['client-secret'] = readSecretFile('--client-secret-file', flags['client-secret-file']);
  if (args.passwordStdin) raw.password = await stdin();
  if (flags['creds-file'] !== undefined) raw.creds = readSecretFile('--creds-file', flags['creds-file']);
  if (flags['client-certificate'] !== undefined) raw['client-certificate'] = flags['client-certificate'];
  const explicit = [
    raw['client-secret'],
    raw['client-certificate'],
    raw.creds,
    raw.username,
    flags['federated-token-env'],
    flags['federated-token-file']
  ];
  if (explicit.every((value) => value === undefined)) {
    raw['client-secret'] = fromEnv['client-secret'];
    raw['client-certificate'] = fromEnv['client-certificate'];
  }
  for (const [name, value] of Object.entries(raw)) if (value === undefined) delete raw[name as keyof RawInputs];

  const mask = (secret: string): void => platform.mask(secret);
  const tokenEnv = flags['federated-token-env'];
  const tokenFile = flags['federated-token-file'];
  const federation =
    tokenEnv !== undefined
      ? federatedTokenEnv(tokenEnv, env, mask)
      : tokenFile !== undefined
        ? federatedTokenFile(tokenFile, mask)
        : ambientFederation(env, platform, NO_TOKEN_HINT);
  return { raw, federation };
}

function readSecretFile(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
