/** What the post step needs to undo exactly this step's logins; never holds a secret. */
export const STATE_MODES = ['docker', 'config', 'helper'] as const;

/** The same entry written to another client's auth file (podman's, helm's), and where the entry it replaced is kept. */
export interface WrittenAlso {
  path: string;
  kept?: string;
  /** When it differs from the server's: an older login of the command line, still to be undone there. */
  fingerprint?: string;
}

/** One server this step wrote. */
export interface ServerWritten {
  server: string;
  fingerprint: string;
  /** The private file holding the entry this login replaced, put back by the logout (absent: none replaced). */
  kept?: string;
  /** Other clients' auth files holding the same entry (absent: the docker config only, as in states of earlier versions). */
  also?: WrittenAlso[];
}

export interface LoginState {
  mode: (typeof STATE_MODES)[number];
  configPath?: string;
  /** login: helper — the helper's settings file and token cache, cleaned for these servers at logout. */
  settingsPath?: string;
  cacheDir?: string;
  servers: ServerWritten[];
}

export function serializeState(state: LoginState): string {
  return JSON.stringify(state);
}

export function parseState(text: string): LoginState | undefined {
  if (!text) return undefined;
  try {
    const state = JSON.parse(text) as LoginState;
    if (STATE_MODES.includes(state.mode) && Array.isArray(state.servers) && state.servers.every(isServerWritten)) return state;
  } catch {
    // an unreadable state means nothing to undo
  }
  return undefined;
}

export function isServerWritten(entry: unknown): entry is ServerWritten {
  const written = entry as Partial<ServerWritten> | null;
  return (
    typeof written?.server === 'string' &&
    typeof written.fingerprint === 'string' &&
    isOptionalString(written.kept) &&
    (written.also === undefined || (Array.isArray(written.also) && written.also.every(isWrittenAlso)))
  );
}

function isWrittenAlso(entry: unknown): entry is WrittenAlso {
  const also = entry as Partial<WrittenAlso> | null;
  return typeof also?.path === 'string' && isOptionalString(also.kept) && isOptionalString(also.fingerprint);
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}
