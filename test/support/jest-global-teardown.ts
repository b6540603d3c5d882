// jest globalTeardown: stops the docker engine jest-global-setup.ts started, then removes the run's temp directory.
import { rmSync } from 'node:fs';
import type { DockerEngine } from './docker-engine';
import { ENGINE_KEY, RUN_TMPDIR_ENV } from './jest-global-setup';

export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as Record<symbol, DockerEngine | undefined>;
  const engine = holder[ENGINE_KEY];
  holder[ENGINE_KEY] = undefined;
  await engine?.stop();
  const dir = process.env[RUN_TMPDIR_ENV];
  if (!dir) return;
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch (err) {
    process.stderr.write(`\nThe run's temp directory ${dir} was not removed: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
