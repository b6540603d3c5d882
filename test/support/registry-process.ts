// The real CNCF distribution registry as a child process, token auth configured: Debian's docker-registry 2.8, or
// the one DOCKER_REGISTRY_BIN names (distribution v3's `registry`, built from source on macOS and Windows).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { standInPlatform } from './standin-platform';

export const REGISTRY_BINARY = process.env['DOCKER_REGISTRY_BIN'] ?? '/usr/bin/docker-registry';

/** The Node keeper (registry-keeper.cjs), for systems without /bin/sh and process groups. */
const NODE_KEEPER = join(__dirname, 'registry-keeper.cjs');

/** Only what the registry needs: PATH, and on Windows the variables Go's runtime and network stack read. */
function registryEnv(): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    // distribution v3 exports OpenTelemetry traces to localhost:4318 unless told not to.
    OTEL_TRACES_EXPORTER: 'none'
  };
  if (process.platform === 'win32') {
    for (const name of ['SystemRoot', 'SYSTEMROOT', 'windir', 'TEMP', 'TMP', 'USERPROFILE', 'LOCALAPPDATA', 'ComSpec', 'PATHEXT']) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
  }
  return env;
}

export interface RegistryProcessOptions {
  /** Work directory: config and storage go here. */
  dir: string;
  /** Loopback address the registry listens on (port is OS-chosen). */
  listenHost?: string;
  /** Public origin the registry puts in Location headers, e.g. http://127.0.0.1:PORT (the login server). */
  publicUrl: string;
  /** auth.token.realm */
  realm: string;
  /** auth.token.service */
  service: string;
  /** auth.token.issuer */
  issuer: string;
  /** PEM file with the certificate(s) whose keys sign access tokens. */
  rootCertBundlePath: string;
  startTimeoutMs?: number;
}

export interface RegistryProcess {
  /** http://127.0.0.1:PORT of the registry itself (the stand-in proxies to it). */
  url: string;
  host: string;
  port: number;
  pid: number | undefined;
  /** Everything the registry printed (for diagnosis). */
  output(): string;
  stop(): Promise<void>;
}

/** 10 s; 30 s on macOS and Windows, whose malware scanners read a freshly built binary before its first start. */
function defaultStartTimeoutMs(): number {
  return process.platform === 'linux' ? 10000 : 30000;
}

function yamlString(s: string): string {
  return JSON.stringify(s); // JSON strings are valid YAML double-quoted scalars
}

function probe(host: string, port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/v2/', method: 'GET', timeout: 500, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

export async function startRegistryProcess(opts: RegistryProcessOptions): Promise<RegistryProcess> {
  const listenHost = opts.listenHost ?? '127.0.0.1';
  const dataDir = join(opts.dir, 'data');
  await mkdir(dataDir, { recursive: true });
  const configPath = join(opts.dir, 'config.yml');
  await writeFile(
    configPath,
    [
      'version: 0.1',
      'log:',
      '  level: info',
      '  formatter: text',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${yamlString(dataDir)}`,
      '  delete:',
      '    enabled: true',
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'http:',
      `  addr: ${yamlString(`${listenHost}:0`)}`,
      `  host: ${yamlString(opts.publicUrl)}`,
      `  secret: ${yamlString(randomBytes(16).toString('hex'))}`,
      '  headers:',
      '    X-Content-Type-Options: [nosniff]',
      'auth:',
      '  token:',
      `    realm: ${yamlString(opts.realm)}`,
      `    service: ${yamlString(opts.service)}`,
      `    issuer: ${yamlString(opts.issuer)}`,
      `    rootcertbundle: ${yamlString(opts.rootCertBundlePath)}`,
      ''
    ].join('\n')
  );

  // A keeper runs the registry and kills it when its stdin closes, i.e. on stop() or when this process dies in any
  // way (even SIGKILL), so no registry outlives its owner. On POSIX systems it is /bin/sh, leading its own process
  // group; on Windows (no /bin/sh, no process groups) a small node script.
  const posix = standInPlatform() !== 'win32';
  const keeper = '"$0" serve "$1" & child=$!; while read -r _; do :; done; kill -TERM "$child" 2>/dev/null; wait "$child"';
  const child: ChildProcess = posix
    ? spawn('/bin/sh', ['-c', keeper, REGISTRY_BINARY, configPath], { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: registryEnv() })
    : spawn(process.execPath, [NODE_KEEPER, REGISTRY_BINARY, 'serve', configPath], {
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
        env: registryEnv()
      });
  child.stdin?.on('error', () => undefined);
  let output = '';
  let exited = false;
  const killGroup = (signal: NodeJS.Signals): void => {
    if (exited || child.pid === undefined) return;
    try {
      if (posix) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      /* already gone */
    }
  };
  // The node keeper sees its stdin close when this process exits and ends the registry itself; killing it first would
  // leave the registry running.
  const onParentExit = (): void => {
    if (posix) killGroup('SIGKILL');
  };
  process.once('exit', onParentExit);
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      process.off('exit', onParentExit);
      resolve();
    });
    child.once('error', (err) => {
      output += `\nspawn error: ${err.message}`;
      exited = true;
      process.off('exit', onParentExit);
      resolve();
    });
  });

  const stop = async (): Promise<void> => {
    if (exited) return;
    child.stdin?.end();
    const timer = setTimeout(() => killGroup('SIGKILL'), 3000);
    await exitPromise;
    clearTimeout(timer);
  };

  const port = await new Promise<number>((resolve, reject) => {
    const timeoutMs = opts.startTimeoutMs ?? defaultStartTimeoutMs();
    const timer = setTimeout(() => reject(new Error(`${REGISTRY_BINARY} did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.length > 256 * 1024) output = output.slice(-128 * 1024);
      const m = /listening on \[?([0-9.:a-f]+?)\]?:(\d+)/.exec(output);
      if (m?.[2]) {
        clearTimeout(timer);
        resolve(Number(m[2]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exitPromise.then(() => {
      clearTimeout(timer);
      reject(new Error(`${REGISTRY_BINARY} exited during start:\n${output}`));
    });
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });

  // Wait until it answers HTTP (401 from /v2/ with token auth).
  const deadline = Date.now() + (opts.startTimeoutMs ?? defaultStartTimeoutMs());
  for (;;) {
    const status = await probe(listenHost, port);
    if (status !== 0) break;
    if (Date.now() > deadline || exited) {
      await stop();
      throw new Error(`${REGISTRY_BINARY} is not answering on ${listenHost}:${port}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }

  return {
    url: `http://${listenHost}:${port}`,
    host: listenHost,
    port,
    pid: child.pid,
    output: () => output,
    stop
  };
}
