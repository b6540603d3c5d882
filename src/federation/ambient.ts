import { FederatedTokenSource, firstAvailable, Platform } from '../core';
import { federatedTokenFile } from './file';
import { githubFederation } from './github';

/**
 * The federated token the environment offers without being told where: AZURE_FEDERATED_TOKEN_FILE
 * (AKS workload identity), else a GitHub job's own token; `hint` says where one could come from.
 */
export function ambientFederation(env: NodeJS.ProcessEnv, platform: Platform, hint: string): FederatedTokenSource {
  const file = env.AZURE_FEDERATED_TOKEN_FILE?.trim();
  return file ? federatedTokenFile(file, (secret) => platform.mask(secret)) : firstAvailable([githubFederation(env, platform)], hint);
}
