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

/** Real stores' limits: wincred (and Docker Desktop on Windows) 2,560 bytes; `noGui`: osxkeychain without a desktop session. */
export function installCredentialStore(
  binDir: string,
  name: string,
  options: { limitBytes?: number; noGui?: boolean } = {}
): CredentialStore {
  mkdirSync(binDir, { recursive: true });
  const file = join(binDir, `${name}-entries.json`);
  const limit = options.limitBytes ?? (name === 'wincred' || name === 'desktop' ? 2560 : 0);
  const program = join(binDir, `docker-credential-${name}`);
  writeFileSync(program, `#!/bin/sh\nexec '${process.execPath}' '${STANDIN}' '${file}' ${limit} ${options.noGui ? 1 : 0} "$@"\n`);
  chmodSync(program, 0o755);
  writeFileSync(file, '{}');
  return {
    name,
    entries: () => JSON.parse(readFileSync(file, 'utf8')),
    seed: (entries) => writeFileSync(file, JSON.stringify(entries))
  };
}
