// A real writer of the product's locked files, in its own process, that the tests can kill -9 while
// it holds a lock: src/lib's lock code transpiled as it is (no copy), run by a small holder script.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
let compiled: string | undefined;

/** src/lib/{errors,private-dir,replace-file,locked-file}.ts as CommonJS in a temp dir (once per test file). */
function compiledLib(): string {
  if (compiled) return compiled;
  const dir = mkdtempSync(join(tmpdir(), 'lock-holder-'));
  for (const name of ['errors', 'private-dir', 'replace-file', 'locked-file']) {
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
  await new Promise(() => undefined);
});
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
      child.kill('SIGKILL');
      await exited;
    }
  };
}
