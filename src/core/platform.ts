import type { ProxySettings } from '../lib/proxy';
import type { DockerRunner } from './docker/cli';
import type { HelperHost } from './helper/launcher';

/** What the core needs from GitHub Actions, Azure Pipelines or a terminal. */
export interface Platform {
  info(message: string): void;
  warning(message: string): void;
  /** Diagnostics, shown only when the user turned debugging on (a job's debug logging, --verbose). Never given a secret. */
  debug(message: string): void;
  /** Registers a single-line secret so the platform hides it from every later log line. */
  mask(secret: string): void;
  setOutput(name: OutputName, value: string, isSecret: boolean): void;
  /** Keeps a (non-secret) value for the post-job logout; the core waits for it before it writes anything (a cancelled run stays undoable). */
  saveState(value: string): void | Promise<void>;
  /** The environment as the adapter hands it over: where the docker config, PATH and the XDG directories are. */
  env: NodeJS.ProcessEnv;
  /** How every request of this run leaves the process: the proxy the platform configures, or DIRECT. */
  proxy: ProxySettings;
  /** For login: helper — where the bundled credential helper is and how later steps find it. */
  credentialHelper?: HelperHost;
  /** How the platform runs the docker CLI (login: docker, and its logout); without one the core spawns `docker` itself. */
  runDocker?: DockerRunner;
}

export type OutputName = 'login-server' | 'username' | 'password' | 'expires-on';
