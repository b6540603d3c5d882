// Puts stand-ins of docker's native credential stores (credential-store-standin.cjs) where docker finds them: a
// `docker-credential-<name>` program in a folder for PATH, each keeping its entries in a JSON file of its own.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/**
 * Real stores' limits: wincred (and Docker Desktop on Windows) 2,560 bytes; `noGui`: osxkeychain without a desktop
 * session. With `windows`, a `docker-credential-<name>.cmd` for Windows programs under Wine, run by this Windows node.
 */
export function installCredentialStore(
  binDir: string,
  name: string,
  options: { limitBytes?: number; noGui?: boolean; windows?: { node: string; path: (linuxPath: string) => string } } = {}
): CredentialStore {
  mkdirSync(binDir, { recursive: true });
  const file = join(binDir, `${name}-entries.json`);
  const limit = options.limitBytes ?? (name === 'wincred' || name === 'desktop' ? 2560 : 0);
  const program = join(binDir, `docker-credential-${name}`);
  const flags = `${limit} ${options.noGui ? 1 : 0}`;
  if (options.windows) {
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
