import { isServerWritten, LoginState, parseState, settleKept, STATE_MODES } from '../core';
import type { ServerWritten, WrittenAlso } from '../core';
import { dirname } from 'node:path';
import { editJsonFile } from '../lib/locked-file';
import { ensurePrivateDir } from '../lib/private-dir';

/** Fails (one line naming it) before anything is written when the records' directory cannot be this user's own. */
export async function ensureRecordsDir(path: string): Promise<void> {
  await ensurePrivateDir(dirname(path), 'login records');
}

/** One server the command line wrote credentials for, and where: what `acr-login logout` undoes. */
type LoginRecord = Omit<LoginState, 'servers'> & LoginState['servers'][number];

/**
 * Adds what a login saved (the core's logout state, no secret) to the records, replacing older records
 * of the same servers and place; of two entries kept aside for one server, the one the logout should
 * put back stays recorded (see settleKept).
 */
export async function recordLogin(path: string, stateText: string): Promise<void> {
  const state = parseState(stateText);
  if (!state) return;
  const { servers, ...where } = state;
  const section = where.mode === 'helper' ? 'credHelpers' : 'auths';
  let replaced: LoginRecord[] = [];
  await edit(path, (records) => {
    const samePlace = (record: LoginRecord, server: string): boolean =>
      record.server === server && record.mode === where.mode && record.configPath === where.configPath;
    replaced = records.filter((record) => servers.some((entry) => samePlace(record, entry.server)));
    return [...records.filter((record) => !replaced.includes(record)), ...servers.map((entry) => ({ ...where, ...entry }))];
  });
  const settled: LoginRecord[] = [];
  for (const entry of servers) {
    const older = replaced.find((record) => record.server === entry.server);
    if (!older) continue;
    const kept = await settleKept(older, entry, section, entry.server);
    const also = await settleAlso(older, entry, section);
    if (kept !== entry.kept || also !== entry.also)
      settled.push({ ...where, ...entry, ...(kept ? { kept } : {}), ...(also ? { also } : {}) });
  }
  if (settled.length === 0) return;
  await edit(path, (records) =>
    records.map(
      (record) =>
        settled.find((entry) => entry.server === record.server && entry.mode === record.mode && entry.configPath === record.configPath) ??
        record
    )
  );
}

/** Removes the records of these servers (all when none are named) and returns them as logout states, one per place written. */
export async function takeRecords(path: string, servers?: string[]): Promise<LoginState[]> {
  let taken: LoginRecord[] = [];
  await edit(path, (records) => {
    taken = records.filter((record) => !servers || servers.includes(record.server));
    return records.filter((record) => !taken.includes(record));
  });
  const states = new Map<string, LoginState>();
  for (const { server, fingerprint, kept, also, ...where } of taken) {
    const key = JSON.stringify([where.mode, where.configPath, where.settingsPath, where.cacheDir]);
    const state = states.get(key) ?? { ...where, servers: [] };
    state.servers.push({ server, fingerprint, ...(kept ? { kept } : {}), ...(also ? { also } : {}) });
    states.set(key, state);
  }
  return [...states.values()];
}

/**
 * The other clients' files of a login recorded again: per file, the kept entry the logout should put
 * back (see settleKept); a file only the older login wrote stays recorded with the older fingerprint.
 */
async function settleAlso(older: LoginRecord, newer: ServerWritten, section: 'auths' | 'credHelpers'): Promise<WrittenAlso[] | undefined> {
  if (!older.also?.length) return newer.also;
  const settled: WrittenAlso[] = [];
  for (const also of newer.also ?? []) {
    const before = older.also.find((entry) => entry.path === also.path);
    const olderWritten = { fingerprint: before?.fingerprint ?? older.fingerprint, ...(before?.kept ? { kept: before.kept } : {}) };
    const kept = before ? await settleKept(olderWritten, also, section, newer.server) : also.kept;
    settled.push({ ...also, ...(kept ? { kept } : {}) });
  }
  for (const before of older.also) {
    if (!settled.some((also) => also.path === before.path)) settled.push({ fingerprint: older.fingerprint, ...before });
  }
  return settled;
}

async function edit(path: string, change: (records: LoginRecord[]) => LoginRecord[]): Promise<void> {
  await editJsonFile(path, 'login records', (file) => {
    const records = Array.isArray(file?.logins) ? (file.logins as unknown[]).filter(isRecord) : [];
    return { version: 1, logins: change(records) };
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
