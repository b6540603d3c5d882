import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { LoginError } from '../lib/errors';
import type { FederatedTokenSource, RawInputs } from './options';

/**
 * The inputs the usual Azure environment variables give, as @azure/identity reads them. A secret
 * wins over a certificate path, as in its EnvironmentCredential.
 */
export function azureEnvironmentInputs(env: NodeJS.ProcessEnv): RawInputs {
  const raw: RawInputs = {};
  const set = (name: keyof RawInputs, value: string | undefined): void => {
    if (value?.trim()) raw[name] = value.trim();
  };
  set('client-id', env.AZURE_CLIENT_ID);
  set('tenant-id', env.AZURE_TENANT_ID);
  set('authority-host', env.AZURE_AUTHORITY_HOST);
  set('client-secret', env.AZURE_CLIENT_SECRET);
  if (!raw['client-secret']) set('client-certificate', env.AZURE_CLIENT_CERTIFICATE_PATH);
  return raw;
}

/** A federated token read from a file each time one is needed (AKS workload identity rotates it): `AZURE_FEDERATED_TOKEN_FILE`. */
export function federatedTokenFile(path: string, mask: (secret: string) => void): FederatedTokenSource {
  const absolute = resolve(path);
  return {
    available: true,
    unavailableHint: '',
    setting: { kind: 'file', path: absolute },
    async getToken() {
      let token: string;
      try {
        token = (await fs.readFile(absolute, 'utf8')).trim();
      } catch (error) {
        throw new LoginError(
          `cannot read the federated token file ${absolute}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`
        );
      }
      if (!token) throw new LoginError(`the federated token file ${absolute} is empty`);
      mask(token);
      return token;
    }
  };
}

/** A federated token in a named environment variable, such as a GitLab CI `id_tokens:` entry. */
export function federatedTokenEnv(name: string, env: NodeJS.ProcessEnv, mask: (secret: string) => void): FederatedTokenSource {
  return {
    available: Boolean(env[name]?.trim()),
    unavailableHint: `the environment variable ${name} holds no token`,
    setting: { kind: 'env', name },
    async getToken() {
      const token = env[name]?.trim();
      if (!token) throw new LoginError(`the environment variable ${name} holds no token`);
      mask(token);
      return token;
    }
  };
}

export function noFederation(hint: string): FederatedTokenSource {
  return { available: false, unavailableHint: hint, getToken: () => Promise.reject(new LoginError(hint)) };
}

/** The first source that has a token now, else one explaining where a token could come from. */
export function firstAvailable(sources: FederatedTokenSource[], hint: string): FederatedTokenSource {
  return sources.find((source) => source.available) ?? noFederation(hint);
}
