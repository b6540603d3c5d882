// A real docker engine (Debian's dockerd) on a private socket in a temp dir, and the docker CLI against it.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnKept } from './kept-process';

/** Set by the jest global setup (test/support/jest-global-setup.ts) for every test worker: the shared engine's `unix://…` address. */
export const DOCKER_HOST_ENV = 'ACR_LOGIN_TEST_DOCKER_HOST';
/** Set by the jest global setup instead of DOCKER_HOST_ENV when the engine could not start: why. */
export const DOCKER_ERROR_ENV = 'ACR_LOGIN_TEST_DOCKER_ERROR';

const SETUP_HINT = 'run `bash scripts/setup.sh` (it installs Debian docker.io, which brings dockerd)';
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface DockerEngine {
  /** `unix:///tmp/acr-login-docker-XXXXXX/docker.sock` */
  host: string;
  /** What a docker CLI needs to talk to this engine. */
  env: { DOCKER_HOST: string };
  /** The temp dir holding the socket, data root, exec root, pid file and `dockerd.log`. */
  dir: string;
  pid: number;
  /** The last lines dockerd logged (diagnosis). */
  log(): Promise<string>;
  /** SIGTERM by pid, wait for the exit (SIGKILL after 15 s), then remove the temp dir. */
  stop(): Promise<void>;
}

export interface DockerRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function searchPath(): string {
  return `${process.env['PATH'] ?? ''}:${SYSTEM_PATH}`;
}

async function findExecutable(name: string): Promise<string | undefined> {
  for (const dir of searchPath().split(':').filter(Boolean)) {
    const candidate = join(dir, name);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false
      )
    )
      return candidate;
  }
  return undefined;
}

/** The docker CLI the tests use: ACR_LOGIN_TEST_DOCKER_CLI, else `docker` on PATH. */
export function dockerCli(): string {
  return process.env['ACR_LOGIN_TEST_DOCKER_CLI'] ?? 'docker';
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function tail(path: string, lines = 30): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').slice(-lines).join('\n');
}

async function unmountUnder(dir: string): Promise<void> {
  // dockerd makes its data root a private bind mount and undoes it on a clean stop, not after SIGKILL.
  const mounts = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
  const points = mounts
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of points) await run('umount', ['-l', point], {}, 10000);
}

/** Runs a program with exactly `env`; never throws (a missing program is exit code 127). */
function run(file: string, args: string[], env: Record<string, string>, timeoutMs: number, cwd?: string): Promise<DockerRun> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: { PATH: searchPath(), ...env }, cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: number | string }) | null;
        const exitCode = e === null ? 0 : typeof e.code === 'number' ? e.code : e.code === 'ENOENT' ? 127 : -1;
        resolve({ exitCode, stdout, stderr: e && exitCode < 0 ? `${stderr}\n${e.message}` : stderr });
      }
    );
  });
}

/**
 * Starts dockerd on `unix://<tmp>/docker.sock` with its own data root, exec root (and so its own managed containerd),
 * pid file and an empty daemon.json, no bridge and no iptables; resolves once `docker version` reaches it.
 */
