// A server whose every answer is `bytes` long, produced chunk by chunk as the client reads it: a 600 MB
// answer costs the test nothing, and shows whether the client holds what it reads.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HugeAnswer {
  url: string;
  /** Bytes written so far, over every request. */
  sent(): number;
  close(): Promise<void>;
}

export async function serveHugeAnswer(bytes: number, options: { declareLength?: boolean } = {}): Promise<HugeAnswer> {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let sent = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'application/json', ...(options.declareLength ? { 'Content-Length': bytes } : {}) });
    let written = 0;
    const pump = (): void => {
      while (written < bytes && !res.destroyed) {
        const piece = written + chunk.length <= bytes ? chunk : chunk.subarray(0, bytes - written);
        written += piece.length;
        sent += piece.length;
        if (!res.write(piece)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!res.destroyed) res.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent: () => sent,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  };
}
