// The keep-alive agents every direct request of the process shares (ours and @azure/identity's), and opening a
// connection (TCP, and TLS for https) ahead of its first request: the process connects to every host of the login
// while it is still loading the code that will ask them, and the first request to a host takes that connection.
import type { Duplex } from 'node:stream';
import { Agent as HttpAgent, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent, type RequestOptions } from 'node:https';
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ProxySettings } from './proxy';

type Callback = (err: Error | null, stream: Duplex) => void;

/** The opened connections waiting for their first request, by host:port. */
class Opened {
  private readonly sockets = new Map<string, Socket>();

  open(key: string, connect: () => Socket): void {
    if (this.sockets.has(key)) return;
    const socket = connect();
    // Not a reason to keep the process alive, and a failure is the first request's to meet (it connects again).
    socket.unref();
    socket.on('error', () => this.sockets.delete(key));
    socket.once('close', () => this.sockets.delete(key));
    this.sockets.set(key, socket);
  }

  take(key: string): Socket | undefined {
    const socket = this.sockets.get(key);
    this.sockets.delete(key);
    if (!socket || socket.destroyed) return undefined;
    socket.ref();
    return socket;
  }
}

const keyOf = (options: { host?: string | null; hostname?: string | null; port?: number | string | null }, defaultPort: number): string =>
  `${options.hostname ?? options.host ?? 'localhost'}:${options.port ?? defaultPort}`;

class OpeningHttpAgent extends HttpAgent {
  readonly opened = new Opened();

  override createConnection(options: ClientRequestArgs, callback?: Callback): Duplex | null | undefined {
    return this.opened.take(keyOf(options, 80)) ?? super.createConnection(options, callback);
  }
}

class OpeningHttpsAgent extends HttpsAgent {
  readonly opened = new Opened();

  override createConnection(options: RequestOptions, callback?: Callback): Duplex | null | undefined {
    return this.opened.take(keyOf(options, 443)) ?? super.createConnection(options, callback);
  }
}

const http = new OpeningHttpAgent({ keepAlive: true });
const https = new OpeningHttpsAgent({ keepAlive: true });

/** The shared keep-alive agent for a direct (not proxied) request to url. */
export function directAgent(url: URL): HttpAgent {
  return url.protocol === 'http:' ? http : https;
}

/**
 * Lets the event loop take what has arrived: a DNS answer, a finished connect, the server's part of a TLS handshake.
 * Loading and evaluating @azure/identity is synchronous work of tens of milliseconds during which none of that can
 * happen, so a connection opened ahead would only start (its DNS answer taken, its TLS ClientHello sent) once the
 * loading is over. The loading steps call this between them instead; when nothing has arrived it costs microseconds.
 */
export function letConnectionsProgress(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Opens a connection to url's host ahead of the first request there (none through a proxy); never fails. */
export function openAhead(url: URL, proxy: ProxySettings): void {
  if (proxy.proxyFor(url)) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const tls = url.protocol === 'https:';
  const port = Number(url.port || (tls ? 443 : 80));
  const key = `${host}:${port}`;
  try {
    if (tls) https.opened.open(key, () => tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }) }));
    else http.opened.open(key, () => tcpConnect({ host, port }));
  } catch {
    // an address the request itself will fail on, with its own message
  }
}
