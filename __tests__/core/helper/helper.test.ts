// The core pieces behind login: helper — paths, the token cache and its lock, the settings, credHelpers edits.
import {
  chownSync,
  lstatSync,
  rmSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
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
import { installLauncher } from '../../../src/core/helper/launcher';

const NOBODY = 65534;

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

  it("judges a cached token by when it arrived and for how long, by this clock; an entry from this clock's future is renewed", async () => {
    const dir = fresh();
    // A registry 4 h behind this clock: by its exp the token expired an hour ago, but it has just arrived for 3 hours.
    const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const skewed = `${part({ alg: 'none' })}.${part({ aud: 'r.azurecr.io', iat: now - 4 * 3600, exp: now - 3600 })}.sig`;
    await storeRefreshToken(dir, 'r.azurecr.io', identity, skewed, new Date(Date.now() + 3 * 3600 * 1000));
    const renewed = token('r.azurecr.io', 3 * 3600);
    expect((await cachedRefreshToken(dir, 'r.azurecr.io', identity, async () => ({ password: renewed }))).refreshToken).toBe(skewed);
    const [file] = readdirSync(dir);
    const entry = JSON.parse(readFileSync(join(dir, file as string), 'utf8'));
    expect(entry).toMatchObject({ lifetimeMs: expect.any(Number), receivedAt: expect.any(String) });
    // Written two hours "later" than now: the clock went back since, so the entry is not trusted.
    writeFileSync(
      join(dir, file as string),
      JSON.stringify({ ...entry, receivedAt: new Date(Date.now() + 2 * 3600 * 1000).toISOString() })
    );
    expect((await cachedRefreshToken(dir, 'r.azurecr.io', identity, async () => ({ password: renewed }))).refreshToken).toBe(renewed);
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
    expect(await writeCredHelpers(path, [{ server: 'a.azurecr.io' }, { server: 'b.azurecr.io' }])).toEqual({ credsStore: 'desktop' });
    const config = JSON.parse(readFileSync(path, 'utf8'));
    expect(config.credHelpers).toEqual({ 'gcr.io': 'gcloud', 'a.azurecr.io': 'acr-login', 'b.azurecr.io': 'acr-login' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    config.credHelpers['b.azurecr.io'] = 'other';
    writeFileSync(path, JSON.stringify(config));
    const written = ['a.azurecr.io', 'b.azurecr.io', 'c.azurecr.io'].map((server) => ({ server, fingerprint: 'acr-login' }));
    expect(await removeCredHelpers(path, written)).toEqual({
      removed: ['a.azurecr.io'],
      restored: [],
      changed: ['b.azurecr.io'],
      handedOn: []
    });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      auths: { 'ghcr.io': { auth: 'eDp5' } },
      credHelpers: { 'gcr.io': 'gcloud', 'b.azurecr.io': 'other' },
      credsStore: 'desktop'
    });
  });
});

describe('only this user’s own directories and files are trusted', () => {
  const tokenOf = (server: string): string => token(server, 3 * 3600);

  it('a cache directory planted by another user is refused before anything in it is read or fetched', async () => {
    const dir = join(fresh(), 'acr-login');
    mkdirSync(dir, { mode: 0o700 });
    const planted = tokenOf('r.azurecr.io');
    writeFileSync(
      await entryFile(dir, 'r.azurecr.io'),
      JSON.stringify({ version: 1, server: 'r.azurecr.io', refreshToken: planted, expiresOn: '2999-01-01T00:00:00Z' })
    );
    chownSync(dir, NOBODY, NOBODY);
    let fetched = false;
    const attempt = cachedRefreshToken(dir, 'r.azurecr.io', identity, async () => {
      fetched = true;
      return { password: tokenOf('r.azurecr.io') };
    });
    await expect(attempt).rejects.toThrow(`refusing the token cache directory ${dir}: it belongs to uid ${NOBODY}, not to this user`);
    expect(fetched).toBe(false);
    await expect(storeRefreshToken(dir, 'r.azurecr.io', identity, tokenOf('r.azurecr.io'))).rejects.toThrow(
      /refusing the token cache directory/
    );
  });

  it('a cache directory that is a symbolic link is refused', async () => {
    const dir = join(fresh(), 'acr-login');
    symlinkSync(fresh(), dir);
    await expect(cachedRefreshToken(dir, 'r.azurecr.io', identity, async () => ({ password: tokenOf('r.azurecr.io') }))).rejects.toThrow(
      `refusing the token cache directory ${dir}: it is a symbolic link`
    );
  });

  it.each([
    ['owned by another user', (file: string, text: string) => (writeFileSync(file, text), chownSync(file, NOBODY, NOBODY))],
    ['a symbolic link', (file: string, text: string) => (writeFileSync(`${file}.target`, text), symlinkSync(`${file}.target`, file))]
  ])('a cache entry %s is ignored and replaced by a regular file of this user', async (_name, plant) => {
    const dir = fresh();
    const file = await entryFile(dir, 'r.azurecr.io');
    const planted = tokenOf('r.azurecr.io');
    plant(file, JSON.stringify({ version: 1, server: 'r.azurecr.io', refreshToken: planted, expiresOn: '2999-01-01T00:00:00Z' }));
    const fetched = tokenOf('r.azurecr.io');
    const got = await cachedRefreshToken(dir, 'r.azurecr.io', identity, async () => ({ password: fetched }));
    expect(got.refreshToken).toBe(fetched);
    const stats = lstatSync(file);
    expect([stats.isFile(), stats.uid, stats.mode & 0o777]).toEqual([true, process.getuid?.(), 0o600]);
  });

  it('settings in a directory of another user are not read', async () => {
    const path = join(fresh(), 'acr-login', 'helper.json');
    await recordHelperSettings(path, {});
    chownSync(join(path, '..'), NOBODY, NOBODY);
    await expect(readHelperSettings(path)).rejects.toThrow(
      /refusing the credential helper settings directory .*acr-login: it belongs to uid 65534/
    );
  });

  it('the launcher directory is private to this user; a planted launcher (a link) is replaced', async () => {
    const host = { script: '/x/credential-helper.js', binDir: join(fresh(), 'acr-login', 'bin'), addPath: () => false };
    mkdirSync(host.binDir, { recursive: true, mode: 0o700 });
    const launcher = join(host.binDir, 'docker-credential-acr-login');
    writeFileSync(join(host.binDir, 'evil'), '#!/bin/sh\necho evil\n', { mode: 0o755 });
    symlinkSync(join(host.binDir, 'evil'), launcher);
    await installLauncher(host, { PATH: '/usr/bin' });
    expect(lstatSync(launcher).isFile()).toBe(true);
    expect(readFileSync(launcher, 'utf8')).toContain("'/x/credential-helper.js'");
    expect(readFileSync(join(host.binDir, 'evil'), 'utf8')).toContain('evil');
    expect(statSync(host.binDir).mode & 0o777).toBe(0o700);

    chownSync(host.binDir, NOBODY, NOBODY);
    await expect(installLauncher(host, { PATH: '/usr/bin' })).rejects.toThrow(
      `refusing the credential helper launcher directory ${host.binDir}: it belongs to uid ${NOBODY}`
    );
  });
});

/** Where the cache keeps the entry of this server and identity (found by storing one, then removed). */
async function entryFile(dir: string, server: string): Promise<string> {
  await storeRefreshToken(dir, server, identity, token(server, 3600));
  const [name] = readdirSync(dir).filter((entry) => entry.endsWith('.json'));
  const file = join(dir, name as string);
  rmSync(file);
  return file;
}
