import { LoginError } from '../../lib/errors';
import { dirname } from 'node:path';
import { editJsonFile, readJsonObject } from '../../lib/locked-file';
import { CLOUD_NAMES, type CloudName } from '../entra/clouds';
import { privateDirExists } from '../../lib/private-dir';
import { AUTH_TYPES, type LoginOptions } from '../options';
import type { FederationSetting } from '../token-source';
import type { Registry } from '../registry/names';
import type { CacheIdentity } from './token-cache';

/**
 * What `login: helper` records for one registry so the credential helper can sign in again later:
 * never a secret (the client secret, if any, comes from AZURE_CLIENT_SECRET when the helper runs).
 */
export interface HelperSettings {
  /** `https://<server>`, or `http://` for a loopback registry: docker sends the helper the bare host. */
  baseUrl: string;
  authType: 'oidc' | 'service-principal' | 'managed-identity';
  clientId?: string;
  tenantId?: string;
  /** The cloud the login was made in; older records lack it (the registry's suffix tells). */
  environment?: CloudName;
  authorityHost: string;
  /** token-audience as given: acr, arm or an audience URI. */
  audience: string;
  /** oidc-audience, when it was not the cloud's own. */
  oidcAudience?: string;
  federation?: FederationSetting;
  /** A certificate given as a file path (PEM text is a secret and is not recorded). */
  certificatePath?: string;
}

/** The auth types the helper can renew: those that sign in to Entra ID. */
const RENEWABLE_AUTH_TYPES: readonly string[] = AUTH_TYPES.filter((type) => type !== 'auto' && type !== 'token');

export function helperSettingsOf(
  options: Pick<LoginOptions, 'credential' | 'cloud' | 'authorityHost' | 'audience' | 'federatedAudience'>,
  registry: Registry
): HelperSettings {
  const { credential, audience, cloud } = options;
  if (credential.kind === 'token') throw new LoginError('the credential helper renews Entra ID logins only');
  const settings: HelperSettings = {
    baseUrl: registry.baseUrl,
    authType: credential.kind,
    environment: cloud.name,
    authorityHost: options.authorityHost,
    audience: audience.choice === 'custom' ? audience.resource : audience.choice
  };
  if (options.federatedAudience !== cloud.federatedTokenAudience) settings.oidcAudience = options.federatedAudience;
  if (credential.clientId) settings.clientId = credential.clientId;
  if ('tenantId' in credential) settings.tenantId = credential.tenantId;
  if (credential.kind === 'oidc' && credential.source.setting) settings.federation = credential.source.setting;
  if ('certificate' in credential && !credential.certificate.includes('-----BEGIN')) settings.certificatePath = credential.certificate;
  return settings;
}

/** The cache key part of the settings: which identity, where, for which audience. */
export function cacheIdentityOf(settings: HelperSettings): CacheIdentity {
  const identity: CacheIdentity = { kind: settings.authType, authorityHost: settings.authorityHost, audience: settings.audience };
  if (settings.clientId) identity.clientId = settings.clientId;
  if (settings.tenantId) identity.tenantId = settings.tenantId;
  return identity;
}

/** Adds or replaces the settings of these servers, keeping the others. */
export async function recordHelperSettings(path: string, entries: Record<string, HelperSettings>): Promise<void> {
  await edit(path, (registries) => {
    Object.assign(registries, entries);
    return true;
  });
}

/** Removes the settings of these servers (all when none are named); returns the servers removed. */
export async function removeHelperSettings(path: string, servers?: string[]): Promise<string[]> {
  let removed: string[] = [];
  await edit(path, (registries) => {
    removed = Object.keys(registries).filter((server) => !servers || servers.includes(server));
    for (const server of removed) delete registries[server];
    return removed.length > 0;
  });
  return removed;
}

/**
 * One live `login: helper` of a server on one docker config, until its logout. Several jobs on one
 * config share its credHelpers entry (it names the helper for all of them), so the settings file
 * counts them: the newest live login's settings answer, and only the last one out undoes the entry.
 */
export interface HelperHolder {
  id: string;
  /** Where this login kept the entry its credHelpers entry replaced; passed to the next holder when it leaves first. */
  kept?: string;
  settings: HelperSettings;
}

