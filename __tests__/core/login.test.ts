import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { login, logout, parseLoginOptions, Platform } from '../../src/core';
import { DIRECT } from '../../src/lib/proxy';
import { startWorld, World } from '../../test/support/world';

// The core is driven directly here, with a platform that only records what it is asked to do.
function recordingPlatform(): { platform: Platform; calls: string[]; state: string[] } {
  const calls: string[] = [];
  const state: string[] = [];
  const platform: Platform = {
    info: (message) => calls.push(`info ${message}`),
    warning: (message) => calls.push(`warning ${message}`),
    debug: (message) => calls.push(`debug ${message}`),
    mask: (secret) => calls.push(`mask ${secret}`),
    setOutput: (name, value, isSecret) => calls.push(`output ${name}${isSecret ? ' (secret)' : ''}=${value}`),
    saveState: (value) => state.push(value),
    env: process.env,
    proxy: DIRECT
  };
  return { platform, calls, state };
}

const noFederation = { available: false, unavailableHint: 'none here', getToken: () => Promise.reject(new Error('none')) };

let world: World;
const savedEnv = { ...process.env };

beforeAll(async () => {
  world = await startWorld();
}, 60000);

afterAll(async () => {
  process.env = savedEnv;
  await world?.close();
});

beforeEach(() => {
  process.env.DOCKER_CONFIG = mkdtempSync(join(tmpdir(), 'core-docker-'));
});

it('masks the Entra token and every refresh token before any output names them', async () => {
  process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = world.imds.env().AZURE_POD_IDENTITY_AUTHORITY_HOST;
  const { platform, calls } = recordingPlatform();
  const registries = [world.registries.armAllowed.url, world.registries.armRefused.url].join(',');
  const options = parseLoginOptions({ registry: registries, 'auth-type': 'managed-identity', login: 'none' }, noFederation);
  const credentials = await login(options, platform);

  expect(credentials.map((c) => c.registry.loginServer)).toEqual([
    world.registries.armAllowed.loginServer,
    world.registries.armRefused.loginServer
  ]);
  const passwordOutput = calls.findIndex((call) => call.startsWith('output password (secret)='));
  for (const credential of credentials) {
    expect(calls.indexOf(`mask ${credential.password}`)).toBeGreaterThanOrEqual(0);
    expect(calls.indexOf(`mask ${credential.password}`)).toBeLessThan(passwordOutput);
  }
  const masked = calls.filter((call) => call.startsWith('mask ')).map((call) => call.slice(5));
  const issuedByImds = world.secrets().filter((secret) => masked.includes(secret));
  expect(issuedByImds.length).toBeGreaterThanOrEqual(3);
  expect(calls).toContain(`output login-server=${world.registries.armAllowed.loginServer}\n${world.registries.armRefused.loginServer}`);
});

it('config mode records only what logout needs, and logout removes exactly that', async () => {
  const { platform, state } = recordingPlatform();
  const options = parseLoginOptions(
    { registry: world.registries.armAllowed.url, username: world.admin.username, password: world.admin.password, login: 'config' },
    noFederation
  );
  await login(options, platform);
  expect(state).toHaveLength(1);
  expect(state[0]).not.toContain(world.admin.password);
  const configPath = join(process.env.DOCKER_CONFIG ?? '', 'config.json');
  expect(Object.keys(JSON.parse(readFileSync(configPath, 'utf8')).auths)).toEqual([world.registries.armAllowed.loginServer]);

  const after = recordingPlatform();
  await logout(state[0] ?? '', after.platform);
  expect(JSON.parse(readFileSync(configPath, 'utf8')).auths).toEqual({});
  expect(after.calls.filter((call) => call.startsWith('warning'))).toEqual([]);
});

it('logout turns every problem into a warning', async () => {
  const { platform, calls } = recordingPlatform();
  const state = JSON.stringify({
    mode: 'config',
    configPath: '/etc/hostname/not-a-directory/config.json',
    servers: [{ server: 'a.azurecr.io', fingerprint: 'x' }]
  });
  await expect(logout(state, platform)).resolves.toBeUndefined();
  expect(calls.some((call) => call.startsWith('warning Logout failed: '))).toBe(true);
});
