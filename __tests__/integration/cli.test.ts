// The bundled command line (dist/cli.js), run as a shell runs it, against the local stand-ins.
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CLI,
  configFile,
  Home,
  newHome,
  ProcessResult,
  readConfig,
  runCli,
  writeConfig,
  secretAppEnv
} from '../../test/support/cli-runner';
import { serveHttps } from '../../test/support/http-util';
import { serveHugeAnswer } from '../../test/support/huge-answer';
import { leakedSecrets } from '../../test/support/leaks';
import { createClientCertificate, createPki, issueExpiredServerCertificate, issueServerCertificate } from '../../test/support/pki';
import { mkdirAsNobody, NOBODY, peakMemoryEnv, sharedDir } from '../../test/support/planted';
import { runNode } from '../../test/support/spawn-node';
import { startWorld, World } from '../../test/support/world';
import { TOKEN_USERNAME } from '../../test/support/acr';

const EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

let world: World;
const homes: Home[] = [];

beforeAll(async () => {
  world = await startWorld();
}, 60000);

afterAll(async () => {
  await world?.close();
  for (const home of homes) rmSync(home.dir, { recursive: true, force: true });
});

function home(extraEnv: Record<string, string> = {}): Home {
  const created = newHome(world.caCertPath, extraEnv);
  homes.push(created);
  return created;
}

function secretFile(dir: string, name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, `${content}\n`, { mode: 0o600 });
  return path;
}

/** The success contract: exit 0, nothing on stdout unless --print, no secret in any message. */
function expectSuccess(result: ProcessResult, options: { print?: boolean } = {}): void {
  expect({ exit: result.exitCode, stderr: result.exitCode === 0 ? '' : result.stderr }).toEqual({ exit: 0, stderr: '' });
  if (!options.print) expect(result.stdout).toBe('');
  expect(leakedSecrets(result.stderr, world.secrets())).toEqual([]);
  if (!options.print) expect(leakedSecrets(result.stdout, world.secrets())).toEqual([]);
}

/** The failure contract: the exit code, one line on stderr naming the cause, nothing on stdout, no stack, no secret. */
function expectFailure(result: ProcessResult, exitCode: number, message: RegExp | string): void {
  expect(result.exitCode).toBe(exitCode);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines[lines.length - 1]).toMatch(
    typeof message === 'string' ? new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : message
  );
  expect(lines[lines.length - 1]).toMatch(/^acr-login: /);
  expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(leakedSecrets(result.stderr, world.secrets())).toEqual([]);
}

async function expectPush(h: Home, registry: { loginServer: string }, repository = 'cli'): Promise<void> {
  const pushed = await world.push(configFile(h), registry, repository);
  expect(pushed.ok ? 'pushed' : pushed.stderr).toBe('pushed');
}

const entra = (): string[] => ['--tenant-id', world.tenantId, '--authority-host', world.entra.url];

