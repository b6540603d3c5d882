// A simulated network distance: a TCP relay in front of a stand-in that delays every chunk by RTT/2 each way,
// and a new connection's first client bytes until one RTT after the connect at least (the TCP handshake: a
// connection opened ahead of its first request has paid it by then), below TLS, so that a TLS handshake, a
// connect and every request pay their real round trips, for node as for the docker daemon.
//
// Every relay of one SimulatedNetwork records what crossed it: connections, TLS handshakes, and flights. A
// connection's connect is a flight (from the connect to its first bytes, one RTT at least); a data flight is a
// client turn: bytes it sends after the relay has handed it something from the server since its previous turn,
// or its first bytes. It lasts until the relay hands the client the server's next bytes. The serial round trips
// are the longest chain of flights each starting after the one before it ended (flights in the air at once on
// parallel connections count once); a TLS 1.3 client's lone Finished counts none (nothing waits for its answer:
// it leaves with the request, or right after the handshake when the connection is opened ahead of its request).
// Counts are what the client did, not how long it took; flights side by side only overlap when the RTT gives
// them width, so parallel connections are counted apart at 0 ms only when the machine separates them.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { nowMs } from './request-log';

export interface Flight {
  connection: number;
  /** The TCP handshake: from the connect to the first bytes (one RTT at least). */
  connect: boolean;
  /** When the relay saw the turn begin (the connect: when the connection was accepted). */
  start: number;
  /** When the relay handed the client the server's answer; the connection's end when none came. */
  end: number | undefined;
  /** The turn's first bytes (up to 512), to tell a lone TLS Finished from a request. */
  bytes: Buffer;
}

export interface ConnectionRecord {
  id: number;
  /** host:port of the stand-in behind the relay. */
  target: string;
  accepted: number;
  closed: number | undefined;
  tls: boolean;
}

export interface RoundTrips {
  connections: number;
  tlsHandshakes: number;
  /** Every client turn (connects not counted), on every connection. */
  flights: number;
  /** The longest chain of flights one after the other (see the file's header). */
  serialRoundTrips: number;
  /** Connections per stand-in (host:port behind the relay). */
  byTarget: Record<string, number>;
}

const TLS_HANDSHAKE = 0x16;
const TLS_CHANGE_CIPHER_SPEC = 0x14;
const TLS_APPLICATION_DATA = 0x17;
/** An encrypted TLS 1.3 Finished: 32 or 48 bytes of verify data + 4 of header + 1 of type + 16 of tag. */
const FINISHED_RECORD_LENGTHS = new Set([53, 69]);

/** The TLS records in a turn's bytes, as [type, length]; undefined when the bytes are not whole records. */
function tlsRecords(bytes: Buffer): [number, number][] | undefined {
  const records: [number, number][] = [];
  for (let i = 0; i < bytes.length;) {
    if (i + 5 > bytes.length) return undefined;
    const type = bytes[i] as number;
    const length = bytes.readUInt16BE(i + 3);
    records.push([type, length]);
    i += 5 + length;
    if (i > bytes.length) return undefined;
  }
  return records;
}

/** A TLS 1.3 client's second turn holding only its Finished (and the compatibility ChangeCipherSpec): no request in it. */
function loneFinished(bytes: Buffer): boolean {
  const records = tlsRecords(bytes)?.filter(([type]) => type !== TLS_CHANGE_CIPHER_SPEC);
  return records?.length === 1 && records[0]?.[0] === TLS_APPLICATION_DATA && FINISHED_RECORD_LENGTHS.has(records[0][1]);
}

/** The longest chain of flights, each starting after the previous one ended, by weight. */
export function serialRoundTrips(flights: { start: number; end: number | undefined; weight: number }[]): number {
  const sorted = [...flights].map((f) => ({ ...f, end: f.end ?? Infinity })).sort((a, b) => a.end - b.end);
  const best: number[] = [];
  let longest = 0;
  sorted.forEach((flight, i) => {
    let before = 0;
    for (let j = 0; j < i; j++) if ((sorted[j] as { end: number }).end <= flight.start) before = Math.max(before, best[j] as number);
    best[i] = before + flight.weight;
    longest = Math.max(longest, best[i] as number);
  });
  return longest;
}

/** One simulated distance (rttMs) for any number of relays, and the record of what crossed them. */
export class SimulatedNetwork {
  readonly connections: ConnectionRecord[] = [];
  readonly flights: Flight[] = [];
  private readonly relays: Server[] = [];
  private readonly sockets = new Set<Socket>();

  constructor(readonly rttMs: number) {}

  /** Index for since(). */
  mark(): { connections: number; flights: number } {
    return { connections: this.connections.length, flights: this.flights.length };
  }

