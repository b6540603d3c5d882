// The auth paths the benchmark times, as inputs and environment for the bundled action.
import type { ServiceName } from '../../test/support/request-log';
import type { World } from '../../test/support/world';

export interface AuthPath {
  id: 'sp-secret' | 'sp-certificate' | 'github-oidc' | 'managed-identity' | 'scoped-token';
  label: string;
  /** Asks Entra ID (or a managed identity endpoint) for a token: loads the Entra code. */
  entra: boolean;
  inputs(world: World): Record<string, string>;
  env(world: World): Record<string, string>;
}

const none = (): Record<string, string> => ({});

export const AUTH_PATHS: AuthPath[] = [
  {
    id: 'sp-secret',
    label: 'service principal, secret',
    entra: true,
    inputs: (w) => ({
      'client-id': w.secretApp.clientId,
      'tenant-id': w.tenantId,
      'client-secret': w.secretApp.secret,
      'authority-host': w.entra.url
    }),
    env: none
  },
  {
    id: 'sp-certificate',
    label: 'service principal, certificate',
    entra: true,
    inputs: (w) => ({
      'client-id': w.certApp.clientId,
      'tenant-id': w.tenantId,
      'client-certificate': w.certApp.certificate.combinedPem,
      'authority-host': w.entra.url
    }),
    env: none
  },
  {
    id: 'github-oidc',
    label: 'GitHub OIDC',
    entra: true,
    inputs: (w) => ({ 'client-id': w.federatedApp.clientId, 'tenant-id': w.tenantId, 'authority-host': w.entra.url }),
    env: (w) => w.github.env()
  },
  {
    id: 'managed-identity',
    label: 'managed identity (IMDS)',
    entra: true,
    inputs: () => ({ 'auth-type': 'managed-identity' }),
    env: (w) => w.imds.env()
  },
  {
    id: 'scoped-token',
    label: 'repository-scoped token',
    entra: false,
    inputs: (w) => ({ username: w.scopedToken.username, password: w.scopedToken.password }),
    env: none
  }
];

/** The endpoints counted per login, in table order, with their short names. */
export const ENDPOINTS: { service: ServiceName; short: string }[] = [
  { service: 'github-oidc', short: 'OIDC issuer' },
  { service: 'entra-metadata', short: 'Entra metadata' },
  { service: 'instance-discovery', short: 'instance discovery' },
  { service: 'entra-token', short: 'Entra token' },
  { service: 'imds', short: 'managed identity' },
  { service: 'acr-exchange', short: 'exchange' },
  { service: 'acr-token', short: 'ACR token endpoint' },
  { service: 'registry', short: 'registry /v2/' }
];
