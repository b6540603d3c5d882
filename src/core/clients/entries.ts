import { createHash } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { AuthEntry, removeAuths, Undone, writeAuths, Written } from '../docker/config';
import { removeCredHelpers, writeCredHelpers } from '../docker/cred-helpers';
import { dropKept, passKept } from '../docker/kept';
import { describeError } from '../../lib/errors';
import type { LoginState, ServerWritten, WrittenAlso } from '../state';
import type { Platform } from '../platform';
import { ClientAuthFile, HELM_CLIENT } from './auth-files';

/**
 * For one server's state: the other files it is written to, each with the file for the entry it
 * replaces there, named after the docker config's (`kept`), so that a later login of the helper that
 * shares the entry can be handed it (alsoKeptFile); absent when the logout will not run.
 */
export function writtenAlso(files: ClientAuthFile[], kept: string | undefined): { also?: WrittenAlso[] } {
  if (files.length === 0) return {};
  return { also: files.map((file) => ({ path: file.path, ...(kept ? { kept: alsoKeptFile(kept, file.path) } : {}) })) };
}

/** Where a login whose docker config entry is kept in `kept` keeps the entry it replaced in `path`. */
function alsoKeptFile(kept: string, path: string): string {
  const name = createHash('sha256')
    .update(`${basename(kept)}\0${resolve(path)}`)
    .digest('hex')
    .slice(0, 24);
  return join(dirname(kept), `${name}.json`);
}

/** login: config and docker — the same `auths` entries in each file, an entry replaced kept aside for the logout. */
export async function writeClientAuths(
  files: ClientAuthFile[],
  entries: AuthEntry[],
  written: ServerWritten[],
  platform: Platform
): Promise<void> {
  for (const file of files) {
    const { credsStore, overriddenBy } = await writeAuths(
      file.path,
      entries.map((entry) => ({ ...entry, kept: keptIn(written, entry.server, file.path) }))
    );
    for (const [server, helper] of Object.entries(overriddenBy)) {
      platform.warning(
        `${file.path} names credHelpers '${helper}' for ${server}: ${file.readers} ask docker-credential-${helper} and ignore the auths entry just written; remove that credHelpers entry, or use login: helper`
      );
    }
    if (credsStore && file.readers === HELM_CLIENT) {
      platform.warning(
        `${file.path} names credsStore '${credsStore}': helm reads credentials from there, not from auths; remove credsStore, or use login: helper`
      );
    }
    platform.info(`Wrote credentials for ${servers(entries)} to ${file.path} too: ${file.readers} read it first (${file.because})`);
  }
}

/**
 * login: helper — the same `credHelpers` entries in each file, an entry replaced kept aside for the
 * logout; not where another login of the helper on the same docker config holds the server (`shared`):
 * the entry there is its, and what it kept is the user's.
 */
export async function writeClientCredHelpers(
  files: ClientAuthFile[],
  written: ServerWritten[],
  shared: Set<string>,
  platform: Platform
): Promise<void> {
  for (const file of files) {
    await writeCredHelpers(
      file.path,
      written.map(({ server }) => (shared.has(server) ? { server } : { server, kept: keptIn(written, server, file.path) }))
    );
    platform.info(`Wrote credHelpers for ${servers(written)} to ${file.path} too: ${file.readers} read it first (${file.because})`);
  }
}

/**
 * Undoes, file by file, what the login wrote besides the docker config; a problem with one file is a
 * warning. login: helper passes `heldBy`: a server another login of the helper still holds is left to
 * it, with what this login kept there (handed to the file that login keeps it in, see alsoKeptFile).
 */
export async function undoClientFiles(
  state: LoginState,
  platform: Platform,
  heldBy: Map<string, { kept?: string } | undefined> = new Map()
): Promise<void> {
  const byFile = new Map<string, Written[]>();
  for (const { server, fingerprint, also } of state.servers) {
    const holder = heldBy.get(server);
    for (const { path, kept, fingerprint: olderFingerprint } of also ?? []) {
      if (holder) {
        if (kept && holder.kept) await passKept(kept, alsoKeptFile(holder.kept, path), 'credHelpers', server);
        else if (kept) await dropKept(kept);
        continue;
      }
      byFile.set(path, [...(byFile.get(path) ?? []), { server, fingerprint: olderFingerprint ?? fingerprint, ...(kept ? { kept } : {}) }]);
    }
  }
  const what = state.mode === 'helper' ? 'the credHelpers entries' : 'credentials';
  for (const [path, written] of byFile) {
    try {
      const undone: Undone = state.mode === 'helper' ? await removeCredHelpers(path, written) : await removeAuths(path, written);
      if (undone.removed.length > 0) platform.info(`Removed ${what} for ${undone.removed.join(', ')} from ${path}`);
      if (undone.restored.length > 0) platform.info(`Put back the earlier ${what} for ${undone.restored.join(', ')} in ${path}`);
      for (const server of undone.changed) {
        if (undone.handedOn.includes(server)) platform.info(`Left ${server} in ${path} to the later login that replaced it`);
        else platform.warning(`Left ${server} in ${path}: it changed after this step wrote it`);
      }
    } catch (error) {
      platform.warning(`Logout from ${path} failed: ${describeError(error)}`);
    }
  }
}

function keptIn(written: ServerWritten[], server: string, path: string): string | undefined {
  return written.find((entry) => entry.server === server)?.also?.find((also) => also.path === path)?.kept;
}

function servers(entries: Array<{ server: string }>): string {
  return entries.map((entry) => entry.server).join(', ');
}
