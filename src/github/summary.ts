import * as core from '@actions/core';
import type { LoginOptions, LoginResult, RegistryCredential } from '../core';
import { LoginError } from '../lib/errors';
import { tableCell } from '../lib/log-text';

/** The `job-summary` input: on unless it says false. */
export function jobSummaryWanted(input: string): boolean {
  const value = input.trim();
  if (value === '' || /^(true|yes|1)$/i.test(value)) return true;
  if (/^(false|no|0)$/i.test(value)) return false;
  throw new LoginError(`job-summary '${value}' is not valid; use true or false`);
}

/** One row per registry: who logged in, for which audience, where the credential went, until when. Never a secret. */
export function summaryRows(result: LoginResult, options: LoginOptions): string[][] {
  const { choice, resource } = options.audience;
  const audience = options.credential.kind === 'token' ? 'none (username and password)' : choice === 'custom' ? resource : choice;
  return result.credentials.map((credential) => [
    credential.registry.loginServer,
    identityOf(credential),
    audience,
    result.mode,
    credential.expiresOn?.toISOString() ?? 'not known (a password)'
  ]);
}

const HEADER = ['Registry', 'Identity', 'Audience', 'Login', 'Expires'];

/** Appends this step's table to the job summary (GITHUB_STEP_SUMMARY); a summary that cannot be written is a warning. */
export async function writeJobSummary(result: LoginResult, options: LoginOptions): Promise<void> {
  try {
    await core.summary
      .addHeading('ACR login', 3)
      .addTable([HEADER.map((data) => ({ data, header: true })), ...summaryRows(result, options).map((row) => row.map(tableCell))])
      .write();
  } catch (error) {
    core.warning(`The job summary was not written: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function identityOf(credential: RegistryCredential): string {
  const { clientId, objectId } = credential.identity ?? {};
  if (clientId && objectId) return `client ${clientId} (object ${objectId})`;
  if (clientId || objectId) return clientId ? `client ${clientId}` : `object ${objectId}`;
  return credential.identity ? 'the Entra identity (its token names no id)' : `user ${credential.username}`;
}