  /** What crossed the relays since mark (every connection since then closed or not). */
  since(mark: { connections: number; flights: number } = { connections: 0, flights: 0 }): RoundTrips {
    const connections = this.connections.slice(mark.connections);
    const ids = new Set(connections.map((c) => c.id));
    const flights = this.flights.slice(mark.flights).filter((f) => ids.has(f.connection));
    const closedAt = new Map(connections.map((c) => [c.id, c.closed]));
    const weighed = flights.map((f) => {
      const turns = flights.filter((g) => g.connection === f.connection && !g.connect);
      const tls = connections.find((c) => c.id === f.connection)?.tls ?? false;
      const weight = !f.connect && tls && turns[1] === f && loneFinished(f.bytes) ? 0 : 1;
      return { start: f.start, end: f.end ?? closedAt.get(f.connection), weight };
    });
    const byTarget: Record<string, number> = {};
    for (const c of connections) byTarget[c.target] = (byTarget[c.target] ?? 0) + 1;
    return {
      connections: connections.length,
      tlsHandshakes: connections.filter((c) => c.tls).length,
      flights: flights.filter((f) => !f.connect).length,
      serialRoundTrips: serialRoundTrips(weighed),
      byTarget
    };
  }

  /** A relay on listenHost:listenPort (0: OS-chosen) in front of target; resolves its port. */
  async relay(listenHost: string, listenPort: number, target: { host: string; port: number }): Promise<number> {
    const server = createServer((client) => this.accept(client, target));
    this.relays.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(listenPort, listenHost, () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.relays.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    const record: ConnectionRecord = {
      id: this.connections.length,
      target: `${target.host}:${target.port}`,
      accepted: nowMs(),
      closed: undefined,
      tls: false
    };
    this.connections.push(record);
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.once('close', () => this.sockets.delete(socket));
    }
    const half = this.rttMs / 2;
    const connectFlight: Flight = { connection: record.id, connect: true, start: record.accepted, end: undefined, bytes: Buffer.alloc(0) };
    this.flights.push(connectFlight);
    let flight: Flight | undefined;
    let answered = true; // the client has been handed server bytes since its last turn (or has not spoken yet)
    const toServer = delayedWriter(upstream);
    const toClient = delayedWriter(client);

    client.on('data', (chunk: Buffer) => {
      const now = nowMs();
      const first = flight === undefined;
      // The handshake takes one RTT from the connect, however late the first bytes come.
      const handshakeLeft = first ? Math.max(0, record.accepted + this.rttMs - now) : 0;
      if (first) {
        record.tls = chunk[0] === TLS_HANDSHAKE;
        connectFlight.end = now + handshakeLeft;
      }
      if (answered) {
        // The first bytes leave, as far as the server can tell, when the handshake is done.
        flight = { connection: record.id, connect: false, start: now + handshakeLeft, end: undefined, bytes: Buffer.alloc(0) };
        this.flights.push(flight);
        answered = false;
      }
      if (flight && flight.bytes.length < 512) flight.bytes = Buffer.concat([flight.bytes, chunk]).subarray(0, 512);
      toServer.write(chunk, handshakeLeft + half);
    });
    upstream.on('data', (chunk: Buffer) => {
      toClient.write(chunk, half, () => {
        if (flight && flight.end === undefined) flight.end = nowMs();
        answered = true;
      });
    });
    let ended = false;
    const finish = (): void => {
      if (ended) return;
      ended = true;
      record.closed = nowMs();
    };
    client.on('end', () => toServer.end(half));
    upstream.on('end', () => toClient.end(half));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => {
      finish();
      toServer.destroyAfter(half);
    });
    upstream.on('close', () => toClient.destroyAfter(half));
  }
}

/** Writes to socket after a delay, in order (a later write never overtakes an earlier one). */
function delayedWriter(socket: Socket): {
  write(chunk: Buffer, delayMs: number, delivered?: () => void): void;
  end(delayMs: number): void;
  destroyAfter(delayMs: number): void;
} {
  let last = 0;
  const at = (delayMs: number, work: () => void): void => {
    if (delayMs <= 0 && last <= nowMs()) {
      work();
      return;
    }
    const due = Math.max(nowMs() + delayMs, last);
    last = due;
    // Timers run on the event loop's cached clock and may fire a little early: never before due.
    const fire = (): void => {
      const left = due - nowMs();
      if (left > 0) setTimeout(fire, Math.ceil(left));
      else work();
    };
    setTimeout(fire, Math.ceil(due - nowMs()));
  };
  return {
    write(chunk, delayMs, delivered) {
      at(delayMs, () => {
        if (socket.destroyed) return;
        socket.write(chunk);
        delivered?.();
      });
    },
    end(delayMs) {
      at(delayMs, () => socket.end());
    },
    destroyAfter(delayMs) {
      at(delayMs, () => socket.destroy());
    }
  };
}
