// The proxy agent libraries, in one lazily loaded chunk: only a run with a proxy configured loads them.
export { HttpsProxyAgent } from 'https-proxy-agent';
export { HttpProxyAgent } from 'http-proxy-agent';
