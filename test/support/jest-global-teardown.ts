// jest globalTeardown: stops the docker engine jest-global-setup.ts started.
import type { DockerEngine } from './docker-engine';
import { ENGINE_KEY } from './jest-global-setup';

export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as Record<symbol, DockerEngine | undefined>;
  const engine = holder[ENGINE_KEY];
  holder[ENGINE_KEY] = undefined;
  await engine?.stop();
}
