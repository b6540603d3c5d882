// send(): bounded in size and in time, whatever the server does.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { MAX_BODY_BYTES, send } from '../../src/lib/http';
import { LoginError } from '../../src/lib/errors';
import { DIRECT } from '../../src/lib/proxy';
import { serveHugeAnswer } from '../../test/support/huge-answer';

let server: Server;
let base: string;
let handler: (req: IncomingMessage, res: ServerResponse) => void;
let requests = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests = 0;
});

describe('response bodies are capped', () => {
  it.each([
    ['streamed without a length', false],
    ['announced by Content-Length', true]
  ])('a 600 MB answer %s fails with one line after at most a few MiB', async (_name, declareLength) => {
    const huge = await serveHugeAnswer(600 * 1024 * 1024, { declareLength });
    try {
      const before = process.memoryUsage().rss;
      const error = await send({ proxy: DIRECT, method: 'GET', url: `${huge.url}/oauth2/token` }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LoginError);
      expect((error as Error).message).toBe(`${new URL(huge.url).host} sent an answer larger than 4 MiB; a token answer is a few KiB`);
      expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
      expect(huge.sent()).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await huge.close();
    }
  });

  it('an answer of exactly the cap is read whole', async () => {
    handler = (req, res) => {
      req.resume();
      res.end(Buffer.alloc(MAX_BODY_BYTES, 'b'));
    };
    const response = await send({ proxy: DIRECT, method: 'GET', url: `${base}/x` });
    expect(response.body).toHaveLength(MAX_BODY_BYTES);
  });
});

describe('one deadline per host', () => {
  it('Retry-After beyond the deadline fails at once, saying what was asked and how long was waited', async () => {
    handler = (req, res) => {
      req.resume();
      res.writeHead(503, { 'Retry-After': '60' }).end('{}');
    };
    const started = Date.now();
    const error = await send({ proxy: DIRECT, method: 'POST', url: `${base}/oauth2/exchange`, body: 'x' }).catch(
      (caught: unknown) => caught
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect((error as Error).message).toMatch(
      /^127\.0\.0\.1:\d+ answered HTTP 503 and asked to retry after 60 s: gave up after 1 attempt in \d+(\.\d)? s; each host gets 30 s$/
    );
    expect(requests).toBe(1);
  });

  it('a Retry-After within the deadline is honoured', async () => {
    let calls = 0;
    handler = (req, res) => {
      req.resume();
      if (++calls === 1) res.writeHead(429, { 'Retry-After': '1' }).end('{}');
      else res.end('{"ok":true}');
    };
    const started = Date.now();
    const response = await send({ proxy: DIRECT, method: 'GET', url: `${base}/x` });
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('waits and attempts together never pass the deadline', async () => {
    handler = (req) => req.resume(); // never answers
    const started = Date.now();
    const error = await send(
      { proxy: DIRECT, method: 'GET', url: `${base}/x` },
      { retries: 3, baseDelayMs: 100, maxDelayMs: 100, timeoutMs: 10000, deadlineMs: 1500 }
    ).catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(2500);
    expect((error as Error).message).toMatch(/did not answer within 1\.5 s$/);
  });
});
