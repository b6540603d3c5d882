/** What the post step needs to undo exactly this step's logins; never holds a secret. */
export const STATE_MODES = ['docker', 'config', 'helper'] as const;

export interface LoginState {
  mode: (typeof STATE_MODES)[number];
  configPath?: string;
  /** login: helper — the helper's settings file and token cache, cleaned for these servers at logout. */
  settingsPath?: string;
  cacheDir?: string;
  /** `kept`: the private file holding the entry this login replaced, put back by the logout (absent: none replaced). */
  servers: Array<{ server: string; fingerprint: string; kept?: string }>;
}

export function serializeState(state: LoginState): string {
  return JSON.stringify(state);
}

export function parseState(text: string): LoginState | undefined {
  if (!text) return undefined;
  try {
    const state = JSON.parse(text) as LoginState;
    const validServer = (entry: LoginState['servers'][number]): boolean =>
      typeof entry?.server === 'string' &&
      typeof entry.fingerprint === 'string' &&
      (entry.kept === undefined || typeof entry.kept === 'string');
    if (STATE_MODES.includes(state.mode) && Array.isArray(state.servers) && state.servers.every(validServer)) return state;
  } catch {
    // an unreadable state means nothing to undo
  }
  return undefined;
}
