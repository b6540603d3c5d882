import { accessSync, constants, existsSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import { delimiter, join } from 'node:path';
import { runChild, type ChildRun } from '../../lib/child-process';
import { describeError, LoginError } from '../../lib/errors';
import { readJsonObject, writeFileAtomic } from '../../lib/locked-file';
import { ensurePrivateDir } from '../../lib/private-dir';
import { userHome } from '../helper/paths';
import { DockerConfig, readConfigFile, updateConfig, Written } from './config';

// login: docker hands the token to whatever credential store docker uses: the one the config names (`credsStore`, a
// `credHelpers` entry), or, for a config that holds no credentials at all, the platform's own that docker picks by
// itself when its program is on PATH (and then writes `"credsStore"` into the config). `docker login` replaces the
// user's entry for the registry in that store and `docker logout` deletes it: the entry is read before the login
// (`docker-credential-<store> get`), kept aside privately, and put back (`store`) after the logout.

const STORE_DEADLINE_MS = 30000;
/** A store's answer is one small JSON object; past this the store is stopped and its answer not used. */
const STORE_ANSWER_LIMIT = 64 * 1024;
/** What every docker-credential-* helper answers to a get for a server it holds nothing for. */
const NOT_FOUND = /credentials not found/i;

/** The store docker would use for `server` with this config, and whether docker picks it by itself (it is not named). */
export function credentialStoreFor(
  config: DockerConfig,
  server: string,
  env: NodeJS.ProcessEnv,
  os: NodeJS.Platform = process.platform
): { store: string; picked: boolean } | undefined {
  const helper = config.credHelpers?.[server];
  if (typeof helper === 'string' && helper !== '') return { store: helper, picked: false };
  if (typeof config.credsStore === 'string' && config.credsStore !== '') return { store: config.credsStore, picked: false };
  // docker picks a store only for a config holding no credentials (no auths, credsStore or credHelpers).
  if (Object.keys(config.auths ?? {}).length > 0 || Object.keys(config.credHelpers ?? {}).length > 0) return undefined;
  const store = platformStore(env, os);
  return store && storeProgram(store, env, os) ? { store, picked: true } : undefined;
}

/** The store docker picks by itself: wincred on Windows, osxkeychain on macOS, pass (when set up) or secretservice on Linux. */
function platformStore(env: NodeJS.ProcessEnv, os: NodeJS.Platform): string | undefined {
  if (os === 'win32') return 'wincred';
  if (os === 'darwin') return 'osxkeychain';
  if (os !== 'linux') return undefined;
  const passDir = env.PASSWORD_STORE_DIR || join(userHome(env, os), '.password-store');
  return storeProgram('pass', env, os) && existsSync(join(passDir, '.gpg-id')) ? 'pass' : 'secretservice';
}

/** `docker-credential-<store>` on PATH (with PATHEXT's extensions on Windows), as docker finds it. */
function storeProgram(store: string, env: NodeJS.ProcessEnv, os: NodeJS.Platform = process.platform): string | undefined {
  const name = `docker-credential-${store}`;
  const extensions = os === 'win32' ? (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean) : [''];
  for (const dir of (env.PATH ?? env.Path ?? '').split(os === 'win32' ? ';' : delimiter).filter(Boolean)) {
    for (const extension of extensions) {
      const candidate = join(dir, name + extension.toLowerCase());
      try {
        accessSync(candidate, os === 'win32' ? constants.F_OK : constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** Runs `docker-credential-<store> ACTION` with `input` on stdin, as docker does; its answer and exit code. */
async function runStore(
  store: string,
  action: string,
  input: string,
  env: NodeJS.ProcessEnv
): Promise<{ exitCode: number; answer: string }> {
  const program = storeProgram(store, env);
  if (!program) throw new LoginError(`docker-credential-${store} is not on PATH`);
  const windowsScript = process.platform === 'win32' && /\.(cmd|bat)$/i.test(program);
  const [command, args] = windowsScript ? [env.ComSpec ?? 'cmd.exe', ['/d', '/s', '/c', `""${program}" ${action}"`]] : [program, [action]];
  let run: ChildRun;
  try {
    run = await runChild(command, args, {
      env,
      input,
      deadlineMs: STORE_DEADLINE_MS,
      read: 'stdout',
      bound: { limit: STORE_ANSWER_LIMIT },
      windowsVerbatimArguments: windowsScript
    });
  } catch (error) {
    throw new LoginError(`cannot run docker-credential-${store}: ${describeError(error)}`);
  }
  if (run.overLimit) return { exitCode: -1, answer: `its answer ran over ${STORE_ANSWER_LIMIT / 1024} KiB` };
  if (run.killedAfterMs !== undefined) return { exitCode: -1, answer: `it did not answer within ${STORE_DEADLINE_MS / 1000} s` };
  return { exitCode: run.exitCode, answer: run.output.trim() };
}

/** What is kept of a store's entry, beside the kept `auths` entry: the store, whether docker named it itself, the entry. */
interface KeptStoreEntry {
  version: 1;
  store: string;
  server: string;
  /** The config named no credsStore before the login: the logout takes away the one docker wrote. */
  addedCredsStore: boolean;
  entry?: { Username: string; Secret: string };
}

function keptStoreFile(kept: string): string {
  return kept.replace(/\.json$/, '') + '.store.json';
}

/**
 * Before docker login: for each server docker will hand to a store, reads that store's entry (if any) and keeps it
 * aside privately for the logout. Returns the stores, by server, for the error line of a refused login.
 */
export async function keepStoreEntries(configPath: string, written: Written[], env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const config = await readConfigFile(configPath);
  const stores: Record<string, string> = {};
  for (const { server, kept } of written) {
    const found = credentialStoreFor(config, server, env);
    if (!found) continue;
    stores[server] = found.store;
    if (!kept) continue;
    const got = await runStore(found.store, 'get', server, env);
    let entry: KeptStoreEntry['entry'];
    if (got.exitCode === 0) {
      const parsed = parseEntry(got.answer);
      if (!parsed)
        throw new LoginError(`docker-credential-${found.store} answered get for ${server} with something else than a credential`);
      entry = parsed;
    } else if (!NOT_FOUND.test(got.answer)) {
      throw new LoginError(
        `cannot read the earlier entry for ${server} from docker-credential-${found.store}: ${oneLine(got.answer)}; use login: auto or login: helper, which leave the store untouched`
      );
    }
    const keptEntry: KeptStoreEntry = {
      version: 1,
      store: found.store,
      server,
      addedCredsStore: found.picked,
      ...(entry ? { entry } : {})
    };
    await ensurePrivateDir(join(kept, '..'), 'kept docker config entries');
    await writeFileAtomic(keptStoreFile(kept), `${JSON.stringify(keptEntry)}\n`);
  }
  return stores;
}

/**
 * After docker logout: puts each store's earlier entry back (`store`), and takes away a `credsStore` that docker wrote
 * into a config that named none. Returns `server (store)` for each entry put back.
 */
export async function restoreStoreEntries(configPath: string, written: Written[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const restored: string[] = [];
  for (const { server, kept } of written) {
    if (!kept) continue;
    const file = keptStoreFile(kept);
    const keptEntry = (await readJsonObject(file)) as Partial<KeptStoreEntry> | undefined;
    if (!keptEntry || keptEntry.version !== 1 || keptEntry.server !== server || typeof keptEntry.store !== 'string') continue;
    try {
      if (keptEntry.entry) {
        const request = JSON.stringify({ ServerURL: server, Username: keptEntry.entry.Username, Secret: keptEntry.entry.Secret });
        const put = await runStore(keptEntry.store, 'store', request, env);
        if (put.exitCode !== 0)
          throw new LoginError(`docker-credential-${keptEntry.store} refused the earlier entry for ${server}: ${oneLine(put.answer)}`);
        restored.push(`${server} (${keptEntry.store})`);
      }
      if (keptEntry.addedCredsStore) {
        const store = keptEntry.store;
        await updateConfig(configPath, (config) => {
          if (config.credsStore !== store) return { changed: false, result: undefined };
          delete config.credsStore;
          return { changed: true, result: undefined };
        });
      }
    } finally {
      await fs.rm(file, { force: true });
    }
  }
  return restored;
}

/** The one line for a docker login a credential store refused: names the store and the way that works; undefined for others. */
export function storeRefusal(store: string, said: string): string | undefined {
  if (/stub received bad data/i.test(said)) {
    return `docker login cannot keep the token in ${store} (the Windows Credential Manager takes secrets of at most 2,560 bytes; ACR refresh tokens are often longer): use login: auto or login: helper, which never hand the token to a store`;
  }
  if (/user interaction is not allowed/i.test(said)) {
    return `docker login cannot keep the token in ${store}: the macOS keychain needs a logged-in desktop session, which launchd and SSH runners lack; use login: auto or login: helper, which never hand the token to a store`;
  }
  return undefined;
}

function parseEntry(text: string): KeptStoreEntry['entry'] {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return typeof parsed.Username === 'string' && typeof parsed.Secret === 'string'
      ? { Username: parsed.Username, Secret: parsed.Secret }
      : undefined;
  } catch {
    return undefined;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 200) || 'no answer';
}

/** The one-line error for a docker login that one of these stores refused; undefined when no store is to blame. */
export function refusedByStore(said: string, stores: Record<string, string>): LoginError | undefined {
  for (const store of new Set(Object.values(stores))) {
    const line = storeRefusal(store, said);
    if (line) return new LoginError(line);
  }
  return undefined;
}
