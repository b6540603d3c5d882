// skopeo as the registry client: push / pull / inspect with a docker config.json auth file. Never throws on denial.
import { execFile } from 'node:child_process';
import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export const SKOPEO_BINARY = process.env['SKOPEO_BIN'] ?? '/usr/bin/skopeo';

export interface SkopeoResult {
  ok: boolean;
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface SkopeoOptions {
  /** Directory for skopeo's policy file (and nothing else). */
  workDir: string;
  timeoutMs?: number;
  /** Extra environment (e.g. HOME); PATH is kept. */
  env?: Record<string, string>;
}

/** Write a docker config.json with one `auths` entry. */
export async function writeAuthFile(path: string, loginServer: string, username: string, password: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const auth = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  await writeFile(path, JSON.stringify({ auths: { [loginServer]: { auth } } }, null, 2), { mode: 0o600 });
  return path;
}

const policies = new Map<string, Promise<string>>();

/** Written once per work dir, atomically (concurrent skopeo runs read it); rewritten if the dir was cleaned. */
async function policyPath(workDir: string): Promise<string> {
  const cached = policies.get(workDir);
  if (cached) {
    const path = await cached.catch(() => undefined);
    if (
      path &&
      (await access(path).then(
        () => true,
        () => false
      ))
    )
      return path;
    policies.delete(workDir);
  }
  let pending = policies.get(workDir);
  if (!pending) {
    pending = (async () => {
      const path = join(workDir, 'skopeo-policy.json');
      await mkdir(workDir, { recursive: true });
      const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
      await rename(tmp, path);
      return path;
    })();
    pending.catch(() => policies.delete(workDir));
    policies.set(workDir, pending);
  }
  return pending;
}

export async function runSkopeo(args: string[], opts: SkopeoOptions): Promise<SkopeoResult> {
  const policy = await policyPath(opts.workDir);
  return new Promise((resolve) => {
    execFile(
      SKOPEO_BINARY,
      ['--policy', policy, ...args],
      {
        timeout: opts.timeoutMs ?? 60000,
        maxBuffer: 16 * 1024 * 1024,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? opts.workDir, ...opts.env }
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({
          ok: !error,
          exitCode: code,
          stdout: String(stdout),
          stderr: String(stderr) + (error && code === -1 ? `\n${error.message}` : '')
        });
      }
    );
  });
}

/** skopeo copy oci:<imageDir>:<sourceTag> docker://<loginServer>/<repository>:<tag> */
export function push(
  authFile: string,
  loginServer: string,
  repository: string,
  tag: string,
  imageDir: string,
  opts: SkopeoOptions,
  sourceTag: string = tag
): Promise<SkopeoResult> {
  return runSkopeo(
    [
      'copy',
      '--dest-authfile',
      authFile,
      '--dest-tls-verify=false',
      `oci:${imageDir}:${sourceTag}`,
      `docker://${loginServer}/${repository}:${tag}`
    ],
    opts
  );
}

/** skopeo copy docker://<loginServer>/<repository>:<tag> oci:<destDir>:<tag> */
export function pull(
  authFile: string,
  loginServer: string,
  repository: string,
  tag: string,
  destDir: string,
  opts: SkopeoOptions
): Promise<SkopeoResult> {
  return runSkopeo(
    ['copy', '--src-authfile', authFile, '--src-tls-verify=false', `docker://${loginServer}/${repository}:${tag}`, `oci:${destDir}:${tag}`],
    opts
  );
}

/** skopeo inspect --raw (the manifest) */
export function inspect(
  authFile: string,
  loginServer: string,
  repository: string,
  tag: string,
  opts: SkopeoOptions
): Promise<SkopeoResult> {
  return runSkopeo(
    ['inspect', '--raw', '--authfile', authFile, '--tls-verify=false', `docker://${loginServer}/${repository}:${tag}`],
    opts
  );
}
