// What `https-proxy-agent` and `http-proxy-agent` resolve to in this project (tsconfig.json "paths"), for the one
// library that imports them at start-up: @azure/core-rest-pipeline's HTTP runtime, whose proxy policy builds an agent
// only for a request that carries none of its own. Every request of this product carries one (src/lib/connections.ts,
// or the proxy agent of src/lib/proxy.ts, which imports the real modules by path), so the policy never builds one;
// evaluating them (agent-base, debug, supports-color, tty) cost every Entra login about 3 ms (docs/performance.md).
// Here the real class is loaded the first time one is constructed.
import type * as HttpsProxyAgentModule from 'https-proxy-agent/dist/index.js';
import type * as HttpProxyAgentModule from 'http-proxy-agent/dist/index.js';

type Constructor<T> = new (...args: never[]) => T;

/** A constructor that loads `load()`'s class on first use and returns an instance of it. */
function onFirstUse<T>(load: () => Constructor<T>): Constructor<T> {
  return function construct(...args: never[]): T {
    return new (load())(...args);
  } as unknown as Constructor<T>;
}

/* eslint-disable @typescript-eslint/no-require-imports -- synchronous, as a constructor must be */
export const HttpsProxyAgent = onFirstUse(
  () => (require('https-proxy-agent/dist/index.js') as typeof HttpsProxyAgentModule).HttpsProxyAgent
);
export const HttpProxyAgent = onFirstUse(() => (require('http-proxy-agent/dist/index.js') as typeof HttpProxyAgentModule).HttpProxyAgent);
