import { request as httpRequest, IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { directAgent } from './connections';
import { LoginError } from './errors';
import { ProxyConnectAnswer, proxyAgent, proxyRefusal, ProxySettings, proxyUnreachable } from './proxy';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Every request says how it leaves the process: the adapter's proxy settings, or DIRECT. */
  proxy: ProxySettings;
  /** Told about every attempt, e.g. for debug lines; it sees no header and no body. */
  observer?: HttpObserver;
}

/** One attempt of a request as an observer sees it: where it went, how it ended, how long it took. */
export interface HttpAttempt {
  method: string;
  url: URL;
  /** 0 for the first attempt. */
  attempt: number;
  durationMs: number;
  /** The answer's status, or why there was none. */
  outcome: { status: number } | { failure: string };
}

export type HttpObserver = (attempt: HttpAttempt) => void;

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RetryPolicy {
  /** Attempts after the first one. */
  retries: number;
  /** First backoff; doubles each time, capped by maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per attempt: no answer within this time fails the call (not retried: a silent host stays silent). */
  timeoutMs: number;
  /** The whole call, attempts and waits together: nothing (not even a Retry-After) keeps it past this. */
  deadlineMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 8000, timeoutMs: 10000, deadlineMs: 30000 };

/** A token answer is a few KiB: anything past this is not one, and is not held in memory. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

const RETRIED_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN', 'ETIMEDOUT']);

/** One HTTP exchange with retries on 429, 5xx and dropped connections, honouring Retry-After within one overall deadline. */
export async function send(req: HttpRequest, policy: RetryPolicy = DEFAULT_RETRY): Promise<HttpResponse> {
  const host = new URL(req.url).host;
  const started = Date.now();
  const deadline = started + policy.deadlineMs;
  const spent = (attempts: number): string =>
    `after ${attempts} attempt${attempts === 1 ? '' : 's'} in ${seconds(Date.now() - started)} s; each host gets ${seconds(policy.deadlineMs)} s`;
  for (let attempt = 0; ; attempt++) {
    const last = attempt >= policy.retries;
    const left = deadline - Date.now();
    let response: HttpResponse;
    const attemptStarted = Date.now();
    const observe = (outcome: HttpAttempt['outcome']): void =>
      req.observer?.({ method: req.method, url: new URL(req.url), attempt, durationMs: Date.now() - attemptStarted, outcome });
    try {
      response = await sendOnce(req, Math.min(policy.timeoutMs, left));
      observe({ status: response.status });
    } catch (error) {
      observe({
        failure: error instanceof LoginError ? error.message : ((error as NodeJS.ErrnoException).code ?? (error as Error).message)
      });
      if (error instanceof LoginError) throw error;
      const code = (error as NodeJS.ErrnoException).code ?? '';
      const delay = backoff(policy, attempt);
      if (last || !RETRIED_NETWORK_CODES.has(code) || Date.now() + delay >= deadline) {
        throw unreachable(req, host, `${networkProblem(error, host)}${attempt > 0 ? ` (${spent(attempt + 1)})` : ''}`);
      }
      await sleep(delay);
      continue;
    }
    if (last || !(response.status === 429 || response.status >= 500)) return response;
    const asked = retryAfterMs(response.headers['retry-after']);
    const delay = asked ?? backoff(policy, attempt);
    if (Date.now() + delay >= deadline) {
      const why = asked !== undefined ? `asked to retry after ${seconds(asked)} s` : `still answered HTTP ${response.status}`;
      throw new LoginError(`${host} answered HTTP ${response.status} and ${why}: gave up ${spent(attempt + 1)}`);
    }
    await sleep(delay);
  }
}

/** The failure for a host that could not be reached: the proxy when one was in the way, else the host itself. */
function unreachable(req: HttpRequest, host: string, why: string): LoginError {
  const url = new URL(req.url);
  const proxy = req.proxy.proxyFor(url);
  return proxy ? proxyUnreachable(req.proxy, proxy, url, why) : new LoginError(`cannot reach ${host}: ${why}`);
}

async function sendOnce(req: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
  const url = new URL(req.url);
  const requester = url.protocol === 'http:' ? httpRequest : httpsRequest;
  const headers: Record<string, string> = { 'User-Agent': 'acr-login', ...req.headers };
  if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
  const proxy = req.proxy.proxyFor(url);
  const agent = proxy ? await proxyAgent(proxy, url) : directAgent(url);
  return new Promise((resolve, reject) => {
    // A proxy refusing a CONNECT (or, forwarding plain http, asking for credentials) fails the request as the proxy's answer.
    let refused: ProxyConnectAnswer | undefined;
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
      clientRequest.destroy();
    };
    const tooLarge = (): LoginError =>
      new LoginError(`${url.host} sent an answer larger than ${MAX_BODY_BYTES / 1048576} MiB; a token answer is a few KiB`);
    const clientRequest = requester(url, { method: req.method, headers, agent }, (res) => {
      if (proxy && (refused || res.statusCode === 407)) {
        res.resume();
        return fail(proxyRefusal(req.proxy, proxy, url, refused?.statusCode ?? 407, refused?.statusText ?? res.statusMessage));
      }
      if (Number(res.headers['content-length']) > MAX_BODY_BYTES) return fail(tooLarge());
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) fail(tooLarge());
        else chunks.push(chunk);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', fail);
    });
    const timer = setTimeout(() => fail(new LoginError(`${url.host} did not answer within ${seconds(timeoutMs)} s`)), timeoutMs);
    clientRequest.on('proxyConnect', (answer: ProxyConnectAnswer) => {
      if (answer.statusCode !== 200) refused = answer;
    });
    clientRequest.on('error', fail);
    clientRequest.end(req.body);
  });
}

/** The TLS verification failures and what to check for each; a TLS-inspecting proxy is the usual cause of an unknown CA. */
const TLS_HINTS: Array<{ codes: string[]; hint: (host: string) => string }> = [
  {
    codes: [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'UNABLE_TO_GET_ISSUER_CERT',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'
    ],
    hint: (host) =>
      `the certificate of ${host} is not signed by a trusted authority; behind a TLS-inspecting proxy, set NODE_EXTRA_CA_CERTS to the file holding its CA certificate (PEM)`
  },
  {
    codes: ['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'],
    hint: (host) => `the certificate of ${host} is outside its validity period; check this machine's clock and the certificate`
  },
  {
    codes: ['ERR_TLS_CERT_ALTNAME_INVALID'],
    hint: (host) =>
      `the certificate presented for ${host} is for another name; check the host name and whatever redirects it (DNS, a proxy)`
  }
];

function networkProblem(error: unknown, host: string): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const tls = TLS_HINTS.find((entry) => entry.codes.includes(code));
  if (tls) return `${code}: ${tls.hint(host.replace(/:\d+$/, ''))}`;
  return code || (error as Error).message;
}

function backoff(policy: RetryPolicy, attempt: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return exponential / 2 + Math.random() * (exponential / 2);
}

function retryAfterMs(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.max(ms, 0) : undefined;
}

function seconds(ms: number): string {
  const value = ms / 1000;
  return value >= 10 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(1);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A form body encoded as application/x-www-form-urlencoded. */
export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
