// The proxy agent libraries, in one lazily loaded chunk: only a run with a proxy configured loads them. By path: the
// bare names resolve to src/core/entra/deferred/proxy-agents.ts (tsconfig.json "paths").
export { HttpsProxyAgent } from 'https-proxy-agent/dist/index.js';
export { HttpProxyAgent } from 'http-proxy-agent/dist/index.js';
