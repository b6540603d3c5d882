// podman, buildah and skopeo (Debian's) as a job's next step runs them: no --authfile, their own lookup of
// credentials (REGISTRY_AUTH_FILE, the containers auth.json files, the docker config), as root or as a
// non-root user made for the test. Each set of clients has its own storage (vfs) holding the world's
// image, and trusts the plain-http stand-in registries through its registries.conf (`insecure = true`).
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { chownSync, cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess, type NodeRun } from './spawn-node';

export const CLIENTS = ['podman', 'buildah', 'skopeo'] as const;
export type ClientName = (typeof CLIENTS)[number];

/** The name the image has in each client set's storage. */
const LOCAL_IMAGE = 'localhost/acr-login/clients:v1';

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
}

export interface ClientSet {
  /** Absent: root. */
  user?: TestUser;
  /** The OCI layout skopeo copies from (readable by the user). */
  imageDir: string;
  /** What the clients need besides the job's environment: where their storage and registries.conf are (root only). */
  env: Record<string, string>;
}

export interface ClientRun extends NodeRun {
  client: ClientName;
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 60000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${String(stderr).trim() || error.message}`));
      else resolve(String(stdout));
    });
  });
}

/**
 * A system user of its own (no home in /etc/passwd; HOME is set per run), with a subordinate id range so
 * rootless podman and buildah get a full user namespace. Needs root. Remove it with removeTestUser.
 */
export async function createTestUser(): Promise<TestUser> {
  const name = `acrl-${randomBytes(4).toString('hex')}`;
  await run('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name]);
  const first = 2_000_000 + randomInt(0, 2000) * 65536;
  await run('usermod', ['--add-subuids', `${first}-${first + 65535}`, '--add-subgids', `${first}-${first + 65535}`, name]);
  const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
  return { name, uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/**
 * Stops what the user's clients left running (rootless podman keeps a pause process holding its user
 * namespace): every process of this user, made for the test, by its pid. Then deletes the user with its
 * group and subordinate ids.
 */
export async function removeTestUser(user: TestUser): Promise<void> {
  for (const pid of await processesOf(user.uid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await run('userdel', [user.name]).catch(() => run('userdel', ['--force', user.name]));
}

async function processesOf(uid: number): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const owned = await Promise.all(
    pids.map(async (pid) => {
      const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
      return new RegExp(`^Uid:\\s+${uid}\\s`, 'm').test(status) ? pid : undefined;
    })
  );
  return owned.filter((pid): pid is number => pid !== undefined);
}

/** Gives `path` and everything under it to the user. */
export function giveTo(user: TestUser, path: string): void {
  chownSync(path, user.uid, user.gid);
  for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) {
    chownSync(join(entry.parentPath, entry.name), user.uid, user.gid);
  }
}

/** A private runtime directory, as pam_systemd makes /run/user/$UID (the clients refuse a missing one). */
export function runtimeDir(home: string, user?: TestUser): string {
  const dir = join(home, 'run');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (user) chownSync(dir, user.uid, user.gid);
  return dir;
}

/**
 * Sets up the clients' own configuration: for root in `dir` (through CONTAINERS_STORAGE_CONF,
 * CONTAINERS_REGISTRIES_CONF and CONTAINERS_CONF, away from the machine's /var/lib/containers), for a user
 * in `~/.config/containers` of `home`, as rootless podman reads it. Then puts the image in its storage.
 */
export async function prepareClients(options: {
  dir: string;
  imageDir: string;
  registries: string[];
  user?: TestUser;
  home?: string;
}): Promise<ClientSet> {
  const { dir, user } = options;
  const configDir = user ? join(options.home ?? dir, '.config', 'containers') : join(dir, 'containers');
  mkdirSync(configDir, { recursive: true });
  const storage = join(dir, 'storage');
  const registriesConf = options.registries.map((location) => `[[registry]]\nlocation = "${location}"\ninsecure = true\n`).join('\n');
  writeFileSync(join(configDir, 'registries.conf'), registriesConf);
  writeFileSync(
    join(configDir, 'storage.conf'),
    `[storage]\ndriver = "vfs"\ngraphroot = "${join(storage, 'graph')}"\nrunroot = "${join(storage, 'run')}"\n`
  );
  writeFileSync(join(configDir, 'containers.conf'), `[engine]\ntmp_dir = "${join(storage, 'tmp')}"\nevents_logger = "none"\n`);
  const imageDir = join(dir, 'image');
  cpSync(options.imageDir, imageDir, { recursive: true });
  const env: Record<string, string> = user
    ? {}
    : {
        CONTAINERS_STORAGE_CONF: join(configDir, 'storage.conf'),
        CONTAINERS_REGISTRIES_CONF: join(configDir, 'registries.conf'),
        CONTAINERS_CONF: join(configDir, 'containers.conf')
      };
  const set: ClientSet = { ...(user ? { user } : {}), imageDir, env };
  if (user) giveTo(user, options.home ?? dir);
  return set;
}

/** Copies the image into the set's storage (skopeo copy oci: containers-storage:), with the job's environment. */
export async function loadImage(set: ClientSet, jobEnv: Record<string, string>): Promise<void> {
  const loaded = await runClient(set, jobEnv, 'skopeo', ['copy', `oci:${set.imageDir}:v1`, `containers-storage:${LOCAL_IMAGE}`]);
  if (loaded.exitCode !== 0) throw new Error(`skopeo could not put the image in the clients' storage: ${loaded.stderr}`);
}

/** Runs one client with the job's environment (plus the set's own), as the set's user when it has one. */
export function runClient(set: ClientSet, jobEnv: Record<string, string>, client: ClientName, args: string[]): Promise<ClientRun> {
  const env = { ...jobEnv, ...set.env };
  const asUser = set.user
    ? ['/usr/bin/setpriv', ['--reuid', String(set.user.uid), '--regid', String(set.user.gid), '--init-groups', client, ...args]]
    : [client, args];
  const [executable, argv] = asUser as [string, string[]];
  return runProcess(executable, argv, { env, timeoutMs: 120000 }).then((result) => ({ ...result, client }));
}

/**
 * `podman push`, `buildah push` and `skopeo copy` of the image to `<loginServer>/<repository>:<client>`,
 * one after the other, each with its default credential lookup: no --authfile, no --creds. skopeo takes
 * `--dest-tls-verify=false` (the registry is plain http) as it reads no registries.conf from the environment.
 */
export async function pushWithEach(
  set: ClientSet,
  jobEnv: Record<string, string>,
  loginServer: string,
  repository: string
): Promise<ClientRun[]> {
  const target = `${loginServer}/${repository}`;
  const runs: ClientRun[] = [];
  runs.push(await runClient(set, jobEnv, 'podman', ['push', LOCAL_IMAGE, `docker://${target}:podman`]));
  runs.push(await runClient(set, jobEnv, 'buildah', ['push', LOCAL_IMAGE, `docker://${target}:buildah`]));
  runs.push(
    await runClient(set, jobEnv, 'skopeo', ['copy', '--dest-tls-verify=false', `oci:${set.imageDir}:v1`, `docker://${target}:skopeo`])
  );
  return runs;
}

/** `podman: pushed` / `buildah: refused (…)`: one line per client, for assertions that show why. */
export function outcomes(runs: ClientRun[]): string[] {
  return runs.map((run) =>
    run.exitCode === 0 ? `${run.client}: pushed` : `${run.client}: failed: ${run.stderr.trim().split('\n').pop() ?? ''}`
  );
}
