// The one runner of child processes (docker, docker-credential-*): the bounds on what is kept, the deadline, and a
// child that does not read its input.
import { runChild, type ChildOptions } from '../../src/lib/child-process';

const node = process.execPath;
const options = (overrides: Partial<ChildOptions>): ChildOptions => ({
  env: { PATH: process.env['PATH'] ?? '' },
  input: '',
  deadlineMs: 20000,
  read: 'stdout',
  bound: { limit: 1024 },
  ...overrides
});

it('reads the stream asked for, with the input on stdin', async () => {
  const echo = "process.stdin.on('data', (d) => { process.stdout.write('out:' + d); process.stderr.write('err:' + d); })";
  await expect(runChild(node, ['-e', echo], options({ input: 'hello' }))).resolves.toEqual({ exitCode: 0, output: 'out:hello' });
  await expect(runChild(node, ['-e', echo], options({ input: 'hello', read: 'stderr' }))).resolves.toEqual({
    exitCode: 0,
    output: 'err:hello'
  });
});

it('stops a child whose answer runs over the limit, and keeps none of it', async () => {
  const endless = 'const b = Buffer.alloc(65536, 120); (function w() { process.stdout.write(b, w); })()';
  const run = await runChild(node, ['-e', endless], options({ bound: { limit: 64 * 1024 } }));
  expect(run).toMatchObject({ overLimit: true, output: '' });
  expect(run.exitCode).not.toBe(0);
});

it('keeps the first and the last bytes of a long stream', async () => {
  const long = "process.stderr.write('START' + 'x'.repeat(100000) + 'END')";
  const run = await runChild(node, ['-e', long], options({ read: 'stderr', bound: { headAndTail: 16 } }));
  expect(run.exitCode).toBe(0);
  expect(run.output).toMatch(/^STARTx{11}\n\[\d+ bytes left out\]\nx{13}END$/);
});

it('kills a child that outlives its deadline, and reports it', async () => {
  const run = await runChild(node, ['-e', 'setInterval(() => {}, 1000)'], options({ deadlineMs: 500 }));
  expect(run).toMatchObject({ killedAfterMs: 500, exitCode: 128 });
});

it('goes on when the child exits without reading a large input', async () => {
  await expect(runChild(node, ['-e', 'process.exit(3)'], options({ input: 'x'.repeat(1 << 20) }))).resolves.toEqual({
    exitCode: 3,
    output: ''
  });
});

it('rejects when the program cannot be started', async () => {
  await expect(runChild('/nonexistent/program', [], options({}))).rejects.toThrow(/ENOENT/);
});