/** Records the login `id` for these servers (its settings answer from now on); returns the servers other live logins hold too. */
export async function joinHelperSettings(
  path: string,
  id: string,
  entries: Record<string, { settings: HelperSettings; kept?: string }>
): Promise<Set<string>> {
  const shared = new Set<string>();
  await editHolders(path, (registries, holders) => {
    for (const [server, { settings, kept }] of Object.entries(entries)) {
      const others = (holders[server] ?? []).filter((holder) => holder.id !== id);
      if (others.length > 0) shared.add(server);
      holders[server] = [...others, { id, settings, ...(kept ? { kept } : {}) }];
      registries[server] = settings;
    }
  });
  return shared;
}

/**
 * The login `id` leaves these servers: its settings go, and the newest remaining login's answer
 * again. Returns the login still holding each server, if any. A login recorded without an id (an
 * older version) leaves the server to nobody.
 */
export async function leaveHelperSettings(path: string, id: string, servers: string[]): Promise<Map<string, HelperHolder | undefined>> {
  const left = new Map<string, HelperHolder | undefined>();
  await editHolders(path, (registries, holders) => {
    for (const server of servers) {
      const remaining = (holders[server] ?? []).filter((holder) => holder.id !== id);
      const newest = remaining[remaining.length - 1];
      left.set(server, newest);
      if (newest) {
        holders[server] = remaining;
        registries[server] = newest.settings;
      } else {
        delete holders[server];
        delete registries[server];
      }
    }
  });
  return left;
}

async function editHolders(
  path: string,
  change: (registries: Record<string, HelperSettings>, holders: Record<string, HelperHolder[]>) => void
): Promise<void> {
  await editJsonFile(path, 'credential helper settings', (file) => {
    const registries = settingsIn(file);
    const holders = holdersIn(file);
    change(registries, holders);
    return { version: 1, registries, holders };
  });
}

function holdersIn(file: Record<string, unknown> | undefined): Record<string, HelperHolder[]> {
  const all = file?.version === 1 && isObject(file.holders) ? file.holders : {};
  const valid: Record<string, HelperHolder[]> = {};
  for (const [server, list] of Object.entries(all)) {
    if (!Array.isArray(list)) continue;
    valid[server] = list.filter(
      (holder): holder is HelperHolder =>
        isObject(holder) &&
        typeof holder.id === 'string' &&
        (holder.kept === undefined || typeof holder.kept === 'string') &&
        isSettings(holder.settings)
    );
  }
  return valid;
}

/**
 * Every recorded server with its settings; an unreadable file records nothing. Settings say where to
 * sign in (with the secret from the environment): only a file of this user, in a directory of this
 * user, is read.
 */
export async function readHelperSettings(path: string): Promise<Record<string, HelperSettings>> {
  if (!(await privateDirExists(dirname(path), 'credential helper settings'))) return {};
  return settingsIn(await readJsonObject(path));
}

function settingsIn(file: Record<string, unknown> | undefined): Record<string, HelperSettings> {
  const registries = file?.version === 1 && isObject(file.registries) ? file.registries : {};
  const valid: Record<string, HelperSettings> = {};
  for (const [server, value] of Object.entries(registries)) {
    if (isSettings(value)) valid[server] = value;
  }
  return valid;
}

async function edit(path: string, change: (registries: Record<string, HelperSettings>) => boolean): Promise<void> {
  await editJsonFile(path, 'credential helper settings', (file) => {
    const registries = settingsIn(file);
    return change(registries) ? { version: 1, registries, holders: holdersIn(file) } : undefined;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSettings(value: unknown): value is HelperSettings {
  if (!isObject(value)) return false;
  return (
    typeof value.baseUrl === 'string' &&
    /^https?:\/\/[^/]+$/.test(value.baseUrl) &&
    typeof value.authType === 'string' &&
    RENEWABLE_AUTH_TYPES.includes(value.authType) &&
    typeof value.authorityHost === 'string' &&
    typeof value.audience === 'string' &&
    (value.audience === 'acr' || value.audience === 'arm' || value.audience.startsWith('https://')) &&
    (value.environment === undefined || (CLOUD_NAMES as readonly unknown[]).includes(value.environment)) &&
    (value.oidcAudience === undefined || typeof value.oidcAudience === 'string')
  );
}
