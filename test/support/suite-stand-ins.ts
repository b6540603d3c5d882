// The stand-ins for one test file, and the task installed as the agent installs it when the file asks: started before
// the file's first test; after its last, the stand-ins closed and the task and every directory in `cleanup` removed.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { installTask } from './task-runner';
import { startWorld, type StartWorldOptions, type World } from './world';

export interface StandIns {
  world: World;
  /** The installed task's directory (`{ task: true }`), else ''. */
  taskDir: string;
}

export function useStandIns(
  options: StartWorldOptions & { task?: boolean; timeoutMs?: number },
  ready: (standIns: StandIns) => void
): { cleanup: string[] } {
  const { task = false, timeoutMs = 60000, ...worldOptions } = options;
  const cleanup: string[] = [];
  let world: World | undefined;
  beforeAll(async () => {
    const taskDir = task ? installTask() : '';
    if (taskDir) cleanup.push(join(taskDir, '..'));
    world = await startWorld(worldOptions);
    ready({ world, taskDir });
  }, timeoutMs);
  afterAll(async () => {
    await world?.close();
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });
  return { cleanup };
}
