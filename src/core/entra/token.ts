import type { HttpClient, Pipeline } from '@azure/core-rest-pipeline';
import type { TokenCredential, TokenCredentialOptions } from '@azure/identity';
import type { Agent as HttpAgent } from 'node:http';
import { directAgent, letConnectionsProgress } from '../../lib/connections';
import { LoginError } from '../../lib/errors';
import { DEFAULT_RETRY, HttpObserver, parseJson, send } from '../../lib/http';
import { ProxyConnectAnswer, proxyAgent, proxyRefusal, ProxySettings, proxyUnreachable } from '../../lib/proxy';
import { readClaims } from './jwt';
import type { Credential, LoginOptions } from '../options';
import { WELL_KNOWN_AUTHORITIES } from './clouds';
import { managedIdentityEndpoint } from './endpoints';
import { explainEntraFailure } from './errors';

export type EntraCredential = Exclude<Credential, { kind: 'token' }>;

/** What decides the Entra request: the cloud's authority and audiences, the proxy, and the environment that locates a managed identity endpoint. */
export interface EntraRequest extends Pick<LoginOptions, 'cloud' | 'authorityHost' | 'audience' | 'federatedAudience'> {
  proxy: ProxySettings;
  env: NodeJS.ProcessEnv;
  /** Hears how long the federated token took. */
  debug?: (message: string) => void;
  /** Hears about each request @azure/identity makes. */
  observer?: HttpObserver;
}

/** MSAL does not pass an abort signal to its metadata requests, so a silent authority is cut off here. */
const ENTRA_TIMEOUT_MS = 30000;

/** Asks Entra ID (through @azure/identity, loaded only now) for one access token of the chosen audience. */
export async function getEntraToken(credential: EntraCredential, request: EntraRequest): Promise<string> {
  const { authorityHost } = request;
  const debug = request.debug ?? ((): void => undefined);
  const presented: Presented = { audience: request.federatedAudience };
  if (credential.kind === 'oidc') {
    const from = `federated token from ${credential.source.setting?.kind ?? 'the platform'}`;
    presented.fetch = timed(() => credential.source.getToken(presented.audience), debug, from);
    // Needed anyway: ask the platform now, so that its round trip overlaps loading @azure/identity.
    // A failure surfaces when MSAL asks for the assertion (presentOnce), as before.
    presented.pending = presented.fetch();
    presented.pending.catch(() => undefined);
    // Let the source's promise chain (a platform library may load its HTTP client first) send the request
    // before loading @azure/identity takes the thread.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const target = new URL(credential.kind === 'managed-identity' ? managedIdentityEndpoint(request.env) : authorityHost);
  const route = await routeFor(target, request.proxy);
  const tokenCredential = await createTokenCredential(
    credential,
    authorityHost,
    route.agent,
    presented,
    request.observer ?? ((): void => undefined)
  );
  // A managed identity asks for the resource itself: @azure/identity takes it from the scope without `/.default`.
  const scope = `${request.audience.resource}/.default`;
  try {
    const token = await withTimeout(tokenCredential.getToken(scope, { abortSignal: AbortSignal.timeout(ENTRA_TIMEOUT_MS) }));
    if (!token?.token) throw new LoginError('Entra ID returned no access token');
    return token.token;
  } catch (error) {
    if (error instanceof LoginError) throw error;
    // The platform's own failure to give the OIDC token, as it said it, not wrapped in MSAL's.
    if (presented.failure) throw presented.failure;
    const proxyFailure = route.failure(error);
    if (proxyFailure) throw proxyFailure;
    const assertionClaims = presented.assertion ? readClaims(presented.assertion) : undefined;
    const cause = (await diagnoseMetadataFailure(error, credential, authorityHost, request.proxy)) ?? error;
    throw new LoginError(explainEntraFailure(cause, { ...request, credential, assertionClaims, timeoutMs: ENTRA_TIMEOUT_MS }));
  }
}

interface Route {
  /** What @azure/identity's requests use: the proxy's agent, or a direct one (so that it applies no proxy rules of its own). */
  agent: HttpAgent;
  /** The proxy's own failure behind an @azure/identity error, when there was one. */
  failure(error: unknown): LoginError | undefined;
}

async function routeFor(target: URL, settings: ProxySettings): Promise<Route> {
  const proxy = settings.proxyFor(target);
  if (!proxy) {
    // The process's shared keep-alive agent: MSAL's requests take the connection opened ahead and share it.
    return { agent: directAgent(target), failure: () => undefined };
  }
  const agent = await proxyAgent(proxy, target);
  let refused: ProxyConnectAnswer | undefined;
  const onConnect = (answer: ProxyConnectAnswer): void => {
    if (answer.statusCode !== 200) refused = answer;
  };
  agent.on('proxyConnect', onConnect);
  return {
    agent,
    failure(error) {
      agent.off('proxyConnect', onConnect);
      const message = error instanceof Error ? error.message : String(error);
      if (refused) return proxyRefusal(settings, proxy, target, refused.statusCode, refused.statusText);
      if (/\b407\b/.test(message)) return proxyRefusal(settings, proxy, target, 407);
      const code = (error as { code?: unknown }).code;
      const network = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)\b/.exec(
        `${typeof code === 'string' ? code : ''} ${message}`
      );
      return network ? proxyUnreachable(settings, proxy, target, network[1] as string) : undefined;
    }
  };
}

