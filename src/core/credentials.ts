import { letConnectionsProgress, openAhead } from '../lib/connections';
import { mapLimited } from '../lib/limit';
import { describeRoute } from '../lib/proxy';
import { describeLogin, requestDebugLines } from './debug-lines';
import { readClaims } from './entra/jwt';
import { managedIdentityEndpoint } from './entra/endpoints';
import type { LoginOptions } from './options';
import type { Platform } from './platform';
import { checkBasicCredential } from './registry/basic-auth-check';
import { entraIdentity, exchangeForRefreshToken, RegistryCredential } from './registry/exchange';

/** Registries asked at once: enough for any real job, and no flood of connections from a long list. */
const MAX_IN_FLIGHT = 8;

/** A credential for every registry: one Entra token exchanged at each registry, or the checked username and password. */
export async function obtainCredentials(options: LoginOptions, platform: Platform): Promise<RegistryCredential[]> {
  const { credential, registries } = options;
  const { proxy } = platform;
  const targets = requestTargets(options, platform.env);
  // Connected (TCP and TLS) while @azure/identity loads and Entra answers: each first request finds its connection ready.
  for (const url of targets) openAhead(url, proxy);
  for (const secret of proxy.secrets) platform.mask(secret);
  const servers = registries.map((registry) => registry.loginServer).join(', ');
  const debug = (message: string): void => platform.debug(message);
  describeLogin(options, platform.env).forEach(debug);
  for (const url of targets) debug(`Network: ${describeRoute(proxy, url)}`);
  const observer = requestDebugLines(debug);
  if (credential.kind === 'token') {
    platform.info(`Checking the password of '${credential.username}' at ${servers}`);
    return mapLimited(registries, MAX_IN_FLIGHT, (registry) =>
      checkBasicCredential(registry, credential.username, credential.password, proxy, observer)
    );
  }
  const { audience, cloud } = options;
  const kind = audience.choice === 'custom' ? 'a' : `an ${audience.choice.toUpperCase()}-audience`;
  platform.info(`Requesting ${kind} token (${audience.resource}) from Entra ID in ${cloud.name} (${credential.kind})`);
  const started = Date.now();
  // Loaded only by the logins that ask Entra ID (its chunk loads @azure/identity in turn).
  await letConnectionsProgress();
  const { getEntraToken } = await import('./entra/token');
  const accessToken = await getEntraToken(credential, { ...options, proxy, env: platform.env, debug, observer });
  platform.mask(accessToken);
  const { clientId, objectId } = entraIdentity(readClaims(accessToken));
  debug(`Entra ID token for client ${clientId ?? '(none named)'} (object ${objectId ?? '(none named)'}) in ${Date.now() - started} ms`);
  platform.info(`Exchanging it for refresh tokens at ${servers}`);
  return mapLimited(registries, MAX_IN_FLIGHT, async (registry) => {
    const exchanged = await exchangeForRefreshToken(registry, accessToken, options.audience, proxy, observer);
    platform.mask(exchanged.password);
    return exchanged;
  });
}

/** The hosts this login talks to (the OIDC issuer aside, which its source knows), for the debug log's route lines. */
function requestTargets(options: LoginOptions, env: NodeJS.ProcessEnv): URL[] {
  const { credential } = options;
  const entra =
    credential.kind === 'token'
      ? []
      : [new URL(credential.kind === 'managed-identity' ? managedIdentityEndpoint(env) : options.authorityHost)];
  return [...entra, ...options.registries.map((registry) => new URL(registry.baseUrl))];
}
