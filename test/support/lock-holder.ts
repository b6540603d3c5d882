// A real writer of the product's locked files, in its own process, that the tests can kill -9 while
// it holds a lock: src/lib's lock code transpiled as it is (no copy), run by a small holder script.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
let compiled: string | undefined;

/** src/lib/{errors,or-nothing,private-dir,replace-file,locked-file}.ts as CommonJS in a temp dir (once per test file). */
function compiledLib(): string {
  if (compiled) return compiled;
  const dir = mkdtempSync(join(tmpdir(), 'lock-holder-'));
  for (const name of ['errors', 'or-nothing', 'private-dir', 'replace-file', 'locked-file']) {
    const source = readFileSync(join(ROOT, 'src', 'lib', `${name}.ts`), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true }
    });
    writeFileSync(join(dir, `${name}.js`), outputText);
  }
  writeFileSync(
    join(dir, 'hold.js'),
    `const { withFileLock, temporaryPath } = require('./locked-file.js');
const { writeFileSync } = require('node:fs');
const [path, halfWritten] = process.argv.slice(2);
setInterval(() => undefined, 1000);
withFileLock(path, 'held file', async () => {
  // Killed between writing its temporary file and renaming it: the worst moment.
  if (halfWritten) writeFileSync(temporaryPath(path), halfWritten, { mode: 0o600 });
  process.stdout.write('locked\\n');
  // SIGUSR2: let go, as a holder that finished its work.
  await new Promise((resolve) => process.once('SIGUSR2', resolve));
}).then(() => process.exit(0));
`
  );
  writeFileSync(
    join(dir, 'edit.js'),
    `const { editJsonFile } = require('./locked-file.js');
const [path, key] = process.argv.slice(2);
process.stdout.write('started\\n');
editJsonFile(path, 'shared file', (current) => ({ ...current, [key]: true })).then(
  () => process.stdout.write('written\\n'),
  (error) => {
    process.stderr.write(String(error && error.message) + '\\n');
    process.exitCode = 1;
  }
);
`
  );
  compiled = dir;
  return dir;
}

export interface LockHolder {
  child: ChildProcess;
  pid: number;
  /** kill -9, and wait until it is gone. */
  kill(): Promise<void>;
  /** Lets go of the lock as a holder that finished (its lock file goes), and waits until it exited. */
  release(): Promise<void>;
}

/** Starts a process that takes the lock of `path` and holds it (after leaving `halfWritten`, if given, in a temporary file). */
export async function holdLock(path: string, halfWritten?: string): Promise<LockHolder> {
  const child = spawn(process.execPath, [join(compiledLib(), 'hold.js'), path, ...(halfWritten ? [halfWritten] : [])], {
    stdio: ['ignore', 'pipe', 'pipe']
  });
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the lock holder exited with ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error('the lock holder did not take the lock within 10 s')), 10000).unref();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    pid: child.pid as number,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    release: async () => {
      child.kill('SIGUSR2');
      await exited;
    }
  };
}

export interface LockedWriter {
  /** Resolves once the writer's process runs (its output says `started`). */
  started: Promise<void>;
  /** Whether it has written (said `written`) yet. */
  written(): boolean;
  /** Its exit: code, and what it printed. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/**
 * Another writer of `path` (editJsonFile setting `key`), started through `prefix`: e.g.
 * `unshare --pid --fork --mount-proc`, a process in a PID namespace of its own, as in another container.
 */
export function startLockedWriter(path: string, key: string, prefix: string[] = []): LockedWriter {
  const command = [...prefix, process.execPath, join(compiledLib(), 'edit.js'), path, key];
  const child = spawn(command[0] as string, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('started')) markStarted();
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => {
      markStarted();
      resolve({ code, stdout, stderr });
    })
  );
  return { started, written: () => stdout.includes('written'), done };
}
