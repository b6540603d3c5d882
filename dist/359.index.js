"use strict";
exports.id = 359;
exports.ids = [359];
exports.modules = {

/***/ 1359:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  getEntraToken: () => (/* binding */ getEntraToken)
});

// EXTERNAL MODULE: ./src/lib/connections.ts + 1 modules
var connections = __webpack_require__(4136);
// EXTERNAL MODULE: ./src/lib/errors.ts
var errors = __webpack_require__(7268);
// EXTERNAL MODULE: ./src/lib/http.ts
var http = __webpack_require__(1931);
// EXTERNAL MODULE: ./src/lib/proxy.ts
var lib_proxy = __webpack_require__(7087);
// EXTERNAL MODULE: ./src/core/entra/jwt.ts
var jwt = __webpack_require__(5985);
// EXTERNAL MODULE: ./src/core/entra/clouds.ts
var clouds = __webpack_require__(4904);
;// CONCATENATED MODULE: ./src/core/entra/endpoints.ts
/**
 * Where @azure/identity's managed identity requests go, found as it finds them: App Service / Functions,
 * Cloud Shell, a pod identity host, else IMDS. (Apart from token.ts, which loads @azure/identity, so that a
 * login that asks no Entra ID does not load the Entra code.)
 */
function managedIdentityEndpoint(env) {
    return env.IDENTITY_ENDPOINT || env.MSI_ENDPOINT || env.AZURE_POD_IDENTITY_AUTHORITY_HOST || 'http://169.254.169.254';
}

;// CONCATENATED MODULE: ./src/core/entra/errors.ts
/** One line saying why Entra ID (or the managed-identity endpoint) gave no token, and what to change. */
function explainEntraFailure(error, context) {
    const message = error instanceof Error ? error.message : String(error);
    const name = error instanceof Error ? error.name : '';
    const code = /AADSTS(\d+)/.exec(message)?.[1];
    if (code)
        return `Entra ID refused the token request (AADSTS${code}): ${advice(code, context)}. Entra said: ${firstSentence(message, code)}`;
    if (name === 'AbortError' || /aborted/i.test(message)) {
        return `no token from ${where(context)} within ${context.timeoutMs / 1000} s: the endpoint did not answer`;
    }
    if (context.credential.kind === 'managed-identity') {
        return `managed identity gave no token: ${oneLine(message)}. This needs an Azure VM, scale set, App Service or similar with an identity assigned${context.credential.clientId ? ` (client-id ${context.credential.clientId} must be assigned to it)` : ''}`;
    }
    return `no token from ${where(context)}: ${oneLine(message)}`;
}
function advice(code, context) {
    const { credential } = context;
    const app = 'clientId' in credential && credential.clientId ? `app ${credential.clientId}` : 'the identity';
    const tenant = 'tenantId' in credential ? credential.tenantId : 'the tenant';
    const claim = (name) => {
        const value = context.assertionClaims?.[name];
        return typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : 'unknown';
    };
    switch (code) {
        case '700213': {
            const hint = credential.kind === 'oidc' ? credential.source.subjectHint?.(context.assertionClaims ?? {}) : undefined;
            const dependsOn = hint ? ` (${hint})` : '';
            return (`${app} has no federated credential for subject '${claim('sub')}' from issuer '${claim('iss')}'; ` +
                `add one with exactly this subject${dependsOn}, or run from what an existing one names`);
        }
        case '700212':
            if (credential.kind !== 'oidc') {
                return `the client assertion signed with the certificate of ${app} names another token endpoint than ${context.authorityHost}; check authority-host and environment`;
            }
            return (`the OIDC token's audience '${claim('aud')}' is not the one the federated credential of ${app} expects; ` +
                `in ${context.cloud.name} federated credentials use ${context.cloud.federatedTokenAudience} ` +
                `(this login asked for ${context.federatedAudience}; oidc-audience sets another)`);
        case '700211':
            return `the OIDC token's issuer '${claim('iss')}' matches no federated credential of ${app}`;
        case '700024':
            if (credential.kind !== 'oidc') {
                return `the client assertion signed with the certificate of ${app} is dated by this machine's clock, which Entra ID finds outside its valid time range: check the runner's clock (date -u) and sync it`;
            }
            return 'the OIDC token had expired when Entra ID checked it; it is fetched right before use, so check the runner clock';
        case '7000215':
            return `the client secret of ${app} is wrong; use the secret's value, not its ID`;
        case '7000222':
            return `the client secret of ${app} has expired; create a new one`;
        case '700027':
            return `the certificate is not registered on ${app}, or its key does not match; upload the certificate's public part to the app`;
        case '700016':
            return `${app} was not found in tenant ${tenant}; check client-id and tenant-id`;
        case '90002':
            return `tenant ${tenant} was not found at ${context.authorityHost}; check tenant-id and the cloud (authority-host or environment)`;
        case '500011':
            return (`the resource ${context.audience.resource} does not exist where tenant ${tenant} signs in (${context.authorityHost}); ` +
                `in ${context.cloud.name} ACR's audience is ${context.cloud.acrAudience}: check environment, the registry's cloud and token-audience`);
        default:
            return `${app} could not sign in to tenant ${tenant}`;
    }
}
function where(context) {
    return context.credential.kind === 'managed-identity' ? 'the managed identity endpoint' : `Entra ID at ${context.authorityHost}`;
}
function firstSentence(message, code) {
    const start = message.indexOf(`AADSTS${code}`);
    const text = oneLine(message.slice(start >= 0 ? start : 0));
    const end = text.search(/\. (Trace ID|Correlation ID|Timestamp)/);
    return (end >= 0 ? text.slice(0, end + 1) : text).slice(0, 400);
}
function oneLine(text) {
    return text.replace(/\s+/g, ' ').trim().slice(0, 400);
}

