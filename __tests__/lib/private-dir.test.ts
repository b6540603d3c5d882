// Private directories and files: only this user's own are used; another user's, or a link, never.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePrivateDir, privateDirExists, readOwnFile } from '../../src/lib/private-dir';

const NOBODY = 65534;
const fresh = (): string => mkdtempSync(join(tmpdir(), 'private-dir-'));

it('creates a missing directory, and the acr-login directory above it, private (0700)', async () => {
  const dir = join(fresh(), 'acr-login', 'bin');
  await ensurePrivateDir(dir, 'launcher');
  expect(statSync(dir).mode & 0o777).toBe(0o700);
  expect(statSync(join(dir, '..')).mode & 0o777).toBe(0o700);
  await expect(privateDirExists(dir, 'launcher')).resolves.toBe(true);
  await expect(privateDirExists(join(dir, 'absent'), 'launcher')).resolves.toBe(false);
});

describe('refuses a directory that is not this user’s own, naming it, and changes nothing', () => {
  const planted: Array<[string, (dir: string) => string]> = [
    [
      'owned by another user',
      (dir) => {
        mkdirSync(dir, { mode: 0o700 });
        chownSync(dir, NOBODY, NOBODY);
        return `it belongs to uid ${NOBODY}, not to this user`;
      }
    ],
    [
      'a symbolic link to a directory of this user',
      (dir) => {
        const target = fresh();
        symlinkSync(target, dir);
        return 'it is a symbolic link';
      }
    ],
    [
      'writable by the group',
      (dir) => {
        mkdirSync(dir);
        chmodSync(dir, 0o770);
        return 'group or others may write to it (mode 770)';
      }
    ],
    [
      'a file',
      (dir) => {
        writeFileSync(dir, '');
        return 'it is not a directory';
      }
    ]
  ];

  it.each(planted)('%s', async (_name, plant) => {
    const dir = join(fresh(), 'acr-login');
    const why = plant(dir);
    const before = statSync(dir);
    await expect(ensurePrivateDir(dir, 'token cache')).rejects.toThrow(`refusing the token cache directory ${dir}: ${why}`);
    await expect(privateDirExists(dir, 'token cache')).rejects.toThrow(`refusing the token cache directory ${dir}`);
    const after = statSync(dir);
    expect([after.mode, after.uid]).toEqual([before.mode, before.uid]);
  });

  it('a directory inside an acr-login directory of another user', async () => {
    const root = join(fresh(), 'acr-login');
    mkdirSync(join(root, 'bin'), { recursive: true, mode: 0o700 });
    chownSync(root, NOBODY, NOBODY);
    await expect(ensurePrivateDir(join(root, 'bin'), 'launcher')).rejects.toThrow(
      `refusing the launcher directory ${root}: it belongs to uid`
    );
  });
});

it('reads only regular files of this user, never through a link', async () => {
  const dir = fresh();
  const own = join(dir, 'own.json');
  writeFileSync(own, 'mine');
  const others = join(dir, 'others.json');
  writeFileSync(others, 'planted');
  chownSync(others, NOBODY, NOBODY);
  const link = join(dir, 'link.json');
  symlinkSync(own, link);
  await expect(readOwnFile(own)).resolves.toBe('mine');
  await expect(readOwnFile(others)).resolves.toBeUndefined();
  await expect(readOwnFile(link)).resolves.toBeUndefined();
  await expect(readOwnFile(dir)).resolves.toBeUndefined();
  await expect(readOwnFile(join(dir, 'absent'))).resolves.toBeUndefined();
});
