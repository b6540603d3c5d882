// Which store docker hands a login to, and the one line for a store's refusal (the stand-in's message is the real one).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialStoreFor, keepStoreEntries, storeRefusal } from '../../../src/core/docker/credential-store';
import { installCredentialStore } from '../../../test/support/credential-stores';
import { runProcess } from '../../../test/support/spawn-node';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function bin(...stores: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'stores-'));
  dirs.push(dir);
  for (const store of stores) installCredentialStore(dir, store);
  return dir;
}

describe('the store docker uses', () => {
  it('a credHelpers entry, else credsStore', () => {
    expect(credentialStoreFor({ credsStore: 'desktop', credHelpers: { r: 'ecr-login' } }, 'r', {})).toEqual({
      store: 'ecr-login',
      picked: false
    });
    expect(credentialStoreFor({ credsStore: 'desktop', auths: { r: {} } }, 'r', {})).toEqual({ store: 'desktop', picked: false });
  });

  it("the platform's own, picked by docker only for a config without credentials and when its program is on PATH", () => {
    const path = bin('secretservice', 'osxkeychain');
    expect(credentialStoreFor({}, 'r', { PATH: path, HOME: path }, 'linux')).toEqual({ store: 'secretservice', picked: true });
    expect(credentialStoreFor({}, 'r', { PATH: path }, 'darwin')).toEqual({ store: 'osxkeychain', picked: true });
    expect(credentialStoreFor({ auths: { other: {} } }, 'r', { PATH: path, HOME: path }, 'linux')).toBeUndefined();
    expect(credentialStoreFor({}, 'r', { PATH: bin(), HOME: path }, 'linux')).toBeUndefined();
  });
});

describe('a refusal is one line naming the store and the way that works', () => {
  it("wincred's refusal of a secret over 2,560 bytes", async () => {
    const dir = bin('wincred');
    const refused = await runProcess(join(dir, 'docker-credential-wincred'), ['store'], {
      env: { PATH: '/usr/bin:/bin' },
      stdin: JSON.stringify({ ServerURL: 'r', Username: 'u', Secret: 'x'.repeat(2561) })
    });
    expect(refused.exitCode).toBe(1);
    expect(storeRefusal('wincred', refused.stdout)).toMatch(
      /^docker login cannot keep the token in wincred \(.*2,560 bytes.*\): use login: auto or login: helper/
    );
    expect(storeRefusal('wincred', 'unauthorized')).toBeUndefined();
  });
});

describe('a store that answers without end', () => {
  it('is stopped past 64 KiB, and the login fails with one line naming it, before docker runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stores-'));
    dirs.push(dir);
    const store = join(dir, 'docker-credential-endless');
    writeFileSync(store, '#!/bin/sh\nexec /usr/bin/yes credential\n', { mode: 0o755 });
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify({ credsStore: 'endless' }));
    const written = [{ server: 'myregistry.azurecr.io', fingerprint: 'x', kept: join(dir, 'kept', 'entry.json') }];
    await expect(keepStoreEntries(configPath, written, { PATH: dir, HOME: dir })).rejects.toThrow(
      'cannot read the earlier entry for myregistry.azurecr.io from docker-credential-endless: its answer ran over 64 KiB; use login: auto or login: helper, which leave the store untouched'
    );
  });
});