;// CONCATENATED MODULE: ./src/core/entra/token.ts








/** MSAL does not pass an abort signal to its metadata requests, so a silent authority is cut off here. */
const ENTRA_TIMEOUT_MS = 30000;
/** Asks Entra ID (through @azure/identity, loaded only now) for one access token of the chosen audience. */
async function getEntraToken(credential, request) {
    const { authorityHost } = request;
    const debug = request.debug ?? (() => undefined);
    const presented = { audience: request.federatedAudience };
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
    const tokenCredential = await createTokenCredential(credential, authorityHost, route.agent, presented, request.observer ?? (() => undefined));
    // A managed identity asks for the resource itself: @azure/identity takes it from the scope without `/.default`.
    const scope = `${request.audience.resource}/.default`;
    try {
        const token = await withTimeout(tokenCredential.getToken(scope, { abortSignal: AbortSignal.timeout(ENTRA_TIMEOUT_MS) }));
        if (!token?.token)
            throw new errors/* LoginError */.Q('Entra ID returned no access token');
        return token.token;
    }
    catch (error) {
        if (error instanceof errors/* LoginError */.Q)
            throw error;
        // The platform's own failure to give the OIDC token, as it said it, not wrapped in MSAL's.
        if (presented.failure)
            throw presented.failure;
        const proxyFailure = route.failure(error);
        if (proxyFailure)
            throw proxyFailure;
        const assertionClaims = presented.assertion ? (0,jwt/* readClaims */.Ip)(presented.assertion) : undefined;
        const cause = (await diagnoseMetadataFailure(error, credential, authorityHost, request.proxy)) ?? error;
        throw new errors/* LoginError */.Q(explainEntraFailure(cause, { ...request, credential, assertionClaims, timeoutMs: ENTRA_TIMEOUT_MS }));
    }
}
async function routeFor(target, settings) {
    const proxy = settings.proxyFor(target);
    if (!proxy) {
        // The process's shared keep-alive agent: MSAL's requests take the connection opened ahead and share it.
        return { agent: (0,connections/* directAgent */.x)(target), failure: () => undefined };
    }
    const agent = await (0,lib_proxy/* proxyAgent */.QT)(proxy, target);
    let refused;
    const onConnect = (answer) => {
        if (answer.statusCode !== 200)
            refused = answer;
    };
    agent.on('proxyConnect', onConnect);
    return {
        agent,
        failure(error) {
            agent.off('proxyConnect', onConnect);
            const message = error instanceof Error ? error.message : String(error);
            if (refused)
                return (0,lib_proxy/* proxyRefusal */.vd)(settings, proxy, target, refused.statusCode, refused.statusText);
            if (/\b407\b/.test(message))
                return (0,lib_proxy/* proxyRefusal */.vd)(settings, proxy, target, 407);
            const code = error.code;
            const network = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)\b/.exec(`${typeof code === 'string' ? code : ''} ${message}`);
            return network ? (0,lib_proxy/* proxyUnreachable */.$M)(settings, proxy, target, network[1]) : undefined;
        }
    };
}
async function createTokenCredential(credential, authorityHost, agent, presented, observer) {
    const [identity, pipeline] = await Promise.all([Promise.all(/* import() */[__webpack_require__.e(878), __webpack_require__.e(934), __webpack_require__.e(907)]).then(__webpack_require__.bind(__webpack_require__, 9907)), Promise.all(/* import() */[__webpack_require__.e(878), __webpack_require__.e(934)]).then(__webpack_require__.bind(__webpack_require__, 8934))]);
    const transport = { httpClient: observingHttpClient(pipeline.createDefaultHttpClient(), observer) };
    const options = {
        ...transport,
        authorityHost,
        disableInstanceDiscovery: !clouds/* WELL_KNOWN_AUTHORITIES */.tP.has(new URL(authorityHost).hostname),
        agent,
        // MSAL's requests through the pipeline @azure/identity would build (its retries, redirects, the agent), less
        // the form-data policy: it evaluates `typeof FormData` for every request, and Node's FormData global loads all of
        // undici (11-16 ms before the first Entra request); MSAL's bodies are strings, never FormData. A credential's
        // one IdentityClient takes it as its pipeline (ServiceClientOptions.pipeline).
        pipeline: withoutFormData(pipeline.createPipelineFromOptions({ agent, retryOptions: { maxRetries: 3 } }))
    };
    switch (credential.kind) {
        case 'oidc':
            return new identity.ClientAssertionCredential(credential.tenantId, credential.clientId, () => presentOnce(credential, presented), options);
        case 'service-principal':
            if ('certificate' in credential) {
                const { certificate, tenantId, clientId } = credential;
                return certificate.includes('-----BEGIN')
                    ? new identity.ClientCertificateCredential(tenantId, clientId, { certificate }, options)
                    : new identity.ClientCertificateCredential(tenantId, clientId, { certificatePath: certificate }, options);
            }
            return new identity.ClientSecretCredential(credential.tenantId, credential.clientId, credential.secret, options);
        case 'managed-identity':
            // Not given the pipeline: its two IdentityClients would share it and one adds its IMDS retry policy to it.
            return credential.clientId
                ? new identity.ManagedIdentityCredential({ ...transport, clientId: credential.clientId, agent })
                : new identity.ManagedIdentityCredential({ ...transport, agent });
    }
}
function withoutFormData(pipeline) {
    pipeline.removePolicy({ name: 'formDataPolicy' });
    return pipeline;
}
/** The transport @azure/identity sends every request through (MSAL's and the managed-identity ones too), reporting each to the observer. */
function observingHttpClient(transport, observer) {
    return {
        async sendRequest(request) {
            const started = Date.now();
            const report = (outcome) => observer({ method: request.method, url: new URL(request.url), attempt: 0, durationMs: Date.now() - started, outcome });
            try {
                const response = await transport.sendRequest(request);
                report({ status: response.status });
                return response;
            }
            catch (error) {
                report({ failure: error.code ?? error.name });
                throw error;
            }
        }
    };
}
function timed(work, debug, what) {
    return async () => {
        const started = Date.now();
        try {
            return await work();
        }
        finally {
            debug(`${what}: ${Date.now() - started} ms`);
        }
    };
}
/**
 * MSAL reports any failure to read the tenant's metadata as `endpoints_resolution_error`, hiding
 * Entra's answer (AADSTS90002 for an unknown tenant), and a connection it could not make as a bare
 * `network_error`: ask once more and keep what Entra (or the network) said.
 */
