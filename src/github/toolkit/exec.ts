// What `@actions/exec` resolves to in this project (tsconfig.json "paths"): @actions/core loads it at start-up
// for its `platform` details, which this action never asks for, and the action itself needs it only to run
// docker (login: docker). Here it is loaded, as its own chunk, on the first call.
import type * as Exec from '@actions/exec/lib/exec';

export async function exec(...call: Parameters<typeof Exec.exec>): ReturnType<typeof Exec.exec> {
  return (await import('@actions/exec/lib/exec')).exec(...call);
}

export async function getExecOutput(...call: Parameters<typeof Exec.getExecOutput>): ReturnType<typeof Exec.getExecOutput> {
  return (await import('@actions/exec/lib/exec')).getExecOutput(...call);
}
