import { LoginError } from '../lib/errors';

/**
 * Where an OIDC assertion comes from (a CI platform, a token file, a variable), and what to tell the
 * user when it cannot give one. Every source in src/federation/ has this shape.
 */
export interface FederatedTokenSource {
  available: boolean;
  unavailableHint: string;
  /**
   * A token for `audience`, the cloud's federated token audience (api://AzureADTokenExchange in Azure's
   * public cloud) unless the user chose another. Sources whose issuer picks the audience itself ignore it.
   */
  getToken(audience: string): Promise<string>;
  /** How the credential helper finds the same source again later (non-secret), when it can. */
  setting?: FederationSetting;
  /**
   * What the subject of a token depends on, in the form the presented token carries (its claims), for the advice
   * when Entra ID finds no federated credential for it; undefined when the form says nothing more than the subject.
   */
  subjectHint?(claims: Record<string, unknown>): string | undefined;
  /** What the credential helper will lack where docker runs to get such a token again, when the platform knows it will. */
  renewalHint?: string;
}

/** A federated token source as the credential helper records it: never the token, only where to get one. */
export type FederationSetting =
  | { kind: 'github' }
  | { kind: 'azure-devops'; serviceConnectionId: string }
  | { kind: 'file'; path: string }
  | { kind: 'env'; name: string };

export function noFederation(hint: string): FederatedTokenSource {
  return { available: false, unavailableHint: hint, getToken: () => Promise.reject(new LoginError(hint)) };
}

/** The first source that has a token now, else one explaining where a token could come from. */
export function firstAvailable(sources: FederatedTokenSource[], hint: string): FederatedTokenSource {
  return sources.find((source) => source.available) ?? noFederation(hint);
}
