// Runs the bundled command line (dist/cli.js) and credential helper (dist/credential-helper.js) as a
// shell or docker would: a fresh node process with exactly the given environment, arguments and stdin.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNode, type NodeRun } from './spawn-node';
import type { World } from './world';
import { helperPlace } from '../../src/core/helper/paths';

const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const HELPER = join(ROOT, 'dist', 'credential-helper.js');

export type ProcessResult = NodeRun;

/** `acr-login ARGS` */
export function runCli(args: string[], env: Record<string, string>, stdin = ''): Promise<ProcessResult> {
  return runNode(CLI, { args, env, stdin });
}

/** `docker-credential-acr-login ACTION` with the request on stdin, as docker and skopeo call it. */
export function runHelper(action: string, stdin: string, env: Record<string, string>): Promise<ProcessResult> {
  return runNode(HELPER, { args: [action], env, stdin });
}

export interface Home {
  dir: string;
  dockerConfig: string;
  /** A clean environment: this HOME (so every XDG directory defaults under it), no docker CLI, the stand-ins' CA trusted. */
  env: Record<string, string>;
}

export function newHome(caCertPath: string, extraEnv: Record<string, string> = {}): Home {
  const dir = mkdtempSync(join(tmpdir(), 'acr-login-home-'));
  const dockerConfig = join(dir, '.docker');
  return {
    dir,
    dockerConfig,
    env: { PATH: '/usr/bin:/bin', HOME: dir, DOCKER_CONFIG: dockerConfig, NODE_EXTRA_CA_CERTS: caCertPath, ...extraEnv }
  };
}

export function configFile(home: Home): string {
  return join(home.dockerConfig, 'config.json');
}

export function readConfig(home: Home): {
  auths?: Record<string, { auth?: string }>;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
} {
  try {
    return JSON.parse(readFileSync(configFile(home), 'utf8'));
  } catch {
    return {};
  }
}

export function writeConfig(home: Home, config: object): void {
  mkdirSync(home.dockerConfig, { recursive: true });
  writeFileSync(configFile(home), JSON.stringify(config));
}

/** The helper's token cache under this HOME, for logins on this HOME's docker config. */
export function cacheDir(home: Home): string {
  return join(home.dir, '.cache', 'acr-login', helperPlace(configFile(home)));
}

/** The helper's settings under this HOME, for logins on this HOME's docker config. */
export function helperSettingsFile(home: Home): string {
  return join(home.dir, '.config', 'acr-login', `helper-${helperPlace(configFile(home))}.json`);
}

export function cacheFiles(home: Home): string[] {
  try {
    return readdirSync(cacheDir(home))
      .filter((name) => name.endsWith('.json'))
      .map((name) => join(cacheDir(home), name));
  } catch {
    return [];
  }
}

/** Where `--login helper` from the command line puts the launcher. */
export function launcherDir(home: Home): string {
  return join(home.dir, '.local', 'share', 'acr-login', 'bin');
}

/** The same JWT with another `exp` (its signature no longer matches: a registry would refuse it). */
export function withExpiry(token: string, exp: number): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
  claims.exp = exp;
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
}

/** The environment a CI job gives the command line for the world's secret app: the service principal's AZURE_* variables, Entra ID at the stand-in. */
export function secretAppEnv(world: World): Record<string, string> {
  return {
    AZURE_CLIENT_ID: world.secretApp.clientId,
    AZURE_TENANT_ID: world.tenantId,
    AZURE_AUTHORITY_HOST: world.entra.url,
    AZURE_CLIENT_SECRET: world.secretApp.secret
  };
}

/** The command line's arguments for a login to the world's first registry as its secret app (the secret itself goes in AZURE_CLIENT_SECRET), Entra ID at the stand-in. */
export function secretAppLoginArgs(world: World, ...more: string[]): string[] {
  return [
    '--registry',
    world.registries.armAllowed.url,
    '--client-id',
    world.secretApp.clientId,
    '--tenant-id',
    world.tenantId,
    '--authority-host',
    world.entra.url,
    ...more
  ];
}
