import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { login, logout, parseLoginOptions, Platform } from '../../src/core';
import { DIRECT } from '../../src/lib/proxy';
import { leakedSecrets } from '../../test/support/leaks';
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
    saveState: (value) => {
      state.push(value);
    },
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
  const { credentials } = await login(options, platform);

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

describe('the exchange answer is checked before anything is written', () => {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const jwt = (claims: object): string => `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJlLXRoYXQtaXMtbm90LWNoZWNrZWQ`;
  const now = Math.floor(Date.now() / 1000);
  const cases: Array<[string, unknown, string]> = [
    ['empty', '', 'is empty'],
    ['not a JWT', 'opaque-refresh-token-value', 'is not a JWT'],
    ['with a newline', `${jwt({ exp: now + 3600 })}\nsecond-line`, 'contains whitespace'],
    ['already expired', jwt({ exp: now - 120 }), 'expired'],
    ['without exp', jwt({ sub: 'x' }), 'carries no expiry (exp)'],
    ['with an exp out of range', jwt({ exp: 1e15 }), 'claims to be valid for'],
    ['not a string', 12345, 'is not a string']
  ];

  it.each(cases)('a refresh token %s fails with one line naming the registry, and nothing is written', async (_name, refreshToken, why) => {
    process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = world.imds.env().AZURE_POD_IDENTITY_AUTHORITY_HOST;
    const registry = world.registries.armAllowed;
    world.requests.failNext('acr-exchange', 1, { status: 200, body: { refresh_token: refreshToken } });
    const { platform, calls, state } = recordingPlatform();
    const options = parseLoginOptions({ registry: registry.url, 'auth-type': 'managed-identity', login: 'config' }, noFederation);
    const error = await login(options, platform).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^${registry.loginServer} answered the token exchange with a refresh token that ${why.replace(/[()]/g, '\\$&')}.*; nothing was written$`
      )
    );
    expect(world.requests.pendingFaults('acr-exchange')).toBe(0);
    expect(existsSync(join(process.env.DOCKER_CONFIG ?? '', 'config.json'))).toBe(false);
    expect(state).toEqual([]);
    expect(calls.filter((call) => call.startsWith('output'))).toEqual([]);
    const printed = [(error as Error).message, ...calls.filter((call) => !call.startsWith('mask '))].join('\n');
    expect(leakedSecrets(printed, [...world.secrets(), ...(typeof refreshToken === 'string' ? refreshToken.split('\n') : [])])).toEqual([]);
  });
});

it('warns when a credHelpers entry for the same registry will override the auths entry written', async () => {
  const registry = world.registries.armAllowed;
  const configPath = join(process.env.DOCKER_CONFIG ?? '', 'config.json');
  writeFileSync(configPath, JSON.stringify({ credHelpers: { [registry.loginServer]: 'ecr-login' } }));
  const { platform, calls } = recordingPlatform();
  const options = parseLoginOptions(
    { registry: registry.url, username: world.admin.username, password: world.admin.password, login: 'config' },
    noFederation
  );
  await login(options, platform);
  expect(calls.filter((call) => call.startsWith('warning'))).toEqual([
    `warning ${configPath} names credHelpers 'ecr-login' for ${registry.loginServer}: docker asks docker-credential-ecr-login and ignores the auths entry just written; remove that credHelpers entry, or use login: helper`
  ]);
  const handedToMask = (line: string): boolean => line.startsWith('mask ') || line.startsWith('output password (secret)=');
  expect(leakedSecrets(calls.join('\n'), world.secrets(), handedToMask)).toEqual([]);
});

it('asks at most 8 registries at once', async () => {
  let inFlight = 0;
  let most = 0;
  const servers = await Promise.all(
    Array.from({ length: 20 }, async () => {
      const server = createServer((req, res) => {
        req.resume();
        inFlight++;
        most = Math.max(most, inFlight);
        setTimeout(() => {
          inFlight--;
          res.end('{"access_token":"x"}');
        }, 150);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    })
  );
  try {
    const registry = servers.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`).join(',');
    const options = parseLoginOptions({ registry, username: 'user', password: 'pass', login: 'none' }, noFederation);
    const { credentials } = await login(options, recordingPlatform().platform);
    expect(credentials).toHaveLength(20);
    expect(most).toBe(8);
  } finally {
    for (const server of servers) server.close();
  }
});