describe('every auth source logs in, and a real push succeeds with what it wrote', () => {
  it('service principal: the secret from a file, from stdin, and from AZURE_CLIENT_SECRET', async () => {
    const registry = world.registries.armRefused;
    const h = home();
    const file = secretFile(h.dir, 'secret', world.secretApp.secret);
    const base = ['--registry', registry.url, '--client-id', world.secretApp.clientId, ...entra(), '--login', 'config'];
    expectSuccess(await runCli([...base, '--client-secret-file', file], h.env));
    await expectPush(h, registry);

    const fromStdin = home();
    expectSuccess(await runCli([...base, '--client-secret-stdin'], fromStdin.env, `${world.secretApp.secret}\n`));
    expect(readConfig(fromStdin).auths?.[registry.loginServer]).toBeDefined();

    const fromEnv = home(secretAppEnv(world));
    const result = await runCli(['--registry', registry.url, '--login', 'config'], fromEnv.env);
    expectSuccess(result);
    expect(statSync(configFile(fromEnv)).mode & 0o777).toBe(0o600);
    await expectPush(fromEnv, registry);
  });

  it('service principal: a certificate by --client-certificate and by AZURE_CLIENT_CERTIFICATE_PATH; a creds file', async () => {
    const registry = world.registries.armAllowed;
    const byFlag = home();
    expectSuccess(
      await runCli(
        [
          '--registry',
          registry.url,
          '--client-id',
          world.certApp.clientId,
          ...entra(),
          '--client-certificate',
          world.certApp.certificate.path,
          '--login',
          'config'
        ],
        byFlag.env
      )
    );
    await expectPush(byFlag, registry);

    const byEnv = home({
      AZURE_CLIENT_ID: world.certApp.clientId,
      AZURE_TENANT_ID: world.tenantId,
      AZURE_AUTHORITY_HOST: world.entra.url,
      AZURE_CLIENT_CERTIFICATE_PATH: world.certApp.certificate.path
    });
    expectSuccess(await runCli(['--registry', registry.url, '--login', 'config'], byEnv.env));
    expect(readConfig(byEnv).auths?.[registry.loginServer]).toBeDefined();

    const byCreds = home();
    const creds = secretFile(
      byCreds.dir,
      'creds.json',
      JSON.stringify({ clientId: world.secretApp.clientId, clientSecret: world.secretApp.secret, tenantId: world.tenantId })
    );
    expectSuccess(
      await runCli(
        ['--registry', registry.url, '--creds-file', creds, '--authority-host', world.entra.url, '--login', 'config'],
        byCreds.env
      )
    );
    expect(readConfig(byCreds).auths?.[registry.loginServer]).toBeDefined();
  });

  it('workload identity: AZURE_FEDERATED_TOKEN_FILE as AKS mounts it, with nothing but environment variables', async () => {
    const registry = world.registries.armRefused;
    const dir = mkdtempSync(join(tmpdir(), 'aks-'));
    const tokenFile = secretFile(dir, 'azure-identity-token', world.github.mint(EXCHANGE_AUDIENCE));
    const h = home({
      AZURE_CLIENT_ID: world.federatedApp.clientId,
      AZURE_TENANT_ID: world.tenantId,
      AZURE_AUTHORITY_HOST: world.entra.url,
      AZURE_FEDERATED_TOKEN_FILE: tokenFile
    });
    const before = world.requests.count('entra-token');
    expectSuccess(await runCli(['--registry', registry.url, '--login', 'config'], h.env));
    expect(world.requests.count('entra-token')).toBe(before + 1);
    await expectPush(h, registry);
    rmSync(dir, { recursive: true, force: true });
  });

  it('OIDC from another CI: --federated-token-env names the variable (GitLab CI id_tokens)', async () => {
    const registry = world.registries.armAllowed;
    const h = home({ GITLAB_OIDC_TOKEN: world.github.mint(EXCHANGE_AUDIENCE) });
    expectSuccess(
      await runCli(
        [
          '--registry',
          registry.url,
          '--client-id',
          world.federatedApp.clientId,
          ...entra(),
          '--federated-token-env',
          'GITLAB_OIDC_TOKEN',
          '--login',
          'config'
        ],
        h.env
      )
    );
    await expectPush(h, registry);
  });

  it('inside a GitHub job: the job OIDC token', async () => {
    const h = home(world.github.env());
    const before = world.requests.count('github-oidc');
    expectSuccess(
      await runCli(
        ['--registry', world.registries.armRefused.url, '--client-id', world.federatedApp.clientId, ...entra(), '--login', 'config'],
        h.env
      )
    );
    expect(world.requests.count('github-oidc')).toBe(before + 1);
    expect(readConfig(h).auths?.[world.registries.armRefused.loginServer]).toBeDefined();
  });

  it('managed identity through IMDS (system- and user-assigned) and through App Service', async () => {
    const registry = world.registries.armRefused;
    const system = home(world.imds.env());
    expectSuccess(await runCli(['--registry', registry.url, '--auth-type', 'managed-identity', '--login', 'config'], system.env));
    await expectPush(system, registry);
    const user = home({ ...world.imds.env(), AZURE_CLIENT_ID: world.userAssigned.clientId });
    expectSuccess(await runCli(['--registry', registry.url, '--auth-type', 'managed-identity', '--login', 'config'], user.env));
    const appService = home(world.appService.env());
    expectSuccess(await runCli(['--registry', registry.url, '--auth-type', 'managed-identity', '--login', 'config'], appService.env));
    expect(readConfig(appService).auths?.[registry.loginServer]).toBeDefined();
  });

  it('repository-scoped token with --password-stdin: no Entra call, and no @azure/identity needed', async () => {
    const registry = world.registries.armAllowed;
    // A copy of the bundle without its lazily loaded chunks (@azure/identity): this path must not need them.
    const copy = mkdtempSync(join(tmpdir(), 'cli-copy-'));
    cpSync(join(CLI, '..'), join(copy, 'dist'), { recursive: true });
    for (const dir of [join(copy, 'dist'), join(copy, 'dist', 'cli')]) {
      for (const name of readdirSync(dir)) if (/^\d+\.index\.js$/.test(name)) rmSync(join(dir, name));
    }
    const h = home();
    const entraBefore = world.requests.count('entra-token');
    const args = ['--registry', registry.url, '--username', world.scopedToken.username, '--password-stdin', '--login', 'config'];
    expectSuccess(await runNode(join(copy, 'dist', 'cli.js'), { args, env: h.env, stdin: world.scopedToken.password }));
    expect(world.requests.count('entra-token')).toBe(entraBefore);
    await expectPush(h, registry, world.scopedToken.repository);
    rmSync(copy, { recursive: true, force: true });
  });
});

