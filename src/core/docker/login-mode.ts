import type { DockerConfig } from './config';

/** What `login: auto` becomes for one login, and the fact of the config that decided it. */
export interface AutoLoginMode {
  mode: 'helper' | 'config';
  because: string;
}

/**
 * `login: auto` never runs `docker login`. Where the config sends docker (and podman, helm, oras, crane) to a
 * credential store or helper for one of the servers, an `auths` entry would be ignored and `docker login` would
 * hand the token to a store that may refuse or lose it (Windows' Credential Manager takes at most 2,560 bytes):
 * a per-registry `credHelpers` entry naming this product's helper wins over both. Anywhere else the config file
 * written directly is all `docker login` would have left, without its process and its four connections.
 */
export function chooseAutoLoginMode(config: DockerConfig, servers: string[]): AutoLoginMode {
  if (typeof config.credsStore === 'string') {
    return { mode: 'helper', because: `the docker config names credsStore '${config.credsStore}'` };
  }
  const helped = servers.find((server) => typeof config.credHelpers?.[server] === 'string');
  if (helped !== undefined) {
    return { mode: 'helper', because: `the docker config names credHelpers '${config.credHelpers?.[helped]}' for ${helped}` };
  }
  return { mode: 'config', because: 'the docker config names no credential store or helper for these registries' };
}
