import { FederatedTokenSource } from '../core';
import { LoginError } from '../lib/errors';
import { subjectHint } from './subject-hint';

/** A federated token in a named environment variable, such as a GitLab CI `id_tokens:` entry. */
export function federatedTokenEnv(name: string, env: NodeJS.ProcessEnv, mask: (secret: string) => void): FederatedTokenSource {
  return {
    available: Boolean(env[name]?.trim()),
    unavailableHint: `the environment variable ${name} holds no token`,
    setting: { kind: 'env', name },
    subjectHint,
    async getToken() {
      const token = env[name]?.trim();
      if (!token) throw new LoginError(`the environment variable ${name} holds no token`);
      mask(token);
      return token;
    }
  };
}
