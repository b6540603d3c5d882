// Docker registry service connections (endpoint type dockerregistry, what Docker@2 takes as containerRegistry)
// as the agent hands them to a task, and what the tests need around them: an identity that trusts only one
// such connection's OIDC subject, and the audiences Entra ID issued tokens for.
import { randomUUID } from 'node:crypto';
import { decodeJwt } from './jwt';
import type { ServiceConnectionEnv } from './task-runner';
import type { FederatedApp, World } from './world';

/** A workload identity federation Docker registry connection of its own, and the app that trusts only its subject. */
export interface DockerRegistryWifIdentity {
  /** The connection's id (what the agent puts in INPUT_CONTAINERREGISTRY and ENDPOINT_*_<id>). */
  id: string;
  name: string;
  app: FederatedApp;
}

/**
 * Registers a new connection with the Azure DevOps stand-in and an app whose only federated credential is
 * for that connection's subject, with AcrPush on both registries: an OIDC token asked for with any other
 * connection's id is refused by Entra ID.
 */
export function addDockerRegistryWifIdentity(world: World, name = 'acr-docker-registry'): DockerRegistryWifIdentity {
  const id = world.ado.addServiceConnection(name);
  const app: FederatedApp = { clientId: randomUUID(), objectId: randomUUID() };
  world.entra.addApplication(world.tenantId, {
    ...app,
    displayName: 'acr-login Docker registry connection app',
    federatedCredentials: [{ name, issuer: world.ado.issuer, subject: world.ado.subjectFor(name), audience: 'api://AzureADTokenExchange' }]
  });
  for (const registry of Object.values(world.registries)) registry.acr.assignRole(app.objectId, 'AcrPush');
  return { id, name, app };
}

/**
 * A connection of type "Azure Container Registry". The stand-in registries are loopback (plain http, no
 * cloud suffix), so `loginServer` is their URL and the connection's data names the Entra stand-in as its
 * authority, as an Azure Resource Manager connection's data does.
 */
export function acrTypeConnection(
  world: World,
  registry: { url: string; loginServer: string },
  scheme: string,
  parameters: Record<string, string>,
  id: string = randomUUID()
): ServiceConnectionEnv {
  return {
    id,
    url: `https://${registry.loginServer}`,
    scheme,
    parameters: { loginServer: registry.url, ...parameters },
    data: {
      registrytype: 'ACR',
      registryId: `/subscriptions/${randomUUID()}/resourceGroups/ci/providers/Microsoft.ContainerRegistry/registries/contoso`,
      subscriptionId: randomUUID(),
      subscriptionName: 'Contoso CI',
      activeDirectoryAuthority: `${world.entra.url}/`
    }
  };
}

/** A connection of type "Others" (a Docker Registry URL, a username and a password). */
export function othersConnection(registry: string, username: string, password: string): ServiceConnectionEnv {
  return {
    id: randomUUID(),
    url: registry,
    scheme: 'UsernamePassword',
    parameters: { registry, username, password, email: '' },
    data: { registrytype: 'Others' }
  };
}

/** The audience of every access token the Entra stand-in (and the managed-identity stand-ins through it) issued so far, in order. */
export function issuedAccessTokens(world: World): Array<{ token: string; aud: unknown }> {
  const tokens: Array<{ token: string; aud: unknown }> = [];
  for (const secret of world.entra.secrets()) {
    if (secret.split('.').length !== 3) continue;
    try {
      const { payload } = decodeJwt(secret);
      if (payload.idtyp === 'app') tokens.push({ token: secret, aud: payload.aud });
    } catch {
      // not a JWT: a client secret
    }
  }
  return tokens;
}