describe('--print', () => {
  it('writes only the az acr login --expose-token JSON on stdout and leaves the docker config alone', async () => {
    const registry = world.registries.armAllowed;
    const h = home({ AZURE_CLIENT_SECRET: world.secretApp.secret });
    const result = await runCli(['--registry', registry.url, '--client-id', world.secretApp.clientId, ...entra(), '--print'], h.env);
    expectSuccess(result, { print: true });
    const printed = JSON.parse(result.stdout);
    expect(Object.keys(printed).sort()).toEqual(['accessToken', 'expiresOn', 'loginServer', 'username']);
    expect(printed).toMatchObject({ loginServer: registry.loginServer, username: TOKEN_USERNAME });
    const hoursLeft = (Date.parse(printed.expiresOn) - Date.now()) / 3600000;
    expect(hoursLeft).toBeGreaterThan(2.5);
    expect(hoursLeft).toBeLessThan(3.5);
    expect(existsSync(configFile(h))).toBe(false);
    const authFile = await world.writeAuthFile(registry, printed.username, printed.accessToken);
    const pushed = await world.push(authFile, registry, 'printed');
    expect(pushed.ok ? 'pushed' : pushed.stderr).toBe('pushed');
  });

  it('prints an array for several registries, and writes the config too when --login is given', async () => {
    const registries = [world.registries.armRefused, world.registries.armAllowed];
    const h = home({ AZURE_CLIENT_SECRET: world.secretApp.secret });
    const args = [
      '--registry',
      registries.map((r) => r.url).join(','),
      '--client-id',
      world.secretApp.clientId,
      ...entra(),
      '--print',
      '--login',
      'config'
    ];
    const result = await runCli(args, h.env);
    expectSuccess(result, { print: true });
    const printed = JSON.parse(result.stdout) as Array<{ loginServer: string; accessToken: string }>;
    expect(printed.map((entry) => entry.loginServer)).toEqual(registries.map((r) => r.loginServer));
    expect(Object.keys(readConfig(h).auths ?? {}).sort()).toEqual(registries.map((r) => r.loginServer).sort());
  });
});

