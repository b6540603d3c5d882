// A real HTTP proxy (Debian's squid) on loopback, one per call, in its own temp dir: CONNECT to any port and plain http
// forwarding, names resolved from its own hosts_file, optional basic auth (407) or refusal of everything (403).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnKept, type KeptProcess } from './kept-process';
import { writeHostsFile, type Hosts } from './resolver-hook-env';

const SETUP_HINT = 'run `bash scripts/setup.sh` (it installs Debian squid)';
const SQUID_CANDIDATES = ['/usr/sbin/squid', '/usr/local/sbin/squid', '/usr/bin/squid'];
const NCSA_AUTH_CANDIDATES = ['/usr/lib/squid/basic_ncsa_auth', '/usr/lib64/squid/basic_ncsa_auth', '/usr/libexec/squid/basic_ncsa_auth'];

export interface ProxyOptions {
  /** squid's hosts_file: name -> loopback address. Other names fail to resolve (squid answers 5xx or 403). */
  hosts?: Hosts;
  /** Demand basic auth (squid's basic_ncsa_auth): requests without these credentials get 407. */
  credentials?: { username: string; password: string };
  /** Refuse every request with 403. */
  refuseAll?: boolean;
  startTimeoutMs?: number;
}

export interface ProxyAccessLogEntry {
  /** Unix time in seconds (milliseconds as the fraction). */
  time: number;
  /** CONNECT, GET, POST, … */
  method: string;
  /** `host:port` for CONNECT, the absolute URL for plain http (squid strips the query, keeping the `?`). */
  target: string;
  /** The status squid answered the client with (200 for an established tunnel, 407, 403, 503, …). */
  status: number;
  /** squid's result code: TCP_TUNNEL, TCP_MISS, TCP_DENIED, … */
  result: string;
  /** The address squid connected to (`127.x.y.z`) or undefined when it connected nowhere. */
  serverAddress?: string;
  serverPort?: number;
  /** The authenticated proxy user, if any. */
  user?: string;
}

export interface TestProxy {
  /** `http://127.0.0.1:PORT`: what HTTPS_PROXY / HTTP_PROXY / Agent.ProxyUrl take. */
  url: string;
  /** `127.0.0.1:PORT` */
  hostPort: string;
  host: string;
  port: number;
  /** The hosts file squid resolves from (the same format the resolver hook reads). */
  hostsFile: string;
  /**
   * The transactions squid finished so far, oldest first (connections that closed before sending a request left out).
   * squid logs a transaction when it ENDS: a CONNECT tunnel when it closes, so a keep-alive tunnel shows up late.
   */
  accessLog(): Promise<ProxyAccessLogEntry[]>;
  /** Polls accessLog() until an entry matches; rejects after timeoutMs (default 5000) with the log so far. */
  waitForAccessLog(match: (entry: ProxyAccessLogEntry) => boolean, timeoutMs?: number): Promise<ProxyAccessLogEntry>;
  stop(): Promise<void>;
}

