import { join } from 'node:path';
import { debugSwitchedOn, launcherDir, maskableLines, Platform } from '../core';
import { oneLine, withoutAgentCommands } from '../lib/log-text';
import { proxyFromEnvironment, type ProxySettings } from '../lib/proxy';

export interface Terminal {
  platform: Platform;
  /** What the core saved for the logout, if it wrote anything. */
  savedState(): string | undefined;
  /** Prints one error line on stderr, secrets hidden. */
  error(message: string): void;
  /** From now on, the core's debug lines go to stderr too (--verbose); ACR_LOGIN_DEBUG=1 does it from the start. */
  beVerbose(): void;
}

/**
 * A terminal: every message on stderr (stdout is kept for --print), every secret the core masks
 * replaced by *** in them, and the credential helper's launcher under the XDG data directory. What
 * the core saves for the logout goes to `recordState` before the core writes anything.
 */
export function terminal(
  env: NodeJS.ProcessEnv,
  stderr: NodeJS.WritableStream = process.stderr,
  recordState?: (state: string) => Promise<void>
): Terminal {
  const secrets = new Set<string>();
  let saved: string | undefined;
  let verbose = debugSwitchedOn(env);
  let proxy: ProxySettings | undefined;
  // Secrets hidden, then one line with no agent command: the command line may run inside an Azure Pipelines step.
  const redact = (text: string): string =>
    withoutAgentCommands(
      oneLine([...secrets].sort((a, b) => b.length - a.length).reduce((result, secret) => result.split(secret).join('***'), text))
    );
  const platform: Platform = {
    info: (message) => stderr.write(`${redact(message)}\n`),
    warning: (message) => stderr.write(`warning: ${redact(message)}\n`),
    debug: (message) => {
      if (verbose) stderr.write(`debug: ${redact(message)}\n`);
    },
    mask: (secret) => maskableLines(secret).forEach((line) => secrets.add(line)),
    setOutput: () => undefined,
    saveState: async (value) => {
      saved = value;
      await recordState?.(value);
    },
    env,
    // Read when first needed, so that a malformed HTTPS_PROXY fails the login with one line.
    get proxy() {
      return (proxy ??= proxyFromEnvironment(env));
    },
    credentialHelper: {
      // The bundle is dist/cli/index.js; the helper's entry dist/credential-helper.js.
      script: join(__dirname, '..', 'credential-helper.js'),
      binDir: launcherDir(env),
      addPath: () => false
    }
  };
  return {
    platform,
    savedState: () => saved,
    error: (message) => stderr.write(`acr-login: ${redact(message)}\n`),
    beVerbose: () => {
      verbose = true;
    }
  };
}
