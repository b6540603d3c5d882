import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerConfigPath, fingerprint, removeAuths, writeAuths } from '../../../src/core/docker/config';

const decode = (auth: string | undefined): string => Buffer.from(auth ?? '', 'base64').toString();

function freshConfig(content?: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'docker-config-'));
  const path = join(dir, 'config.json');
  if (content) writeFileSync(path, JSON.stringify(content), { mode: 0o644 });
  return path;
}

describe('docker config file', () => {
  it('follows DOCKER_CONFIG, else ~/.docker', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/x/y', HOME: '/home/u' })).toBe('/x/y/config.json');
    expect(dockerConfigPath({ HOME: '/home/u' })).toBe('/home/u/.docker/config.json');
  });

  it('keeps other entries and settings, writes mode 0600, and reports a credsStore', async () => {
    const path = freshConfig({ auths: { 'ghcr.io': { auth: 'b3RoZXI6c2VjcmV0' } }, credsStore: 'desktop', proxies: { default: {} } });
    const result = await writeAuths(path, [{ server: 'a.azurecr.io', username: 'u', password: 'p' }]);
    const config = JSON.parse(readFileSync(path, 'utf8'));
    expect(decode(config.auths['a.azurecr.io'].auth)).toBe('u:p');
    expect(config.auths['ghcr.io'].auth).toBe('b3RoZXI6c2VjcmV0');
    expect(config.proxies).toEqual({ default: {} });
    expect(result.credsStore).toBe('desktop');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('loses nothing when many writers share the file at once', async () => {
    const path = freshConfig({ auths: { 'keep.example': { auth: 'a2VlcDprZWVw' } } });
    const servers = Array.from({ length: 25 }, (_, i) => `reg${i}.azurecr.io`);
    await Promise.all(servers.map((server, i) => writeAuths(path, [{ server, username: `user${i}`, password: `pw${i}` }])));
    const auths = JSON.parse(readFileSync(path, 'utf8')).auths;
    expect(Object.keys(auths).sort()).toEqual([...servers, 'keep.example'].sort());
    servers.forEach((server, i) => expect(decode(auths[server].auth)).toBe(`user${i}:pw${i}`));
  });

  it('removes only the entries it wrote, and leaves entries changed since', async () => {
    const path = freshConfig({ auths: { 'other.azurecr.io': { auth: 'eDp5' } } });
    const mine = { server: 'mine.azurecr.io', username: 'u', password: 'p' };
    const replaced = { server: 'replaced.azurecr.io', username: 'u', password: 'p' };
    await writeAuths(path, [mine, replaced]);
    await writeAuths(path, [{ ...replaced, password: 'someone-else' }]);
    const result = await removeAuths(
      path,
      [mine, replaced].map((entry) => ({ server: entry.server, fingerprint: fingerprint(entry) }))
    );
    expect(result).toEqual({ removed: ['mine.azurecr.io'], changed: ['replaced.azurecr.io'] });
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')).auths).sort()).toEqual(['other.azurecr.io', 'replaced.azurecr.io']);
  });

  it('breaks a stale lock left by a killed writer', async () => {
    const path = freshConfig();
    writeFileSync(`${path}.lock`, '');
    const old = new Date(Date.now() - 60000);
    utimesSync(`${path}.lock`, old, old);
    await writeAuths(path, [{ server: 'a.azurecr.io', username: 'u', password: 'p' }]);
    expect(JSON.parse(readFileSync(path, 'utf8')).auths['a.azurecr.io']).toBeDefined();
  });

  it('refuses to overwrite a config that is not JSON', async () => {
    const path = freshConfig();
    writeFileSync(path, '{ not json');
    await expect(writeAuths(path, [{ server: 'a.azurecr.io', username: 'u', password: 'p' }])).rejects.toThrow(
      /is not a JSON object; fix or remove it/
    );
    expect(readFileSync(path, 'utf8')).toBe('{ not json');
  });
});
