// The Node runtimes the bundled action and task run on: action.yml's node24 and task.json's Node24 (from tools/node24),
// and the machine's own Node (task.json's Node20_1 where the agent has no Node 24).
import { node24 } from './node24';

export interface Runtime {
  name: string;
  /** The node binary; resolved when a suite starts, so that a missing Node 24 fails it naming the set-up command. */
  binary(): string;
}

export const MACHINE_NODE: Runtime = { name: `the machine's Node ${process.versions.node}`, binary: () => process.execPath };
export const NODE_24: Runtime = { name: 'Node 24', binary: node24 };

/** Both, or only one when the machine's Node is 24 itself. */
export const STEP_RUNTIMES: Runtime[] = process.versions.node.startsWith('24.') ? [MACHINE_NODE] : [MACHINE_NODE, NODE_24];