export async function startDockerEngine(options: { startTimeoutMs?: number } = {}): Promise<DockerEngine> {
  const dockerd = process.env['ACR_LOGIN_TEST_DOCKERD'] ?? (await findExecutable('dockerd'));
  if (!dockerd) throw new Error(`dockerd is not installed: ${SETUP_HINT}`);
  const dir = await mkdtemp(join(tmpdir(), 'acr-login-docker-'));
  const socketPath = join(dir, 'docker.sock');
  const host = `unix://${socketPath}`;
  const logPath = join(dir, 'dockerd.log');
  await writeFile(join(dir, 'daemon.json'), '{}\n');
  // vfs: no overlay mounts needed (works inside containers); the test images are one small layer.
  const args = [
    `--host=${host}`,
    `--data-root=${join(dir, 'data')}`,
    `--exec-root=${join(dir, 'exec')}`,
    `--pidfile=${join(dir, 'docker.pid')}`,
    `--config-file=${join(dir, 'daemon.json')}`,
    '--iptables=false',
    '--ip-masq=false',
    '--ip-forward=false',
    '--bridge=none',
    '--userland-proxy=false',
    '--storage-driver=vfs',
    '--log-level=warn'
  ];
  const daemon = await spawnKept(dockerd, args, { env: { PATH: searchPath() }, logPath });
  const cleanUp = async (): Promise<void> => {
    await daemon.stop(15000, () => {
      const containerd = join(dir, 'exec', 'containerd', 'containerd.pid');
      void readFile(containerd, 'utf8')
        .then((pid) => process.kill(Number(pid), 'SIGKILL'))
        .catch(() => undefined);
    });
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
  };
  const fail = async (why: string): Promise<never> => {
    const log = await tail(logPath);
    await cleanUp();
    throw new Error(`${why}\n--- dockerd log ---\n${log}\n(if dockerd is missing, ${SETUP_HINT})`);
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30000);
  while (!(await ping(socketPath))) {
    if (daemon.hasExited()) return fail(`dockerd (${dockerd}) exited during start`);
    if (Date.now() > deadline) return fail(`dockerd did not answer on ${host} in time`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const version = await run(dockerCli(), ['version', '--format', '{{.Server.Version}}'], { DOCKER_HOST: host }, 20000);
  if (version.exitCode !== 0) return fail(`\`${dockerCli()} version\` against ${host} failed (${version.exitCode}): ${version.stderr}`);

  return {
    host,
    env: { DOCKER_HOST: host },
    dir,
    pid: daemon.pid,
    log: () => tail(logPath, 200),
    stop: cleanUp
  };
}

/**
 * The engine the jest global setup started for the whole run (its DOCKER_HOST env). Throws, naming the cause and
 * `bash scripts/setup.sh`, when there is none: a suite that needs docker fails loudly instead of skipping.
 */
export async function sharedDockerEngine(): Promise<{ host: string; env: { DOCKER_HOST: string } }> {
  const host = process.env[DOCKER_HOST_ENV];
  if (!host) {
    const why = process.env[DOCKER_ERROR_ENV] ?? `${DOCKER_HOST_ENV} is not set (jest.config.js's globalSetup starts the engine)`;
    throw new Error(
      `No docker engine for this test run: ${why}${why.includes('scripts/setup.sh') ? '' : `\nTo install it: ${SETUP_HINT}.`}`
    );
  }
  if (!(await ping(host.replace(/^unix:\/\//, '')))) throw new Error(`The shared docker engine at ${host} does not answer /_ping`);
  return { host, env: { DOCKER_HOST: host } };
}

export interface DockerCommandOptions {
  /** The engine: `unix://…` */
  host: string;
  /** DOCKER_CONFIG: the directory holding config.json (auths, credHelpers, credsStore). */
  dockerConfig: string;
  /** More environment for the CLI, e.g. a PATH that holds a docker-credential-* helper (the default PATH is this process's). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** `docker <args>` against the engine with DOCKER_CONFIG set and nothing else inherited but PATH and HOME; never throws. */
export function docker(args: string[], options: DockerCommandOptions & { cwd?: string }): Promise<DockerRun> {
  const env: Record<string, string> = {
    HOME: process.env['HOME'] ?? '/root',
    DOCKER_HOST: options.host,
    DOCKER_CONFIG: options.dockerConfig,
    // The classic builder: Debian has no buildx, and a CLI that finds one would switch to BuildKit.
    DOCKER_BUILDKIT: '0',
    ...options.env
  };
  return run(dockerCli(), args, env, options.timeoutMs ?? 60000, options.cwd);
}

/**
 * `docker build` of a one-layer `FROM scratch` image (a `COPY` of a small file, unique per call unless `content` is
 * given, so a push really uploads a blob) tagged `image`, e.g. `127.0.0.1:PORT/repo:tag`. The build context is made in
 * a fresh dir under `workDir`; never throws.
 */
export async function buildScratchImage(
  image: string,
  options: DockerCommandOptions & { workDir: string; content?: string }
): Promise<DockerRun> {
  const context = join(options.workDir, `build-${randomUUID()}`);
  await mkdir(context, { recursive: true });
  await writeFile(join(context, 'hello.txt'), options.content ?? `hello from the acr-login tests ${randomUUID()}\n`);
  await writeFile(join(context, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  return docker(['build', '--quiet', '--tag', image, context], options);
}

/** `docker push image` with the given DOCKER_CONFIG; never throws. */
export function pushImage(image: string, options: DockerCommandOptions): Promise<DockerRun> {
  return docker(['push', image], options);
}

/** buildScratchImage then pushImage: the push's result, or the build's if the build failed (`step` says which). */
export async function buildAndPushScratchImage(
  image: string,
  options: DockerCommandOptions & { workDir: string; content?: string }
): Promise<DockerRun & { step: 'build' | 'push' }> {
  const build = await buildScratchImage(image, options);
  if (build.exitCode !== 0) return { ...build, step: 'build' };
  return { ...(await pushImage(image, options)), step: 'push' };
}
