// What the stand-ins may count on from the operating system they run on. Linux has the whole 127.0.0.0/8 on its
// loopback, /bin/sh and libfaketime; macOS has only 127.0.0.1 on lo0 unless an alias is added; Windows has no /bin/sh
// and no process groups. ACR_LOGIN_STANDIN_PLATFORM=darwin or win32 makes the stand-ins behave as on that system
// here (a test-support switch: it changes how the stand-ins start, never the product), to try the portable paths on Linux.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export const STANDIN_PLATFORM_ENV = 'ACR_LOGIN_STANDIN_PLATFORM';

const KNOWN: readonly NodeJS.Platform[] = ['linux', 'darwin', 'win32'];

/** The system the stand-ins start as: this one, or the one ACR_LOGIN_STANDIN_PLATFORM names. */
export function standInPlatform(): NodeJS.Platform {
  const asked = process.env[STANDIN_PLATFORM_ENV] as NodeJS.Platform | undefined;
  if (asked && !KNOWN.includes(asked)) throw new Error(`${STANDIN_PLATFORM_ENV}=${asked}: use one of ${KNOWN.join(', ')}`);
  return asked ?? process.platform;
}

/**
 * The loopback address of the second registry: 127.0.0.2 where the whole 127.0.0.0/8 answers (Linux), so the two login
 * servers differ by host as well as by port; 127.0.0.1 elsewhere (macOS answers 127.0.0.1 only).
 */
export function secondLoopbackAddress(): string {
  return standInPlatform() === 'linux' ? '127.0.0.2' : '127.0.0.1';
}

/** `name` in one of the PATH directories (with PATHEXT's endings on Windows), as a shell would find it; undefined if none. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const windows = process.platform === 'win32';
  const endings = windows ? (env['PATHEXT'] ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean) : [''];
  for (const dir of (env['PATH'] ?? env['Path'] ?? '').split(delimiter).filter(Boolean)) {
    for (const ending of endings) {
      const candidate = join(dir, `${name}${ending}`);
      try {
        accessSync(candidate, windows ? constants.F_OK : constants.X_OK);
        return candidate;
      } catch {
        /* not here */
      }
    }
  }
  return undefined;
}
