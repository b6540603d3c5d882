// The resolver hook (resolver-hook.cjs) for the product's child processes, and the hosts file it and the proxy read.
// (Not named resolver-hook.ts: jest would resolve './resolver-hook' to the .cjs file.)
import { mkdir, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';

/** The environment variable naming the hosts file the hook resolves from. */
export const HOSTS_ENV = 'ACR_LOGIN_TEST_HOSTS';
/** Absolute path of the CommonJS preload module. */
export const RESOLVER_HOOK_PATH = resolve(__dirname, 'resolver-hook.cjs');

/** Host name -> IP address (a loopback address: 127.x.y.z or ::1), e.g. `{ 'myreg.azurecr.io': '127.0.0.1' }`. */
export type Hosts = Record<string, string>;

/** Writes `hosts` as `IP name` lines (the /etc/hosts format squid's hosts_file and the hook read); returns `path`. */
export async function writeHostsFile(path: string, hosts: Hosts): Promise<string> {
  const lines = Object.entries(hosts).map(([name, address]) => {
    if (isIP(address) === 0) throw new Error(`hosts: ${name} -> ${address} is not an IP address`);
    if (!/^[A-Za-z0-9.-]+$/.test(name)) throw new Error(`hosts: ${JSON.stringify(name)} is not a host name`);
    return `${address} ${name}\n`;
  });
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, lines.join(''));
  return path;
}

/**
 * The environment additions that load the hook into a node child process: NODE_OPTIONS (`--require <hook>`, after
 * `nodeOptions` if given) and ACR_LOGIN_TEST_HOSTS. Without a hosts file every host name fails to resolve.
 */
export function resolverHookEnv(hostsFile?: string, nodeOptions?: string): { NODE_OPTIONS: string; [HOSTS_ENV]: string } {
  const hook = /[\s"\\]/.test(RESOLVER_HOOK_PATH) ? JSON.stringify(RESOLVER_HOOK_PATH) : RESOLVER_HOOK_PATH;
  return {
    NODE_OPTIONS: [nodeOptions, `--require ${hook}`].filter(Boolean).join(' '),
    [HOSTS_ENV]: hostsFile ? resolve(hostsFile) : ''
  };
}