async function diagnoseMetadataFailure(error, credential, authorityHost, proxy) {
    const hidden = error instanceof Error && /endpoints_resolution_error|network_error/.test(error.message);
    if (!hidden || !('tenantId' in credential))
        return undefined;
    const url = `${authorityHost}/${encodeURIComponent(credential.tenantId)}/v2.0/.well-known/openid-configuration`;
    try {
        const response = await (0,http/* send */.tN)({ method: 'GET', url, proxy }, { ...http/* DEFAULT_RETRY */.vI, retries: 0 });
        const described = (0,http/* parseJson */.qF)(response.body)?.error_description;
        if (typeof described === 'string')
            return new Error(described);
        return response.status === 200 ? undefined : new Error(`${url} answered HTTP ${response.status}`);
    }
    catch (probeError) {
        return probeError instanceof Error ? probeError : undefined;
    }
}
/** @azure/identity asks for the assertion more than once per sign-in; the platform is asked once. */
async function presentOnce(credential, presented) {
    presented.pending ??= (presented.fetch ?? (() => credential.source.getToken(presented.audience)))();
    try {
        presented.assertion = await presented.pending;
        return presented.assertion;
    }
    catch (error) {
        delete presented.pending;
        if (error instanceof errors/* LoginError */.Q)
            presented.failure = error;
        throw error;
    }
}
function withTimeout(work) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })), ENTRA_TIMEOUT_MS);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}


/***/ })

};
;