import * as tl from 'azure-pipelines-task-lib/task';
import { RawInputs, secretValues } from '../core';
import { LoginError } from '../lib/errors';
import type { ProxySettings } from '../lib/proxy';
import { readAzureRmConnection } from './azure-rm-connection';
import { readDockerRegistryConnection } from './docker-registry-connection';
import { quietly } from './quietly';
import { AgentServices, NO_FEDERATION, readServiceConnection, TaskInputs } from './service-connection';

export type { TaskInputs } from './service-connection';

/**
 * Reads the inputs, the service connection and the agent's token into the core's RawInputs.
 * The task library echoes every value it reads as a debug line, so reading happens with its
 * output switched off; every secret found is registered with `mask` afterwards, even on failure.
 */
export function readTaskInputs(mask: (secret: string) => void, proxy: ProxySettings): TaskInputs {
  const secrets: string[] = [];
  try {
    return quietly(() => read(secrets, { mask, proxy }));
  } finally {
    for (const secret of new Set(secrets)) mask(secret);
  }
}

function read(secrets: string[], agent: AgentServices): TaskInputs {
  const input = (name: string): string => tl.getInput(name, false) ?? '';
  const raw: RawInputs = {
    registry: input('registry'),
    'token-audience': input('tokenAudience'),
    login: input('loginMode'),
    logout: input('logout'),
    username: input('username'),
    password: input('password')
  };
  secrets.push(...secretValues(raw));
  if (raw.username?.trim() || raw.password?.trim()) {
    return { raw: { ...raw, 'auth-type': 'token' }, federation: NO_FEDERATION };
  }
  const armConnection = input('azureSubscription').trim();
  const registryConnection = input('containerRegistry').trim();
  if (armConnection && registryConnection) {
    throw new LoginError(
      'azureSubscription and containerRegistry are both given: name one service connection, an Azure Resource Manager or a Docker registry one'
    );
  }
  let result: TaskInputs;
  if (registryConnection) {
    const connection = readServiceConnection(registryConnection, { input: 'containerRegistry', type: 'Docker registry' });
    result = readDockerRegistryConnection(connection, raw, secrets, agent);
  } else if (armConnection) {
    const connection = readServiceConnection(armConnection, { input: 'azureSubscription', type: 'Azure Resource Manager' });
    result = readAzureRmConnection(connection, raw, secrets, agent);
  } else {
    throw new LoginError(
      'no credential given: name an Azure Resource Manager service connection in azureSubscription or a Docker registry service connection in containerRegistry, or give username and password of a repository-scoped token'
    );
  }
  secrets.push(...secretValues(result.raw));
  return result;
}
