// The command line's login records: what `acr-login logout` undoes, as the action's post state does for a step.
import { dirname } from 'node:path';
import { editJsonFile } from '../lib/locked-file';
import { ensurePrivateDir } from '../lib/private-dir';
import { withConfigLock } from './docker/config';
import { dropKept, keptFingerprint, passKept } from './docker/kept';
import { loginRecordsPath } from './helper/paths';
import { isServerWritten, LoginState, parseState, ServerWritten, STATE_MODES, WrittenAlso } from './state';

/** The command line's records of this user (no secret): each login recorded before it writes, taken by the logout. */
export interface LoginRecords {
  /** Fails (one line naming it) before anything is written when the records' directory cannot be this user's own. */
  ensureDir(): Promise<void>;
  record(stateText: string): Promise<void>;
  foldReplaced(stateText: string): Promise<void>;
  take(servers?: string[]): Promise<LoginState[]>;
}

export function loginRecords(env: NodeJS.ProcessEnv): LoginRecords {
  const path = loginRecordsPath(env);
  return {
    ensureDir: () => ensureRecordsDir(path),
    record: (stateText) => recordLogin(path, stateText),
    foldReplaced: (stateText) => foldReplaced(path, stateText),
    take: (servers) => takeRecords(path, servers)
  };
}

async function ensureRecordsDir(path: string): Promise<void> {
  await ensurePrivateDir(dirname(path), 'login records');
}

/** One server the command line wrote credentials for, and where: what `acr-login logout` undoes. */
type LoginRecord = Omit<LoginState, 'servers'> & LoginState['servers'][number];

/**
 * Adds what a login is about to write (the core's logout state, no secret) to the records, before
 * it is written: a run killed after its write is still undone by `acr-login logout`. Every login
 * stays recorded, in any order: each logout puts back what its login replaced, or hands it on to the
 * login that replaced its entry since (see undoEntries), so the order of the records does not matter.
 */
async function recordLogin(path: string, stateText: string): Promise<void> {
  const state = parseState(stateText);
  if (!state) return;
  const { servers, ...where } = state;
  await edit(path, (records) => [...records, ...servers.map((entry) => ({ ...where, ...entry }))]);
}

/**
 * After a login wrote: an older record of the same place whose entry it replaced is folded into it
 * (what the older one kept passes to the newer, the older record goes), so repeated logins without a
 * logout keep one record and one kept entry per server. Under the config's lock, as logouts hand on.
 * `login: helper` entries all name the helper and cannot be told apart: they are left as they are.
 */
async function foldReplaced(path: string, stateText: string): Promise<void> {
  const state = parseState(stateText);
  if (!state?.configPath || state.mode === 'helper') return;
  const configPath = state.configPath;
  await withConfigLock(configPath, () =>
    edit(path, async (records) => {
      let remaining = records;
      for (const entry of state.servers) {
        if (!entry.kept) continue;
        const replaced = await keptFingerprint(entry.kept, 'auths', entry.server);
        const older = remaining.find(
          (record) =>
            record.mode === state.mode &&
            record.configPath === configPath &&
            record.server === entry.server &&
            record.fingerprint === replaced &&
            record.kept !== undefined &&
            record.kept !== entry.kept
        );
        if (!older?.kept) continue;
        await passKept(older.kept, entry.kept, 'auths', entry.server);
        const also = await foldAlso(older, entry);
        remaining = remaining
          .filter((record) => record !== older)
          .map((record) => (record.kept === entry.kept && record.server === entry.server && also ? { ...record, also } : record));
      }
      return remaining;
    })
  );
}

/** Removes the records of these servers (all when none are named) and returns them as logout states, one per place written. */
async function takeRecords(path: string, servers?: string[]): Promise<LoginState[]> {
  let taken: LoginRecord[] = [];
  await edit(path, (records) => {
    taken = records.filter((record) => !servers || servers.includes(record.server));
    return records.filter((record) => !taken.includes(record));
  });
  const states = new Map<string, LoginState>();
  for (const { server, fingerprint, kept, also, ...where } of taken) {
    // One state per login of the helper: its logout leaves a server to the other logins still holding it.
    const key = JSON.stringify([
      where.mode,
      where.configPath,
      where.settingsPath,
      where.cacheDir,
      where.mode === 'helper' ? fingerprint : ''
    ]);
    const state = states.get(key) ?? { ...where, servers: [] };
    state.servers.push({ server, fingerprint, ...(kept ? { kept } : {}), ...(also ? { also } : {}) });
    states.set(key, state);
  }
  return [...states.values()];
}

/**
 * The other clients' files (podman's, helm's) of an older record folded into the newer: where the newer
 * login replaced the older one's entry, what the older kept passes to it; a file only the older wrote
 * stays recorded, with the older fingerprint, for the logout to undo there.
 */
async function foldAlso(older: LoginRecord, newer: ServerWritten): Promise<WrittenAlso[] | undefined> {
  if (!older.also?.length) return undefined;
  const folded: WrittenAlso[] = [...(newer.also ?? [])];
  for (const before of older.also) {
    const after = folded.find((also) => also.path === before.path);
    if (!after) folded.push({ fingerprint: older.fingerprint, ...before });
    else if (after.kept && (await keptFingerprint(after.kept, 'auths', newer.server)) === (before.fingerprint ?? older.fingerprint)) {
      if (before.kept) await passKept(before.kept, after.kept, 'auths', newer.server);
      else await dropKept(after.kept);
    } else if (before.kept) await dropKept(before.kept);
  }
  return folded;
}

async function edit(path: string, change: (records: LoginRecord[]) => LoginRecord[] | Promise<LoginRecord[]>): Promise<void> {
  await editJsonFile(path, 'login records', async (file) => {
    const records = Array.isArray(file?.logins) ? (file.logins as unknown[]).filter(isRecord) : [];
    return { version: 1, logins: await change(records) };
  });
}

function isRecord(value: unknown): value is LoginRecord {
  const record = value as Partial<LoginRecord> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    (STATE_MODES as readonly string[]).includes(record.mode ?? '') &&
    isServerWritten(record)
  );
}
