import { LoginError } from './errors';

/** A secret or a credential helper's request is a few KiB at most: more is refused, and never held in memory. */
export const MAX_STDIN_BYTES = 1024 * 1024;

/** All of standard input (a secret piped in, or a credential helper's request), trimmed; more than MAX_STDIN_BYTES fails. */
export function readStdin(stream: NodeJS.ReadableStream = process.stdin, limit = MAX_STDIN_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer | string): void => {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      size += buffer.length;
      if (size <= limit) {
        chunks.push(buffer);
        return;
      }
      stream.removeListener('data', onData);
      chunks.length = 0;
      stream.pause();
      // Stop reading: whatever is still being written is discarded, not buffered.
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      reject(new LoginError(`standard input is larger than ${limit / 1048576} MiB; it should hold one secret or one request`));
    };
    stream.on('data', onData);
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8').trim()));
    stream.on('error', reject);
  });
}
