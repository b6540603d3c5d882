// What `@actions/exec` resolves to in this project (tsconfig.json "paths"): @actions/core loads it at start-up
// for its `platform` details, which this action never asks for; the action runs docker through the core's own
// runner (src/core/docker/cli.ts), which survives a docker that exits before reading its input. Here the real
// module is loaded, as its own chunk, only if something calls it.
import type * as Exec from '@actions/exec/lib/exec';

export async function exec(...call: Parameters<typeof Exec.exec>): ReturnType<typeof Exec.exec> {
  return (await import('@actions/exec/lib/exec')).exec(...call);
}

export async function getExecOutput(...call: Parameters<typeof Exec.getExecOutput>): ReturnType<typeof Exec.getExecOutput> {
  return (await import('@actions/exec/lib/exec')).getExecOutput(...call);
}
