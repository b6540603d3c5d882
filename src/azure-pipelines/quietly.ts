import { Writable } from 'node:stream';
import * as tl from 'azure-pipelines-task-lib/task';

/** Runs `read` with the task library's output switched off: it echoes every value it reads as a debug line, secrets included. */
export function quietly<T>(read: () => T): T {
  tl.setStdStream(new Writable({ write: (_chunk, _encoding, done) => done() }));
  try {
    return read();
  } finally {
    tl.setStdStream(process.stdout);
  }
}
