// Puts stand-ins of docker's native credential stores (credential-store-standin.cjs) where docker finds them: a
// `docker-credential-<name>` program in a folder for PATH, each keeping its entries in a JSON file of its own.
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STANDIN = join(__dirname, 'credential-store-standin.cjs');

export interface StoreEntry {
  Username: string;
  Secret: string;
}

export interface CredentialStore {
  name: string;
  entries(): Record<string, StoreEntry>;
  seed(entries: Record<string, StoreEntry>): void;
}

export interface WindowsStoreProgram {
  /** The Windows node.exe that runs the stand-in. */
  node: string;
  /** The Windows path of a Linux path. */
  path: (linuxPath: string) => string;
  /**
   * tools/docker-win/exe-launcher.exe: the store is `docker-credential-<name>.exe`, as the real ones are, for a Windows
   * docker.exe (under Wine, a program a `.cmd` starts never sees the end of docker's stdin). Else a `.cmd`.
   */
  exeLauncher?: string;
}

/**
 * Real stores' limits: wincred (and Docker Desktop on Windows) 2,560 bytes; `noGui`: osxkeychain without a desktop
 * session. With `windows`, a `docker-credential-<name>.cmd` (or `.exe`) for Windows programs under Wine, run by this
 * Windows node.
 */
export function installCredentialStore(
  binDir: string,
  name: string,
  options: { limitBytes?: number; noGui?: boolean; windows?: WindowsStoreProgram } = {}
): CredentialStore {
  mkdirSync(binDir, { recursive: true });
  const file = join(binDir, `${name}-entries.json`);
  const limit = options.limitBytes ?? (name === 'wincred' || name === 'desktop' ? 2560 : 0);
  const program = join(binDir, `docker-credential-${name}`);
  const flags = `${limit} ${options.noGui ? 1 : 0}`;
  if (options.windows?.exeLauncher) {
    const { node, path, exeLauncher } = options.windows;
    copyFileSync(exeLauncher, `${program}.exe`);
    writeFileSync(`${program}.launch.json`, JSON.stringify([path(node), path(STANDIN), path(file), ...flags.split(' ')]));
  } else if (options.windows) {
    const { node, path } = options.windows;
    writeFileSync(`${program}.cmd`, `@"${path(node)}" "${path(STANDIN)}" "${path(file)}" ${flags} %*\r\n`);
  } else {
    writeFileSync(program, `#!/bin/sh\nexec '${process.execPath}' '${STANDIN}' '${file}' ${flags} "$@"\n`);
    chmodSync(program, 0o755);
  }
  writeFileSync(file, '{}');
  return {
    name,
    entries: () => JSON.parse(readFileSync(file, 'utf8')),
    seed: (entries) => writeFileSync(file, JSON.stringify(entries))
  };
}
