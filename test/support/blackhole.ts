// A TCP listener that accepts connections and never answers (a host that hangs), and a closed-port helper.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export class Blackhole {
  readonly sockets = new Set<Socket>();
  /** Connections accepted so far. */
  accepted = 0;
  /** The OS-chosen port. */
  port = 0;

  private constructor(
    private readonly server: Server,
    readonly host: string
  ) {}

  static async start(host = '127.0.0.1'): Promise<Blackhole> {
    const server = createServer();
    const hole = new Blackhole(server, host);
    server.on('connection', (socket) => {
      hole.accepted += 1;
      hole.sockets.add(socket);
      socket.on('data', () => undefined); // read and discard, never write
      socket.on('error', () => undefined);
      socket.on('close', () => hole.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    hole.port = (server.address() as AddressInfo).port;
    return hole;
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** http://host:port: a URL whose server accepts the connection and then says nothing. */
  get url(): string {
    return `http://${this.address}`;
  }

  /** https://host:port: the TLS handshake never completes. */
  get httpsUrl(): string {
    return `https://${this.address}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A loopback port nothing listens on (bound then released; connections get ECONNREFUSED). */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