describe('logout', () => {
  it('removes what acr-login wrote for one registry, then everything else it wrote, and nothing else', async () => {
    const [first, second] = [world.registries.armAllowed, world.registries.armRefused];
    const h = home({ AZURE_CLIENT_SECRET: world.secretApp.secret });
    writeConfig(h, { auths: { 'ghcr.io': { auth: 'a2VlcDptZQ==' } }, proxies: { default: {} } });
    for (const registry of [first, second]) {
      expectSuccess(
        await runCli(['--registry', registry.url, '--client-id', world.secretApp.clientId, ...entra(), '--login', 'config'], h.env)
      );
    }
    expect(Object.keys(readConfig(h).auths ?? {}).sort()).toEqual(['ghcr.io', first.loginServer, second.loginServer].sort());

    const one = await runCli(['logout', '--registry', first.url], h.env);
    expect(one.exitCode).toBe(0);
    expect(one.stderr).toContain(`Removed credentials for ${first.loginServer}`);
    expect(Object.keys(readConfig(h).auths ?? {}).sort()).toEqual(['ghcr.io', second.loginServer].sort());

    const rest = await runCli(['logout'], h.env);
    expect(rest.exitCode).toBe(0);
    expect(readConfig(h)).toEqual({ auths: { 'ghcr.io': { auth: 'a2VlcDptZQ==' } }, proxies: { default: {} } });

    const nothing = await runCli(['logout'], h.env);
    expect({ exit: nothing.exitCode, stdout: nothing.stdout }).toEqual({ exit: 0, stdout: '' });
    expect(nothing.stderr).toMatch(/Nothing to log out of/);
  });
});

