// Small HTTP helpers shared by the stand-ins.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { SimulatedNetwork } from './network-relay';

/** node:http and node:https servers alike. */
export type HttpServer = NetServer & { closeAllConnections(): void };

export class BodyTooLargeError extends Error {}

export function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLargeError(`body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** The form fields of an application/x-www-form-urlencoded body; undefined when the content type is something else. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const body = await readBody(req);
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  return new URLSearchParams(body.toString('utf8'));
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | number | string[]> = {}
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function queryOf(req: IncomingMessage): URLSearchParams {
  const url = req.url ?? '/';
  const i = url.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : url.slice(i + 1));
}

let simulated: SimulatedNetwork | undefined;

/**
 * Runs start with every stand-in that listens meanwhile placed behind a relay of network (its server on a port of
 * its own, the relay on the address and port the stand-in asked for, so that every URL it gives names the relay).
 */
export async function behindNetwork<T>(network: SimulatedNetwork | undefined, start: () => Promise<T>): Promise<T> {
  if (!network) return start();
  if (simulated) throw new Error('behindNetwork: one simulated network at a time');
  simulated = network;
  try {
    return await start();
  } finally {
    simulated = undefined;
  }
}

/** Listen on host:port (port 0: OS-chosen); resolves the port (the relay's, behind a simulated network). */
export async function listen(server: NetServer, host: string, port = 0): Promise<number> {
  const network = simulated;
  if (!network) return listenDirect(server, host, port);
  const own = await listenDirect(server, host, 0);
  return network.relay(host, port, { host, port: own });
}

function listenDirect(server: NetServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stop accepting, drop keep-alive and in-flight connections, resolve when closed. */
export function closeServer(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Run an async handler; an unexpected exception becomes a 500 instead of an unhandled rejection. */
export function safe(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handler(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        const status = err instanceof BodyTooLargeError ? 413 : 500;
        sendText(res, status, status === 413 ? 'Request Entity Too Large' : `stand-in error: ${String(err)}`);
      } else {
        res.destroy();
      }
    });
  };
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

export function basicCredentials(req: IncomingMessage): { username: string; password: string } | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(h);
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

export function isGuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

/** Constant-time string comparison. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** An https stand-in on `host` with the test server certificate: its requests go through `listener`; resolves to the server and its port. */
export async function serveHttps(
  tls: ServerTls,
  host: string,
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  port = 0
): Promise<{ server: HttpsServer; port: number }> {
  const server = createHttpsServer({ key: tls.serverKeyPem, cert: tls.serverCertPem }, listener);
  return { server, port: await listen(server, host, port) };
}

export interface ServerTls {
  serverKeyPem: string;
  serverCertPem: string;
}

/**
 * Where a stand-in is reached by a real-looking name (`login.chinacloudapi.cn`): it listens on `host:port`
 * (a loopback address of its own, port 443 or 80 as the real service) with a certificate for the name,
 * and the product finds it through a hosts file (the resolver hook, or the proxy's).
 */
export interface NamedEndpoint {
  name: string;
  port: number;
  /** A certificate for `name` (https stand-ins). */
  tls?: ServerTls;
}

/** `scheme://name[:port]`, the default port left out as a URL writes it. */
export function namedUrl(scheme: 'https' | 'http', named: NamedEndpoint): string {
  const defaultPort = scheme === 'https' ? 443 : 80;
  return `${scheme}://${named.name}${named.port === defaultPort ? '' : `:${named.port}`}`;
}
