// The simulated network the benchmark (and the round-trip suite) put in front of the stand-ins: a client whose
// connections and flights are known is measured as such, at 0 ms and at 20 ms of round trip. Counts only: the one
// time check is a lower bound (a busy machine makes a request slower, never faster than its round trips).
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest, Agent as HttpAgent, type Server } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { behindNetwork, listen } from '../../test/support/http-util';
import { serialRoundTrips, SimulatedNetwork } from '../../test/support/network-relay';
import { createPki, type Pki } from '../../test/support/pki';
import { nowMs } from '../../test/support/request-log';

let pki: Pki;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'network-relay-test-'));
  pki = await createPki(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Resolves the answer's body. */
function get(url: string, agent: HttpAgent): Promise<string> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, ca: pki.caCertPem }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** An http(s) server behind the network whose answers wait until `barrier` requests are in (1: answer at once). */
async function standIn(network: SimulatedNetwork, tls: boolean, barrier = 1): Promise<{ url: string; server: Server }> {
  let waiting: (() => void)[] = [];
  const handler = (_req: unknown, res: import('node:http').ServerResponse): void => {
    waiting.push(() => res.end('ok'));
    if (waiting.length >= barrier) {
      const release = waiting;
      waiting = [];
      release.forEach((answer) => answer());
    }
  };
  const server = tls ? createHttpsServer({ key: pki.serverKeyPem, cert: pki.serverCertPem }, handler) : createHttpServer(handler);
  const port = await behindNetwork(network, () => listen(server, '127.0.0.1'));
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/`, server };
}

describe.each([0, 20])('a simulated network of %i ms round trip', (rttMs) => {
  let network: SimulatedNetwork;
  const servers: Server[] = [];
  beforeEach(() => {
    network = new SimulatedNetwork(rttMs);
  });
  afterEach(async () => {
    const closing = servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve)));
    await network.close();
    await Promise.all(closing);
  });

  it('two https requests on one kept-alive connection: 1 connection, 1 TLS handshake, 4 serial round trips', async () => {
    const { url, server } = await standIn(network, true);
    servers.push(server);
    const agent = new HttpsAgent({ keepAlive: true });
    const started = nowMs();
    expect(await get(url, agent)).toBe('ok');
    expect(await get(url, agent)).toBe('ok');
    const elapsed = nowMs() - started;
    agent.destroy();
    // connect, ClientHello, Finished + the first request, the second request
    expect(network.since()).toMatchObject({ connections: 1, tlsHandshakes: 1, serialRoundTrips: 4 });
    // A lower bound only, with room for timers that fire a little early: the counts above are the test's measure.
    expect(elapsed).toBeGreaterThanOrEqual(4 * rttMs * 0.75);
  });

  it('three plain requests without keep-alive: 3 connections, no TLS, 6 serial round trips', async () => {
    const { url, server } = await standIn(network, false);
    servers.push(server);
    const agent = new HttpAgent({ keepAlive: false });
    for (let i = 0; i < 3; i++) expect(await get(url, agent)).toBe('ok');
    expect(network.since()).toMatchObject({ connections: 3, tlsHandshakes: 0, flights: 3, serialRoundTrips: 6 });
  });

  it('a connection opened ahead of its request: the handshake and the request, 3 round trips, 1 of them after the request is written', async () => {
    const { url, server } = await standIn(network, true);
    servers.push(server);
    const { port } = new URL(url);
    const socket = tlsConnect({ host: '127.0.0.1', port: Number(port), ca: pki.caCertPem, servername: 'localhost' });
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    await new Promise((resolve) => setTimeout(resolve, rttMs + 50)); // the session tickets arrive meanwhile
    const answered = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (c: Buffer) => {
        text += c.toString('utf8');
        if (text.includes('\r\n\r\nok')) resolve(text);
      });
    });
    const sent = nowMs();
    socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(await answered).toMatch(/^HTTP\/1\.1 200/);
    const elapsed = nowMs() - sent;
    socket.destroy();
    expect(network.since()).toMatchObject({ connections: 1, tlsHandshakes: 1, serialRoundTrips: 3 });
    expect(elapsed).toBeGreaterThanOrEqual(rttMs * 0.75);
  });
});

it('at 20 ms, three requests at once on three connections, twice: 6 connections, 4 serial round trips', async () => {
  const network = new SimulatedNetwork(20);
  // The stand-in answers the three when all three are in: their flights overlap whatever the machine's load.
  const { url, server } = await standIn(network, false, 3);
  const agent = new HttpAgent({ keepAlive: false });
  const mark = network.mark();
  expect(await Promise.all([get(url, agent), get(url, agent), get(url, agent)])).toEqual(['ok', 'ok', 'ok']);
  expect(network.since(mark)).toMatchObject({ connections: 3, flights: 3, serialRoundTrips: 2 });
  const third = get(url, agent);
  await Promise.all([get(url, agent), get(url, agent), third]);
  expect(network.since(mark)).toMatchObject({ connections: 6, tlsHandshakes: 0, flights: 6, serialRoundTrips: 4 });
  await network.close();
  await new Promise((resolve) => server.close(resolve));
});

it('serialRoundTrips: the longest chain of flights, overlapping flights counted once', () => {
  const f = (start: number, end: number, weight = 1): { start: number; end: number; weight: number } => ({ start, end, weight });
  expect(serialRoundTrips([])).toBe(0);
  expect(serialRoundTrips([f(0, 10, 2), f(11, 20), f(21, 30)])).toBe(4);
  expect(serialRoundTrips([f(0, 10, 2), f(1, 11, 2), f(12, 20), f(13, 21)])).toBe(3);
  expect(serialRoundTrips([f(0, 100, 2), f(1, 10, 2), f(11, 20), f(21, 30), f(31, 40)])).toBe(5);
});