describe('bad command lines exit 2 with one line, before any request', () => {
  it.each([
    [['--registry', 'myreg.azurecr.io', '--bogus'], 'unknown option --bogus'],
    [['--registry', 'myreg.azurecr.io', '--client-secret', 'hunter2-in-argv'], '--client-secret would put a secret on the command line'],
    [
      ['--registry', 'myreg.azurecr.io', '--password=hunter2-in-argv', '--username', 'u'],
      '--password would put a secret on the command line'
    ],
    [['--client-id', 'c'], '--registry is required'],
    [['--registry'], '--registry needs a value'],
    [
      ['--registry', 'myreg.azurecr.io', '--login', 'podman'],
      "--login 'podman' is not valid; use one of: auto, docker, config, helper, none"
    ],
    [['--registry', 'myreg.azurecr.io', '--auth-type', 'magic'], "auth-type 'magic' is not valid"],
    [['--registry', 'docker.io', '--auth-type', 'managed-identity'], "registry 'docker.io' refused"],
    [['--registry', 'myreg.azurecr.io', '--username', 'u'], '--username needs --password-stdin'],
    [
      ['--registry', 'myreg.azurecr.io', '--client-id', 'c', '--tenant-id', 't', '--client-secret-file', '/nonexistent/secret'],
      '--client-secret-file: cannot read /nonexistent/secret: ENOENT'
    ],
    [['--registry', 'myreg.azurecr.io', '--client-id', 'c', '--tenant-id', 't'], 'cannot choose how to log in'],
    [['--registry', 'myreg.azurecr.io', '--username', 'u', '--password-stdin', '--login', 'helper'], 'login helper renews Entra ID logins'],
    [['push'], "unexpected argument 'push'"],
    [['logout', '--client-id', 'c'], 'logout takes only --registry']
  ])('%j', async (args, message) => {
    const before = world.requests.all().length;
    const result = await runCli(args, home().env, 'a-password-on-stdin');
    expectFailure(result, 2, message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toContain('hunter2-in-argv');
    expect(world.requests.all().length).toBe(before);
  });

  it('--help documents every flag and exits 0', async () => {
    const result = await runCli(['--help'], home().env);
    expect(result.exitCode).toBe(0);
    for (const flag of [
      '--registry',
      '--auth-type',
      '--client-id',
      '--tenant-id',
      '--client-secret-file',
      '--client-secret-stdin',
      '--client-certificate',
      '--creds-file',
      '--federated-token-file',
      '--federated-token-env',
      '--username',
      '--password-stdin',
      '--authority-host',
      '--environment',
      '--token-audience',
      '--login',
      '--print',
      'AZURE_CLIENT_ID',
      'AZURE_TENANT_ID',
      'AZURE_CLIENT_SECRET',
      'AZURE_CLIENT_CERTIFICATE_PATH',
      'AZURE_FEDERATED_TOKEN_FILE',
      'AZURE_AUTHORITY_HOST',
      'logout'
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });
});

describe('a failed login exits 1 with one line naming the cause', () => {
  const registry = (): string[] => ['--registry', world.registries.armAllowed.url, ...entra(), '--login', 'config'];

  it('a wrong client secret', async () => {
    const result = await runCli(
      [...registry(), '--client-id', world.secretApp.clientId],
      home({ AZURE_CLIENT_SECRET: 'wrong-secret-value' }).env
    );
    expectFailure(result, 1, /AADSTS7000215.*client secret of app .* is wrong/);
  });

  it('a federated token file that is not there', async () => {
    const result = await runCli(
      [...registry(), '--client-id', world.federatedApp.clientId],
      home({ AZURE_FEDERATED_TOKEN_FILE: '/nonexistent/token' }).env
    );
    expectFailure(result, 1, 'cannot read the federated token file /nonexistent/token: ENOENT');
  });

  it('an empty federated token variable is a usage error naming it', async () => {
    const result = await runCli(
      [...registry(), '--client-id', world.federatedApp.clientId, '--federated-token-env', 'CI_JOB_JWT'],
      home({ CI_JOB_JWT: '' }).env
    );
    expectFailure(result, 2, /OIDC is not possible: the environment variable CI_JOB_JWT holds no token/);
  });
});

describe('what the login leaves on disk survives, and only this user’s own files are trusted', () => {
  const base64 = (text: string): string => Buffer.from(text).toString('base64');
  const runnerSecret = 'long-lived-runner-secret-0123456789';
  const earlier = { auth: base64(`runner:${runnerSecret}`), email: 'ci@example.com' };
  const adminLogin = (registry: { url: string }): string[] => [
    '--registry',
    registry.url,
    '--username',
    world.admin.username,
    '--password-stdin',
    '--login',
    'config'
  ];
  const keptDir = (h: Home): string => join(h.dir, '.local', 'state', 'acr-login', 'kept');
  const secrets = (): string[] => [...world.secrets(), runnerSecret, earlier.auth];

  it('acr-login logout puts back the entry the login replaced, also after two logins, and keeps no secret in its records', async () => {
    const registry = world.registries.armAllowed;
    const h = home();
    writeConfig(h, { auths: { [registry.loginServer]: earlier, 'ghcr.io': { auth: 'a2VlcDptZQ==' } } });
    for (let i = 0; i < 2; i++) {
      const result = await runCli(adminLogin(registry), h.env, world.admin.password);
      expectSuccess(result);
      expect(leakedSecrets(result.stderr, secrets())).toEqual([]);
    }
    expect(readConfig(h).auths?.[registry.loginServer]).not.toEqual(earlier);
    await expectPush(h, registry);
    const records = readFileSync(join(h.dir, '.local', 'state', 'acr-login', 'logins.json'), 'utf8');
    expect(leakedSecrets(records, secrets())).toEqual([]);
    expect(readdirSync(keptDir(h))).toHaveLength(1);
    expect(statSync(keptDir(h)).mode & 0o777).toBe(0o700);

    const logout = await runCli(['logout'], h.env);
    expect({ exit: logout.exitCode, stdout: logout.stdout }).toEqual({ exit: 0, stdout: '' });
    expect(logout.stderr).toContain(`Put back the earlier credentials for ${registry.loginServer}`);
    expect(leakedSecrets(logout.stderr, secrets())).toEqual([]);
    expect(readConfig(h).auths).toEqual({ [registry.loginServer]: earlier, 'ghcr.io': { auth: 'a2VlcDptZQ==' } });
    expect(readdirSync(keptDir(h))).toEqual([]);
  });

  it('a symbolic link config.json is written through, as docker does', async () => {
    const registry = world.registries.armRefused;
    const h = home();
    const target = join(h.dir, 'dotfiles', 'docker.json');
    mkdirSync(join(h.dir, 'dotfiles'));
    mkdirSync(h.dockerConfig);
    writeFileSync(target, JSON.stringify({ auths: {} }));
    symlinkSync(target, configFile(h));
    expectSuccess(await runCli(adminLogin(registry), h.env, world.admin.password));
    expect(lstatSync(configFile(h)).isSymbolicLink()).toBe(true);
    expect(Object.keys(JSON.parse(readFileSync(target, 'utf8')).auths)).toEqual([registry.loginServer]);
    await expectPush(h, registry);
    expect((await runCli(['logout'], h.env)).exitCode).toBe(0);
    expect(lstatSync(configFile(h)).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(target, 'utf8')).auths).toEqual({});
  });

  it.each([
    ['[]', 'holds an array, not a JSON object'],
    ['{"auths":[]}', ': "auths" is an array, not an object'],
    ['{"auths":"x"}', ': "auths" is a string, not an object']
  ])('a config %s is left untouched and named in one line', async (text, why) => {
    const h = home();
    mkdirSync(h.dockerConfig);
    writeFileSync(configFile(h), text);
    const result = await runCli(adminLogin(world.registries.armAllowed), h.env, world.admin.password);
    expectFailure(result, 1, `docker config ${configFile(h)}${why.startsWith(':') ? '' : ' '}${why}; fix or remove it`);
    expect(readFileSync(configFile(h), 'utf8')).toBe(text);
  });

  it('DOCKER_CONFIG naming a file is named in one line', async () => {
    const h = home();
    writeFileSync(h.dockerConfig, 'a file');
    const result = await runCli(adminLogin(world.registries.armAllowed), h.env, world.admin.password);
    expectFailure(result, 1, `the docker config directory ${h.dockerConfig} is a file, not a directory`);
    expect(readFileSync(h.dockerConfig, 'utf8')).toBe('a file');
  });

  it('a state directory planted by another user is refused before anything is written', async () => {
    const shared = sharedDir();
    mkdirAsNobody(join(shared, 'acr-login'));
    const h = home({ XDG_STATE_HOME: shared });
    const result = await runCli(adminLogin(world.registries.armAllowed), h.env, world.admin.password);
    expectFailure(result, 1, `refusing the login records directory ${join(shared, 'acr-login')}: it belongs to uid ${NOBODY}`);
    expect(existsSync(configFile(h))).toBe(false);
  });

  it('100 MB on standard input ends in one line, with memory bounded', async () => {
    const h = home();
    const peak = peakMemoryEnv();
    const result = await runCli(adminLogin(world.registries.armAllowed), { ...h.env, ...peak.env }, 'x'.repeat(100 * 1024 * 1024));
    expectFailure(result, 1, 'standard input is larger than 1 MiB; it should hold one secret or one request');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(peak.peakMiB()).toBeLessThan(100);
  });

  it('a 600 MB answer ends in one line, with memory bounded', async () => {
    const huge = await serveHugeAnswer(600 * 1024 * 1024);
    try {
      const h = home();
      const peak = peakMemoryEnv();
      const result = await runCli(
        ['--registry', huge.url, '--username', 'user', '--password-stdin', '--login', 'config'],
        { ...h.env, ...peak.env },
        'password'
      );
      expectFailure(result, 1, `${new URL(huge.url).host} sent an answer larger than 4 MiB; a token answer is a few KiB`);
      expect(peak.peakMiB()).toBeLessThan(100);
    } finally {
      await huge.close();
    }
  });

  it('a registry answering 503 with Retry-After: 60 fails within the 30 s a host gets, saying what it waited for', async () => {
    const registry = world.registries.armAllowed;
    world.requests.failNext('acr-token', 4, { status: 503, retryAfterSeconds: 60 });
    try {
      const result = await runCli(adminLogin(registry), home().env, world.admin.password);
      expectFailure(
        result,
        1,
        /answered HTTP 503 and asked to retry after 60 s: gave up after 1 attempt in [\d.]+ s; each host gets 30 s$/
      );
      expect(result.durationMs).toBeLessThan(30000);
    } finally {
      world.requests.clearFaults();
    }
  });

  it('TLS failures say what to check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tls-'));
    const [trusted, untrusted, selfSigned] = await Promise.all([
      createPki(join(dir, 'trusted')),
      createPki(join(dir, 'untrusted')),
      createClientCertificate(join(dir, 'self'), 'self-signed')
    ]);
    const [otherName, expired] = await Promise.all([
      issueServerCertificate(dir, trusted, 'other-name', 'other.example', ['DNS:other.example']),
      issueExpiredServerCertificate(dir, trusted, 'expired', ['IP:127.0.0.1'])
    ]);
    const cases: Array<[{ serverKeyPem: string; serverCertPem: string }, string]> = [
      [
        { serverKeyPem: selfSigned.keyPem, serverCertPem: selfSigned.certPem },
        'DEPTH_ZERO_SELF_SIGNED_CERT: the certificate of 127.0.0.1 is not signed by a trusted authority; behind a TLS-inspecting proxy, set NODE_EXTRA_CA_CERTS'
      ],
      [
        untrusted,
        'UNABLE_TO_VERIFY_LEAF_SIGNATURE: the certificate of 127.0.0.1 is not signed by a trusted authority; behind a TLS-inspecting proxy, set NODE_EXTRA_CA_CERTS'
      ],
      [
        { serverKeyPem: otherName.keyPem, serverCertPem: otherName.certPem },
        'ERR_TLS_CERT_ALTNAME_INVALID: the certificate presented for 127.0.0.1 is for another name'
      ],
      [
        { serverKeyPem: expired.keyPem, serverCertPem: expired.certPem },
        "CERT_HAS_EXPIRED: the certificate of 127.0.0.1 is outside its validity period; check this machine's clock"
      ]
    ];
    for (const [tls, message] of cases) {
      const { server, port } = await serveHttps(tls, '127.0.0.1', (_req, res) => res.end('{}'));
      try {
        const h = home({ NODE_EXTRA_CA_CERTS: trusted.caCertPath });
        const result = await runCli(
          ['--registry', `https://127.0.0.1:${port}`, '--username', 'user', '--password-stdin', '--login', 'config'],
          h.env,
          'password'
        );
        expectFailure(result, 1, `cannot reach 127.0.0.1:${port}: ${message}`);
      } finally {
        server.close();
      }
    }
  });
});

