import { Readable } from 'node:stream';
import { LoginError } from '../../src/lib/errors';
import { MAX_STDIN_BYTES, readStdin } from '../../src/lib/stdin';

/** `total` bytes produced as they are read, never held at once. */
function lazyInput(total: number): Readable & { produced: () => number } {
  let produced = 0;
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const stream = new Readable({
    read() {
      if (produced >= total) return void this.push(null);
      produced += chunk.length;
      this.push(chunk);
    }
  });
  return Object.assign(stream, { produced: () => produced });
}

it('100 MB of standard input fails with one line, having read little more than the cap', async () => {
  const input = lazyInput(100 * 1024 * 1024);
  const error = await readStdin(input).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(LoginError);
  expect((error as Error).message).toBe('standard input is larger than 1 MiB; it should hold one secret or one request');
  expect(input.produced()).toBeLessThan(MAX_STDIN_BYTES + 1024 * 1024);
});

it('input up to the cap is read whole and trimmed', async () => {
  await expect(readStdin(Readable.from([Buffer.from('  secret\n')]))).resolves.toBe('secret');
  const full = await readStdin(lazyInput(MAX_STDIN_BYTES));
  expect(full).toHaveLength(MAX_STDIN_BYTES);
});
