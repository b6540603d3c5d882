import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { FederatedTokenSource } from '../core';
import { LoginError } from '../lib/errors';
import { subjectHint } from './subject-hint';

/** A federated token read from a file each time one is needed (AKS workload identity rotates it): `AZURE_FEDERATED_TOKEN_FILE`. */
export function federatedTokenFile(path: string, mask: (secret: string) => void): FederatedTokenSource {
  const absolute = resolve(path);
  return {
    available: true,
    unavailableHint: '',
    setting: { kind: 'file', path: absolute },
    subjectHint,
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
