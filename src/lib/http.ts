import { request as httpRequest, IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { LoginError } from './errors';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

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
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 8000, timeoutMs: 10000 };

const RETRIED_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN', 'ETIMEDOUT']);

/** One HTTP exchange with retries on 429, 5xx and dropped connections, honouring Retry-After. */
export async function send(req: HttpRequest, policy: RetryPolicy = DEFAULT_RETRY): Promise<HttpResponse> {
  const host = new URL(req.url).host;
  for (let attempt = 0; ; attempt++) {
    const last = attempt >= policy.retries;
    let response: HttpResponse;
    try {
      response = await sendOnce(req, policy.timeoutMs);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (error instanceof LoginError || last || !RETRIED_NETWORK_CODES.has(code)) {
        throw error instanceof LoginError ? error : new LoginError(`cannot reach ${host}: ${code || (error as Error).message}`);
      }
      await sleep(backoff(policy, attempt));
      continue;
    }
    if (last || !(response.status === 429 || response.status >= 500)) return response;
    await sleep(retryAfterMs(response.headers['retry-after']) ?? backoff(policy, attempt));
  }
}

function sendOnce(req: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
  const url = new URL(req.url);
  const requester = url.protocol === 'http:' ? httpRequest : httpsRequest;
  const headers: Record<string, string> = { 'User-Agent': 'acr-login', ...req.headers };
  if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
  return new Promise((resolve, reject) => {
    const clientRequest = requester(url, { method: req.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => {
      clientRequest.destroy(new LoginError(`${url.host} did not answer within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    clientRequest.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    clientRequest.end(req.body);
  });
}

function backoff(policy: RetryPolicy, attempt: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return exponential / 2 + Math.random() * (exponential / 2);
}

function retryAfterMs(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 60000) : undefined;
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