async function createTokenCredential(
  credential: EntraCredential,
  authorityHost: string,
  agent: HttpAgent,
  presented: Presented,
  observer: HttpObserver
): Promise<TokenCredential> {
  // One at a time, the event loop turned after each: the connections opened ahead advance between them.
  const pipeline = await import('@azure/core-rest-pipeline');
  await letConnectionsProgress();
  const identity = await import('@azure/identity');
  await letConnectionsProgress();
  // Every request through the pipeline @azure/identity would build (its retries, redirects, the agent), less the
  // form-data policy: it evaluates `typeof FormData` for every request, and Node's FormData global loads all of undici
  // (11-16 ms before the first Entra request); the bodies are strings, never FormData. A credential's IdentityClient
  // takes it as its pipeline (ServiceClientOptions.pipeline).
  const transport = {
    httpClient: observingHttpClient(pipeline.createDefaultHttpClient(), observer),
    agent,
    pipeline: withoutFormData(pipeline.createPipelineFromOptions({ agent, retryOptions: { maxRetries: 3 } }))
  } satisfies TokenCredentialOptions & { pipeline: Pipeline };
  const options = { ...transport, authorityHost, disableInstanceDiscovery: !WELL_KNOWN_AUTHORITIES.has(new URL(authorityHost).hostname) };
  switch (credential.kind) {
    case 'oidc':
      return new identity.ClientAssertionCredential(
        credential.tenantId,
        credential.clientId,
        () => presentOnce(credential, presented),
        options
      );
    case 'service-principal':
      if ('certificate' in credential) {
        const { certificate, tenantId, clientId } = credential;
        return certificate.includes('-----BEGIN')
          ? new identity.ClientCertificateCredential(tenantId, clientId, { certificate }, options)
          : new identity.ClientCertificateCredential(tenantId, clientId, { certificatePath: certificate }, options);
      }
      return new identity.ClientSecretCredential(credential.tenantId, credential.clientId, credential.secret, options);
    case 'managed-identity':
      // It adds its IMDS retry policy to the pipeline. Its second client, the availability probe, shares the pipeline
      // but runs only in DefaultAzureCredential's chain.
      return credential.clientId
        ? new identity.ManagedIdentityCredential({ ...transport, clientId: credential.clientId })
        : new identity.ManagedIdentityCredential(transport);
  }
}

function withoutFormData(pipeline: Pipeline): Pipeline {
  pipeline.removePolicy({ name: 'formDataPolicy' });
  return pipeline;
}

/** The transport @azure/identity sends every request through (MSAL's and the managed-identity ones too), reporting each to the observer. */
function observingHttpClient(transport: HttpClient, observer: HttpObserver): HttpClient {
  return {
    async sendRequest(request) {
      const started = Date.now();
      const report = (outcome: { status: number } | { failure: string }): void =>
        observer({ method: request.method, url: new URL(request.url), attempt: 0, durationMs: Date.now() - started, outcome });
      try {
        const response = await transport.sendRequest(request);
        report({ status: response.status });
        return response;
      } catch (error) {
        report({ failure: (error as NodeJS.ErrnoException).code ?? (error as Error).name });
        throw error;
      }
    }
  };
}

function timed<T>(work: () => Promise<T>, debug: (message: string) => void, what: string): () => Promise<T> {
  return async () => {
    const started = Date.now();
    try {
      return await work();
    } finally {
      debug(`${what}: ${Date.now() - started} ms`);
    }
  };
}

/**
 * MSAL reports any failure to read the tenant's metadata as `endpoints_resolution_error`, hiding
 * Entra's answer (AADSTS90002 for an unknown tenant), and a connection it could not make as a bare
 * `network_error`: ask once more and keep what Entra (or the network) said.
 */
async function diagnoseMetadataFailure(
  error: unknown,
  credential: EntraCredential,
  authorityHost: string,
  proxy: ProxySettings
): Promise<Error | undefined> {
  const hidden = error instanceof Error && /endpoints_resolution_error|network_error/.test(error.message);
  if (!hidden || !('tenantId' in credential)) return undefined;
  const url = `${authorityHost}/${encodeURIComponent(credential.tenantId)}/v2.0/.well-known/openid-configuration`;
  try {
    const response = await send({ method: 'GET', url, proxy }, { ...DEFAULT_RETRY, retries: 0 });
    const described = (parseJson(response.body) as { error_description?: unknown } | undefined)?.error_description;
    if (typeof described === 'string') return new Error(described);
    return response.status === 200 ? undefined : new Error(`${url} answered HTTP ${response.status}`);
  } catch (probeError) {
    return probeError instanceof Error ? probeError : undefined;
  }
}

/** The federated token asked for (its audience), on its way, and as presented. */
interface Presented {
  audience: string;
  fetch?: () => Promise<string>;
  pending?: Promise<string>;
  assertion?: string;
  /** Why the platform gave no token, when that is what stopped the sign-in. */
  failure?: LoginError;
}

/** @azure/identity asks for the assertion more than once per sign-in; the platform is asked once. */
async function presentOnce(credential: Extract<EntraCredential, { kind: 'oidc' }>, presented: Presented): Promise<string> {
  presented.pending ??= (presented.fetch ?? (() => credential.source.getToken(presented.audience)))();
  try {
    presented.assertion = await presented.pending;
    return presented.assertion;
  } catch (error) {
    delete presented.pending;
    if (error instanceof LoginError) presented.failure = error;
    throw error;
  }
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })), ENTRA_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