function firstExisting(candidates: string[]): string | undefined {
  return candidates.find((path) => existsSync(path));
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** An apr1 (Apache MD5) htpasswd line through `openssl passwd`, the password on stdin (never on a command line). */
function htpasswdLine(username: string, password: string): Promise<string> {
  if (!/^[^:\s]+$/.test(username)) throw new Error('proxy username: no colon or white space');
  if (/[\r\n]/.test(password)) throw new Error('proxy password: no line breaks');
  return new Promise((resolve, reject) => {
    const child = execFile('openssl', ['passwd', '-apr1', '-stdin'], (err, stdout, stderr) => {
      if (err) reject(new Error(`openssl passwd failed: ${stderr || err.message}`));
      else resolve(`${username}:${stdout.trim()}\n`);
    });
    child.stdin?.end(`${password}\n`);
  });
}

/** uid/gid of the user squid drops to when started as root (Debian: proxy). */
function squidUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('proxy:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('squid runs as the user "proxy", which does not exist');
  return { uid: Number(uid), gid: Number(gid) };
}

function squidConfig(dir: string, host: string, port: number, options: ProxyOptions, ncsaAuth: string | undefined): string {
  const lines = [
    `http_port ${host}:${port}`,
    `pid_filename ${join(dir, 'squid.pid')}`,
    `cache_log ${join(dir, 'cache.log')}`,
    `coredump_dir ${dir}`,
    'logformat acrlogin %ts.%03tu %rm %ru %>Hs %Ss %<a %<p %un',
    `access_log stdio:${join(dir, 'access.log')} acrlogin`,
    'buffered_logs off',
    'visible_hostname acr-login-test-proxy',
    // A forwarding proxy only: no cache, no ICMP pinger, quick stop.
    'cache deny all',
    'cache_mem 0 MB',
    'pinger_enable off',
    'shutdown_lifetime 0 seconds',
    // Names come from hosts_file; the rest fail fast (nothing answers DNS here).
    `hosts_file ${join(dir, 'hosts')}`,
    'dns_nameservers 127.0.0.1',
    'dns_timeout 1 seconds',
    'dns_retransmit_interval 100 milliseconds',
    'negative_dns_ttl 1 seconds'
  ];
  if (options.refuseAll) lines.push('http_access deny all');
  if (options.credentials) {
    lines.push(
      `auth_param basic program ${ncsaAuth ?? ''} ${join(dir, 'passwd')}`,
      'auth_param basic children 2 startup=1 idle=1',
      'auth_param basic realm acr-login test proxy',
      'acl authenticated proxy_auth REQUIRED',
      'http_access deny !authenticated'
    );
  }
  // Whatever a test does, this proxy connects to loopback addresses only.
  lines.push('acl loopback dst 127.0.0.0/8 ::1', 'http_access deny !loopback', 'http_access allow all', '');
  return lines.join('\n');
}

function parseAccessLog(text: string): ProxyAccessLogEntry[] {
  const entries: ProxyAccessLogEntry[] = [];
  for (const line of text.split('\n')) {
    const [time, method, target, status, result, serverAddress, serverPort, user] = line.trim().split(/\s+/);
    if (!time || !method || !target || target.startsWith('error:transaction-end-before-headers')) continue;
    entries.push({
      time: Number(time),
      method,
      target,
      status: Number(status),
      result: result ?? '',
      ...(serverAddress && serverAddress !== '-' ? { serverAddress } : {}),
      ...(serverPort && serverPort !== '-' ? { serverPort: Number(serverPort) } : {}),
      ...(user && user !== '-' ? { user: decodeURIComponent(user) } : {})
    });
  }
  return entries;
}

async function waitUntilListening(dir: string, daemon: KeptProcess, hostPort: string, deadline: number): Promise<'ok' | 'port taken'> {
  const readLog = (): Promise<string> => readFile(join(dir, 'cache.log'), 'utf8').catch(() => '');
  for (;;) {
    const exited = daemon.hasExited(); // before reading the log: what squid wrote before exiting is in it
    const log = await readLog();
    if (log.includes('Accepting HTTP Socket connections at') && log.includes(`local=${hostPort} `)) return 'ok';
    if (/Address already in use/.test(log)) return 'port taken';
    const lastLines = log.split('\n').slice(-20).join('\n');
    if (exited) {
      const out = await readFile(join(dir, 'squid.out'), 'utf8').catch(() => '');
      throw new Error(`squid exited during start:\n${out}\n${lastLines}`);
    }
    if (Date.now() > deadline) throw new Error(`squid did not listen on ${hostPort} in time:\n${lastLines}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts squid on 127.0.0.1:<free port>; resolves once it accepts connections. */
export async function startProxy(options: ProxyOptions = {}): Promise<TestProxy> {
  const squid = firstExisting(SQUID_CANDIDATES);
  if (!squid) throw new Error(`squid is not installed: ${SETUP_HINT}`);
  const ncsaAuth = options.credentials ? firstExisting(NCSA_AUTH_CANDIDATES) : undefined;
  if (options.credentials && !ncsaAuth) throw new Error(`squid's basic_ncsa_auth is missing: ${SETUP_HINT}`);

  const owner = squidUser();
  const host = '127.0.0.1';
  const deadline = Date.now() + (options.startTimeoutMs ?? 10000);
  const dir = await mkdtemp(join(tmpdir(), 'acr-login-proxy-'));
  const hostsFile = join(dir, 'hosts');
  let daemon: KeptProcess | undefined;
  let port = 0;
  try {
    await writeHostsFile(hostsFile, options.hosts ?? {});
    if (options.credentials)
      await writeFile(join(dir, 'passwd'), await htpasswdLine(options.credentials.username, options.credentials.password));
    for (let attempt = 1; ; attempt++) {
      port = await freePort(host);
      await writeFile(join(dir, 'squid.conf'), squidConfig(dir, host, port, options, ncsaAuth));
      await rm(join(dir, 'cache.log'), { force: true });
      // squid drops from root to `proxy`, which must write its logs and read the hosts and passwd files.
      if (owner) for (const name of ['', ...(await readdir(dir))]) await chown(join(dir, name), owner.uid, owner.gid);
      const serviceName = `acrtest${randomBytes(6).toString('hex')}`; // its own IPC names: no clash with other squids
      daemon = await spawnKept(squid, ['-N', '-f', join(dir, 'squid.conf'), '-n', serviceName], {
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
        logPath: join(dir, 'squid.out')
      });
      if ((await waitUntilListening(dir, daemon, `${host}:${port}`, deadline)) === 'ok') break;
      await daemon.stop(3000);
      daemon = undefined;
      if (attempt === 3) throw new Error(`squid found no free port after ${attempt} tries`);
    }
  } catch (err) {
    await daemon?.stop(3000);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const running = daemon;
  const accessLog = async (): Promise<ProxyAccessLogEntry[]> =>
    parseAccessLog(await readFile(join(dir, 'access.log'), 'utf8').catch(() => ''));
  return {
    url: `http://${host}:${port}`,
    hostPort: `${host}:${port}`,
    host,
    port,
    hostsFile,
    accessLog,
    async waitForAccessLog(match, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const entries = await accessLog();
        const found = entries.find(match);
        if (found) return found;
        if (Date.now() > until)
          throw new Error(`no matching proxy access log entry in ${timeoutMs} ms; the log:\n${JSON.stringify(entries, null, 2)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      await running.stop(3000);
      await rm(dir, { recursive: true, force: true });
    }
  };
}
