import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerConfigPath, fingerprint, removeAuths, writeAuths } from '../../../src/core/docker/config';
import { removeCredHelpers, writeCredHelpers } from '../../../src/core/docker/cred-helpers';
import { keptFileIn } from '../../../src/core/docker/kept';

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
    expect(result).toEqual({ removed: ['mine.azurecr.io'], restored: [], changed: ['replaced.azurecr.io'], handedOn: [] });
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
      /is not valid JSON; fix or remove it/
    );
    expect(readFileSync(path, 'utf8')).toBe('{ not json');
  });
});

describe('a config of the wrong shape is left untouched, with one line naming the file and what is wrong', () => {
  it.each([
    ['an array', '[]', 'holds an array, not a JSON object'],
    ['a string', '"text"', 'holds a string, not a JSON object'],
    ['auths as an array', '{"auths":[]}', '"auths" is an array, not an object'],
    ['auths as a string', '{"auths":"x"}', '"auths" is a string, not an object'],
    ['credHelpers as a number', '{"credHelpers":5}', '"credHelpers" is a number, not an object']
  ])('%s', async (_name, text, why) => {
    const path = freshConfig();
    writeFileSync(path, text);
    const entry = { server: 'a.azurecr.io', username: 'u', password: 'p' };
    await expect(writeAuths(path, [entry])).rejects.toThrow(
      `docker config ${path}: ${why}; fix or remove it`.replace(`${path}: holds`, `${path} holds`)
    );
    await expect(writeCredHelpers(path, [{ server: 'a.azurecr.io' }])).rejects.toThrow(/fix or remove it$/);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('DOCKER_CONFIG naming a file', async () => {
    const file = freshConfig({});
    const path = join(file, 'config.json');
    await expect(writeAuths(path, [{ server: 'a.azurecr.io', username: 'u', password: 'p' }])).rejects.toThrow(
      `the docker config directory ${file} is a file, not a directory: point DOCKER_CONFIG at a directory`
    );
    expect(readFileSync(file, 'utf8')).toBe('{}');
  });
});

it('writes through a symbolic link, as docker does: the link stays, its target gets the entries', async () => {
  const path = freshConfig();
  const target = join(mkdtempSync(join(tmpdir(), 'dotfiles-')), 'docker-config.json');
  writeFileSync(target, JSON.stringify({ auths: { 'ghcr.io': { auth: 'eDp5' } } }));
  symlinkSync(target, path);
  const entry = { server: 'a.azurecr.io', username: 'u', password: 'p' };
  await writeAuths(path, [entry]);
  expect(lstatSync(path).isSymbolicLink()).toBe(true);
  expect(readlinkSync(path)).toBe(target);
  expect(Object.keys(JSON.parse(readFileSync(target, 'utf8')).auths)).toEqual(['ghcr.io', 'a.azurecr.io']);
  await removeAuths(path, [{ server: entry.server, fingerprint: fingerprint(entry) }]);
  expect(lstatSync(path).isSymbolicLink()).toBe(true);
  expect(JSON.parse(readFileSync(target, 'utf8')).auths).toEqual({ 'ghcr.io': { auth: 'eDp5' } });
});

describe('an entry a login replaces is kept aside, privately, and put back exactly by its logout', () => {
  const earlier = { auth: 'cnVubmVyOmxvbmctbGl2ZWQtc2VjcmV0', identitytoken: 'kept-as-is', email: 'ci@example.com' };

  function keptDir(): string {
    return join(mkdtempSync(join(tmpdir(), 'state-')), 'acr-login', 'kept');
  }

  it('auths: replaced, kept in a 0600 file of a 0700 directory, restored', async () => {
    const path = freshConfig({ auths: { 'a.azurecr.io': earlier, 'ghcr.io': { auth: 'eDp5' } } });
    const entry = { server: 'a.azurecr.io', username: 'u', password: 'new-token' };
    const kept = keptFileIn(keptDir());
    await writeAuths(path, [{ ...entry, kept }]);
    expect(decode(JSON.parse(readFileSync(path, 'utf8')).auths['a.azurecr.io'].auth)).toBe('u:new-token');
    expect(statSync(kept).mode & 0o777).toBe(0o600);
    expect(statSync(join(kept, '..')).mode & 0o777).toBe(0o700);

    const undone = await removeAuths(path, [{ server: entry.server, fingerprint: fingerprint(entry), kept }]);
    expect(undone).toEqual({ removed: [], restored: ['a.azurecr.io'], changed: [], handedOn: [] });
    expect(JSON.parse(readFileSync(path, 'utf8')).auths).toEqual({ 'a.azurecr.io': earlier, 'ghcr.io': { auth: 'eDp5' } });
    expect(existsSync(kept)).toBe(false);
  });

  it('auths: an entry changed since the login is left, and the kept one is dropped', async () => {
    const path = freshConfig({ auths: { 'a.azurecr.io': earlier } });
    const entry = { server: 'a.azurecr.io', username: 'u', password: 'new-token' };
    const kept = keptFileIn(keptDir());
    await writeAuths(path, [{ ...entry, kept }]);
    await writeAuths(path, [{ ...entry, password: 'someone-else' }]);
    const undone = await removeAuths(path, [{ server: entry.server, fingerprint: fingerprint(entry), kept }]);
    expect(undone).toEqual({ removed: [], restored: [], changed: ['a.azurecr.io'], handedOn: [] });
    expect(decode(JSON.parse(readFileSync(path, 'utf8')).auths['a.azurecr.io'].auth)).toBe('u:someone-else');
    expect(existsSync(kept)).toBe(false);
  });

  it('two logins in a row are undone in reverse order back to the first entry', async () => {
    const path = freshConfig({ auths: { 'a.azurecr.io': earlier } });
    const dir = keptDir();
    const first = { server: 'a.azurecr.io', username: 'u', password: 'first' };
    const second = { ...first, password: 'second' };
    const [keptFirst, keptSecond] = [keptFileIn(dir), keptFileIn(dir)];
    await writeAuths(path, [{ ...first, kept: keptFirst }]);
    await writeAuths(path, [{ ...second, kept: keptSecond }]);
    await removeAuths(path, [{ server: 'a.azurecr.io', fingerprint: fingerprint(second), kept: keptSecond }]);
    await removeAuths(path, [{ server: 'a.azurecr.io', fingerprint: fingerprint(first), kept: keptFirst }]);
    expect(JSON.parse(readFileSync(path, 'utf8')).auths).toEqual({ 'a.azurecr.io': earlier });
  });

  it.each([
    ['first logout first', [0, 1, 2]],
    ['last logout first', [2, 1, 0]],
    ['middle logout first', [1, 0, 2]]
  ])('three overlapping logins (%s): each keeps its entry until its own logout, then the earliest entry is back', async (_, order) => {
    const path = freshConfig({ auths: { 'a.azurecr.io': earlier } });
    const dir = keptDir();
    const logins = ['one', 'two', 'three'].map((password) => ({ server: 'a.azurecr.io', username: 'u', password, kept: keptFileIn(dir) }));
    for (const entry of logins) await writeAuths(path, [entry]);
    const live = new Set(logins);
    for (const index of order) {
      const entry = logins[index] as (typeof logins)[number];
      await removeAuths(path, [{ server: entry.server, fingerprint: fingerprint(entry), kept: entry.kept }]);
      live.delete(entry);
      const current = JSON.parse(readFileSync(path, 'utf8')).auths['a.azurecr.io'];
      const newestLive = logins.filter((login) => live.has(login)).pop();
      expect(decode(current.auth)).toBe(newestLive ? `u:${newestLive.password}` : decode(earlier.auth));
    }
    expect(JSON.parse(readFileSync(path, 'utf8')).auths).toEqual({ 'a.azurecr.io': earlier });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('credHelpers: an entry naming another helper is put back', async () => {
    const path = freshConfig({ credHelpers: { 'a.azurecr.io': 'ecr-login', 'gcr.io': 'gcloud' } });
    const kept = keptFileIn(keptDir());
    await writeCredHelpers(path, [{ server: 'a.azurecr.io', kept }]);
    expect(JSON.parse(readFileSync(path, 'utf8')).credHelpers['a.azurecr.io']).toBe('acr-login');
    const undone = await removeCredHelpers(path, [{ server: 'a.azurecr.io', fingerprint: 'acr-login', kept }]);
    expect(undone.restored).toEqual(['a.azurecr.io']);
    expect(JSON.parse(readFileSync(path, 'utf8')).credHelpers).toEqual({ 'a.azurecr.io': 'ecr-login', 'gcr.io': 'gcloud' });
  });

  it('a kept file that is not this user’s own regular file is not put back', async () => {
    const path = freshConfig({ auths: { 'a.azurecr.io': earlier } });
    const dir = keptDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const kept = keptFileIn(dir);
    const entry = { server: 'a.azurecr.io', username: 'u', password: 'new-token' };
    await writeAuths(path, [entry]);
    const plantedTarget = join(dir, '..', 'planted.json');
    writeFileSync(plantedTarget, JSON.stringify({ version: 1, section: 'auths', server: 'a.azurecr.io', entry: { auth: 'cGxhbnRlZDp4' } }));
    symlinkSync(plantedTarget, kept);
    const undone = await removeAuths(path, [{ server: entry.server, fingerprint: fingerprint(entry), kept }]);
    expect(undone).toEqual({ removed: ['a.azurecr.io'], restored: [], changed: [], handedOn: [] });
    expect(JSON.parse(readFileSync(path, 'utf8')).auths).toEqual({});
  });
});