describe('diagnostics', () => {
  it('--verbose or ACR_LOGIN_DEBUG=1 prints the debug lines on stderr, never a secret; without them there are none', async () => {
    const registry = world.registries.armAllowed;
    const args = [
      '--registry',
      registry.url,
      '--client-id',
      world.secretApp.clientId,
      ...entra(),
      '--client-secret-stdin',
      '--login',
      'none'
    ];
    const stdin = `${world.secretApp.secret}\n`;
    const quiet = await runCli(args, home().env, stdin);
    expectSuccess(quiet);
    expect(quiet.stderr).not.toMatch(/^debug: /m);
    for (const [extra, env] of [
      [['--verbose'], {}],
      [[], { ACR_LOGIN_DEBUG: '1' }]
    ] as const) {
      const verbose = await runCli([...args, ...extra], home(env).env, stdin);
      expectSuccess(verbose);
      expect(verbose.stderr).toMatch(
        /^debug: auth path: service principal with a client secret .*, chosen by auth-type auto, as client-secret is given$/m
      );
      expect(verbose.stderr).toContain(`debug: authority: ${world.entra.url}, from authority-host`);
      expect(verbose.stderr).toMatch(
        new RegExp(`^debug: POST ${registry.loginServer.replace(/\./g, '\\.')}/oauth2/exchange: HTTP 200 in \\d+ ms$`, 'm')
      );
    }
  });
});
