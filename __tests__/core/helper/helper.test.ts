// The core pieces behind login: helper — paths, the token cache and its lock, the settings, credHelpers edits.
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeCredHelpers, writeCredHelpers } from '../../../src/core/docker/cred-helpers';
import {
  cacheIdentityOf,
  helperSettingsOf,
  readHelperSettings,
  recordHelperSettings,
  removeHelperSettings
} from '../../../src/core/helper/settings';
import { helperSettingsPath, launcherDir, loginRecordsPath, tokenCacheDir } from '../../../src/core/helper/paths';
import { PUBLIC_CLOUD } from '../../../src/core/entra/clouds';
import { parseLoginOptions } from '../../../src/core/options';
import { cachedRefreshToken, CacheIdentity, removeCachedTokens, storeRefreshToken } from '../../../src/core/helper/token-cache';

const identity: CacheIdentity = {
  kind: 'service-principal',
  clientId: 'c',
  tenantId: 't',
  authorityHost: 'https://login.microsoftonline.com',
  audience: 'acr'
};

/** An unsigned JWT for `server` expiring in `seconds`. */
function token(server: string, seconds: number): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ aud: server, exp: Math.floor(Date.now() / 1000) + seconds, jti: Math.random() })}.sig`;
}

const fresh = (): string => mkdtempSync(join(tmpdir(), 'helper-core-'));

describe('XDG directories', () => {
  it('follow the XDG variables when absolute, else HOME', () => {
    const env = { HOME: '/home/u', XDG_CACHE_HOME: '/c', XDG_CONFIG_HOME: '/k', XDG_STATE_HOME: '/s', XDG_DATA_HOME: '/d' };
    expect([tokenCacheDir(env), helperSettingsPath(env), loginRecordsPath(env), launcherDir(env)]).toEqual([
      '/c/acr-login',
      '/k/acr-login/helper.json',
      '/s/acr-login/logins.json',
      '/d/acr-login/bin'
    ]);
    const relative = { HOME: '/home/u', XDG_CACHE_HOME: 'relative/cache' };
    expect([tokenCacheDir(relative), helperSettingsPath(relative), loginRecordsPath(relative), launcherDir(relative)]).toEqual([
      '/home/u/.cache/acr-login',
      '/home/u/.config/acr-login/helper.json',
      '/home/u/.local/state/acr-login/logins.json',
      '/home/u/.local/share/acr-login/bin'
    ]);
  });
});

describe('token cache', () => {
  it('fetches once for many parallel callers, in a private directory and file', async () => {
    const dir = join(fresh(), 'cache');
    let fetches = 0;
    const fetch = async (): Promise<{ password: string }> => {
      fetches++;
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { password: token('r.azurecr.io', 3 * 3600) };
    };
    const results = await Promise.all(Array.from({ length: 8 }, () => cachedRefreshToken(dir, 'r.azurecr.io', identity, fetch)));
    expect(fetches).toBe(1);
    expect(new Set(results.map((result) => result.refreshToken)).size).toBe(1);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const [file] = readdirSync(dir);
    expect(statSync(join(dir, file as string)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it('keeps a token with more than 10 minutes left, renews one with less, and replaces a broken file', async () => {
    const dir = fresh();
    const long = token('r.azurecr.io', 11 * 60);
    await storeRefreshToken(dir, 'r.azurecr.io', identity, long);
    const renewed = token('r.azurecr.io', 3 * 3600);
    expect((await cachedRefreshToken(dir, 'r.azurecr.io', identity, async () => ({ password: renewed }))).refreshToken).toBe(long);
    await storeRefreshToken(dir, 'r.azurecr.io', identity, token('r.azurecr.io', 9 * 60));
    expect((await cachedRefreshToken(dir, 'r.azurecr.io', identity, async () => ({ password: renewed }))).refreshToken).toBe(renewed);
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file as string), '{"version":1,"server":"r.azurecr.io","refreshToken":');
    const again = token('r.azurecr.io', 3 * 3600);
    expect((await cachedRefreshToken(dir, 'r.azurecr.io', identity, async () => ({ password: again }))).refreshToken).toBe(again);
    expect(JSON.parse(readFileSync(join(dir, file as string), 'utf8')).refreshToken).toBe(again);
  });

  it('never hands one identity the token of another, nor one server the token of another', async () => {
    const dir = fresh();
    await storeRefreshToken(dir, 'r.azurecr.io', identity, token('r.azurecr.io', 3600));
    const other = token('r.azurecr.io', 3600);
    expect(
      (await cachedRefreshToken(dir, 'r.azurecr.io', { ...identity, clientId: 'other' }, async () => ({ password: other }))).refreshToken
    ).toBe(other);
    const wrongAudience = token('s.azurecr.io', 3600);
    await storeRefreshToken(dir, 'r.azurecr.io', identity, wrongAudience);
    const right = token('r.azurecr.io', 3600);
    expect((await cachedRefreshToken(dir, 'r.azurecr.io', identity, async () => ({ password: right }))).refreshToken).toBe(right);
  });

  it('removes the tokens of the servers named, of every identity, and no others', async () => {
    const dir = fresh();
    await storeRefreshToken(dir, '127.0.0.1:5000', identity, token('127.0.0.1:5000', 3600));
    await storeRefreshToken(dir, '127.0.0.1:5000', { ...identity, clientId: 'x' }, token('127.0.0.1:5000', 3600));
    await storeRefreshToken(dir, '127.0.0.1:50000', identity, token('127.0.0.1:50000', 3600));
    expect(await removeCachedTokens(dir, ['127.0.0.1:5000'])).toBe(2);
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^127\.0\.0\.1_50000-[0-9a-f]{16}\.json$/)]);
    expect(await removeCachedTokens(join(dir, 'absent'))).toBe(0);
  });
});

describe('helper settings', () => {
  const noOidc = { available: false, unavailableHint: '', getToken: () => Promise.reject(new Error('none')) };

  it('record no secret, keep other servers, and go at logout', async () => {
    const path = join(fresh(), 'acr-login', 'helper.json');
    const options = parseLoginOptions(
      { registry: 'areg1.azurecr.io,http://127.0.0.1:5000', 'client-id': 'c', 'tenant-id': 't', 'client-secret': 'do-not-record' },
      noOidc
    );
    const [a, local] = options.registries;
    await recordHelperSettings(path, {
      'areg1.azurecr.io': helperSettingsOf(options, a!),
      '127.0.0.1:5000': helperSettingsOf(options, local!)
    });
    expect(readFileSync(path, 'utf8')).not.toContain('do-not-record');
    const settings = await readHelperSettings(path);
    expect(settings['127.0.0.1:5000']).toEqual({
      baseUrl: 'http://127.0.0.1:5000',
      authType: 'service-principal',
      clientId: 'c',
      tenantId: 't',
      environment: 'AzureCloud',
      authorityHost: 'https://login.microsoftonline.com',
      audience: 'acr'
    });
    expect(cacheIdentityOf(settings['areg1.azurecr.io']!)).toEqual(identity);
    expect(await removeHelperSettings(path, ['areg1.azurecr.io'])).toEqual(['areg1.azurecr.io']);
    expect(Object.keys(await readHelperSettings(path))).toEqual(['127.0.0.1:5000']);
    writeFileSync(path, 'not json');
    expect(await readHelperSettings(path)).toEqual({});
  });

  it('record a certificate path but never PEM text', () => {
    const registry = { loginServer: 'a.azurecr.io', baseUrl: 'https://a.azurecr.io' };
    const base = {
      cloud: PUBLIC_CLOUD,
      authorityHost: 'https://login.microsoftonline.com',
      audience: { choice: 'acr' as const, resource: PUBLIC_CLOUD.acrAudience },
      federatedAudience: PUBLIC_CLOUD.federatedTokenAudience
    };
    const byPath = helperSettingsOf(
      { ...base, credential: { kind: 'service-principal', clientId: 'c', tenantId: 't', certificate: '/etc/cert.pem' } },
      registry
    );
    expect(byPath.certificatePath).toBe('/etc/cert.pem');
    const byText = helperSettingsOf(
      { ...base, credential: { kind: 'service-principal', clientId: 'c', tenantId: 't', certificate: '-----BEGIN PRIVATE KEY-----\nx' } },
      registry
    );
    expect(byText.certificatePath).toBeUndefined();
  });
});

describe('credHelpers entries', () => {
  it('are added next to everything else, and removed only while they still name acr-login', async () => {
    const path = join(fresh(), 'config.json');
    writeFileSync(
      path,
      JSON.stringify({ auths: { 'ghcr.io': { auth: 'eDp5' } }, credHelpers: { 'gcr.io': 'gcloud' }, credsStore: 'desktop' })
    );
    expect(await writeCredHelpers(path, ['a.azurecr.io', 'b.azurecr.io'])).toEqual({ credsStore: 'desktop' });
    const config = JSON.parse(readFileSync(path, 'utf8'));
    expect(config.credHelpers).toEqual({ 'gcr.io': 'gcloud', 'a.azurecr.io': 'acr-login', 'b.azurecr.io': 'acr-login' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    config.credHelpers['b.azurecr.io'] = 'other';
    writeFileSync(path, JSON.stringify(config));
    expect(await removeCredHelpers(path, ['a.azurecr.io', 'b.azurecr.io', 'c.azurecr.io'])).toEqual({
      removed: ['a.azurecr.io'],
      changed: ['b.azurecr.io']
    });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      auths: { 'ghcr.io': { auth: 'eDp5' } },
      credHelpers: { 'gcr.io': 'gcloud', 'b.azurecr.io': 'other' },
      credsStore: 'desktop'
    });
  });
});
