// The docker credential helper (dist/credential-helper.js) end to end: set up by `--login helper` (the
// command line, the action, the task), called by skopeo through credHelpers, renewing expired tokens.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction, runStep } from '../../test/support/action-runner';
import {
  cacheDir,
  cacheFiles,
  helperSettingsFile,
  configFile,
  HELPER,
  Home,
  launcherDir,
  newHome,
  ProcessResult,
  readConfig,
  runCli,
  runHelper,
  withExpiry,
  writeConfig,
  secretAppEnv
} from '../../test/support/cli-runner';
import { leakedSecrets } from '../../test/support/leaks';
import { mkdirAsNobody, NOBODY, peakMemoryEnv, sharedDir } from '../../test/support/planted';
import { push as skopeoPush } from '../../test/support/skopeo';
import { useStandIns } from '../../test/support/suite-stand-ins';
import { endpointEnv, inputEnv, postJobEnv, runTaskStep, taskDefaults } from '../../test/support/task-runner';
import { World } from '../../test/support/world';
import { TOKEN_USERNAME } from '../../test/support/acr';
import { acrTypeConnection, addDockerRegistryWifIdentity } from '../../test/support/docker-registry-connections';

const NOT_FOUND = 'credentials not found in native keychain';

let world: World;
let taskDir: string;
const { cleanup: dirs } = useStandIns({ task: true }, (standIns) => ({ world, taskDir } = standIns));

function home(extraEnv: Record<string, string> = {}): Home {
  const created = newHome(world.caCertPath, extraEnv);
  dirs.push(created.dir);
  return created;
}

const entra = (): string[] => ['--tenant-id', world.tenantId, '--authority-host', world.entra.url];

/** `acr-login --login helper` with a service principal whose secret is in the environment (as the helper will need it). */
async function helperLogin(h: Home, registry: { url: string }, extra: string[] = []): Promise<ProcessResult> {
  const result = await runCli(['--registry', registry.url, '--login', 'helper', ...extra], h.env);
  expect({ exit: result.exitCode, stdout: result.stdout }).toEqual({ exit: 0, stdout: '' });
  expect(leakedSecrets(result.stderr, world.secrets())).toEqual([]);
  return result;
}

function spHome(): Home {
  return home(secretAppEnv(world));
}

/** A helper call as docker makes it; it never prints anything on stderr. */
async function get(h: Home, server: string, env: Record<string, string> = h.env): Promise<ProcessResult> {
  const result = await runHelper('get', server, env);
  expect(result.stderr).toBe('');
  if (result.exitCode !== 0) expect(leakedSecrets(result.stdout, world.secrets())).toEqual([]);
  return result;
}

function secretOf(result: ProcessResult): string {
  expect({ exit: result.exitCode, stdout: result.exitCode === 0 ? 'ok' : result.stdout }).toEqual({ exit: 0, stdout: 'ok' });
  const answer = JSON.parse(result.stdout) as { ServerURL: string; Username: string; Secret: string };
  expect(answer.Username).toBe(TOKEN_USERNAME);
  return answer.Secret;
}

/** skopeo pushes with a docker config that names the helper in credHelpers; the launcher's directory is on its PATH. */
async function pushThroughHelper(
  h: Home,
  registry: { loginServer: string },
  binDir: string,
  env: Record<string, string> = h.env,
  repository = 'helped'
): Promise<void> {
  const pushed = await skopeoPush(configFile(h), registry.loginServer, repository, world.image.tag, world.image.dir, {
    workDir: join(world.dir, 'skopeo'),
    env: { ...env, PATH: `${binDir}:/usr/bin:/bin` }
  });
  expect(pushed.ok ? 'pushed' : pushed.stderr).toBe('pushed');
}

function cacheEntry(h: Home): { file: string; entry: { refreshToken: string; expiresOn: string; server: string } } {
  const files = cacheFiles(h);
  expect(files).toHaveLength(1);
  const file = files[0] as string;
  return { file, entry: JSON.parse(readFileSync(file, 'utf8')) };
}

function expireCachedToken(h: Home, secondsLeft: number): void {
  const { file, entry } = cacheEntry(h);
  const token = withExpiry(entry.refreshToken, Math.floor(Date.now() / 1000) + secondsLeft);
  writeFileSync(
    file,
    JSON.stringify({
      ...entry,
      refreshToken: token,
      expiresOn: new Date(Date.now() + secondsLeft * 1000).toISOString(),
      receivedAt: new Date().toISOString(),
      lifetimeMs: secondsLeft * 1000
    }),
    { mode: 0o600 }
  );
}

describe('acr-login --login helper, then skopeo through credHelpers', () => {
  const registry = (): World['registries']['armRefused'] => world.registries.armRefused;
  let h: Home;

  beforeAll(async () => {
    h = spHome();
    writeConfig(h, { auths: { 'ghcr.io': { auth: 'a2VlcDptZQ==' } }, credHelpers: { 'gcr.io': 'gcloud' } });
  });

  it('writes credHelpers, private settings and cache, and a launcher; skopeo pushes with the cached token', async () => {
    const exchanges = world.requests.count('acr-exchange');
    const result = await helperLogin(h, registry());
    expect(world.requests.count('acr-exchange')).toBe(exchanges + 1);
    expect(result.stderr).toContain(`docker-credential-acr-login is not on PATH: add ${launcherDir(h)} to PATH`);
    const config = readConfig(h);
    expect(config.credHelpers).toEqual({ 'gcr.io': 'gcloud', [registry().loginServer]: 'acr-login' });
    expect(config.auths).toEqual({ 'ghcr.io': { auth: 'a2VlcDptZQ==' } });

    const settingsPath = helperSettingsFile(h);
    const settingsText = readFileSync(settingsPath, 'utf8');
    expect(JSON.parse(settingsText).registries[registry().loginServer]).toEqual({
      baseUrl: registry().url,
      authType: 'service-principal',
      clientId: world.secretApp.clientId,
      tenantId: world.tenantId,
      environment: 'AzureCloud',
      authorityHost: world.entra.url,
      audience: 'acr'
    });
    expect(leakedSecrets(settingsText, world.secrets())).toEqual([]);
    expect(statSync(cacheDir(h)).mode & 0o777).toBe(0o700);
    const { file, entry } = cacheEntry(h);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(entry.server).toBe(registry().loginServer);

    await pushThroughHelper(h, registry(), launcherDir(h));
    expect(world.requests.count('acr-exchange')).toBe(exchanges + 1);
  });

  it('an expired cached token is renewed on the next get, and the push still succeeds', async () => {
    expireCachedToken(h, -60);
    const exchanges = world.requests.count('acr-exchange');
    await pushThroughHelper(h, registry(), launcherDir(h));
    expect(world.requests.count('acr-exchange')).toBe(exchanges + 1);
    const renewed = cacheEntry(h).entry;
    expect(Date.parse(renewed.expiresOn) - Date.now()).toBeGreaterThan(2.5 * 3600000);
  });

  it('renews a token with less than 10 minutes left, and hands out one with more', async () => {
    expireCachedToken(h, 5 * 60);
    const shortLived = cacheEntry(h).entry.refreshToken;
    let exchanges = world.requests.count('acr-exchange');
    expect(secretOf(await get(h, registry().loginServer))).not.toBe(shortLived);
    expect(world.requests.count('acr-exchange')).toBe(exchanges + 1);

    expireCachedToken(h, 20 * 60);
    const stillGood = cacheEntry(h).entry.refreshToken;
    exchanges = world.requests.count('acr-exchange');
    expect(secretOf(await get(h, registry().loginServer))).toBe(stillGood);
    expect(world.requests.count('acr-exchange')).toBe(exchanges);
  });

  it('parallel gets with no cached token sign in and exchange once', async () => {
    for (const file of cacheFiles(h)) rmSync(file);
    const [exchanges, entraTokens] = [world.requests.count('acr-exchange'), world.requests.count('entra-token')];
    const results = await Promise.all(Array.from({ length: 6 }, () => get(h, registry().loginServer)));
    const secrets = new Set(results.map(secretOf));
    expect(secrets.size).toBe(1);
    expect(world.requests.count('acr-exchange')).toBe(exchanges + 1);
    expect(world.requests.count('entra-token')).toBe(entraTokens + 1);
  });

  it('a broken cache file is replaced, not trusted', async () => {
    for (const broken of [
      '{ not json',
      JSON.stringify({ version: 1, server: 'someone-else.azurecr.io', refreshToken: 'x', expiresOn: '2999-01-01T00:00:00Z' }),
      ''
    ]) {
      const { file } = cacheEntry(h);
      writeFileSync(file, broken);
      const exchanges = world.requests.count('acr-exchange');
      const secret = secretOf(await get(h, registry().loginServer));
      expect(world.requests.count('acr-exchange')).toBe(exchanges + 1);
      expect(cacheEntry(h).entry.refreshToken).toBe(secret);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
    await pushThroughHelper(h, registry(), launcherDir(h));
  });

  it('speaks the rest of the protocol: unknown servers, list, erase, store, version, bad calls', async () => {
    for (const unknown of ['ghcr.io', 'https://index.docker.io/v1/', 'other.azurecr.io']) {
      const notFound = await get(h, unknown, { ...h.env, AZURE_CLIENT_ID: '', AZURE_CLIENT_SECRET: '' });
      expect({ exit: notFound.exitCode, stdout: notFound.stdout }).toEqual({ exit: 1, stdout: `${NOT_FOUND}\n` });
    }
    // A URL with a scheme names the same server as the bare host docker sends.
    expect(secretOf(await get(h, `${registry().url}/`))).toBe(cacheEntry(h).entry.refreshToken);

    const list = await runHelper('list', 'unused', h.env);
    expect({ exit: list.exitCode, list: JSON.parse(list.stdout) }).toEqual({ exit: 0, list: { [registry().loginServer]: TOKEN_USERNAME } });

    const erase = await runHelper('erase', registry().loginServer, h.env);
    expect({ exit: erase.exitCode, stdout: erase.stdout, stderr: erase.stderr }).toEqual({ exit: 0, stdout: '', stderr: '' });
    expect(cacheFiles(h)).toEqual([]);

    const token = world.registries.armRefused.acr.issueRefreshToken({
      oid: world.secretApp.objectId,
      tid: world.tenantId,
      appid: world.secretApp.clientId
    });
    const store = await runHelper(
      'store',
      JSON.stringify({ ServerURL: registry().loginServer, Username: TOKEN_USERNAME, Secret: token }),
      h.env
    );
    expect({ exit: store.exitCode, stdout: store.stdout }).toEqual({ exit: 0, stdout: '' });
    const exchanges = world.requests.count('acr-exchange');
    expect(secretOf(await get(h, registry().loginServer))).toBe(token);
    expect(world.requests.count('acr-exchange')).toBe(exchanges);

    const refused = await runHelper(
      'store',
      JSON.stringify({ ServerURL: registry().loginServer, Username: world.admin.username, Secret: world.admin.password }),
      h.env
    );
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toMatch(/keeps only ACR refresh tokens/);
    expect(leakedSecrets(refused.stdout + refused.stderr, world.secrets())).toEqual([]);

    const version = await runHelper('version', '', h.env);
    expect(version.stdout).toMatch(/^docker-credential-acr-login \(acr-login\) \d+\.\d+\.\d+\n$/);
    expect((await runHelper('bogus', '', h.env)).stdout).toBe('Unknown credential action `bogus`\n');
    expect((await runHelper('get', '', h.env)).stdout).toBe('no credentials server URL\n');
  });

  it('an expired token that cannot be renewed says why, on stdout for docker to show', async () => {
    expireCachedToken(h, -60);
    const result = await get(h, registry().loginServer, { ...h.env, AZURE_CLIENT_SECRET: '' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(
      `cannot get a new token for ${registry().loginServer}: auth-type service-principal needs client-secret, client-certificate or creds\n`
    );
  });

  it('acr-login logout removes the credHelpers entry, the settings and the cached tokens, and nothing else', async () => {
    const result = await runCli(['logout'], h.env);
    expect({ exit: result.exitCode, stdout: result.stdout }).toEqual({ exit: 0, stdout: '' });
    expect(result.stderr).toContain(`Removed the credHelpers entries for ${registry().loginServer}`);
    expect(readConfig(h)).toEqual({ auths: { 'ghcr.io': { auth: 'a2VlcDptZQ==' } }, credHelpers: { 'gcr.io': 'gcloud' } });
    expect(cacheFiles(h)).toEqual([]);
    expect(JSON.parse(readFileSync(helperSettingsFile(h), 'utf8')).registries).toEqual({});
    const notFound = await get(h, registry().loginServer, { ...h.env, AZURE_CLIENT_SECRET: '' });
    expect(notFound.stdout).toBe(`${NOT_FOUND}\n`);
  });
});

describe('the helper renews with every credential it records', () => {
  async function renewsAfterExpiry(
    h: Home,
    registry: { loginServer: string; url: string },
    args: string[],
    service: 'github-oidc' | 'imds' | 'entra-token'
  ): Promise<void> {
    await helperLogin(h, registry, args);
    expireCachedToken(h, -60);
    const [exchanges, calls] = [world.requests.count('acr-exchange'), world.requests.count(service)];
    await pushThroughHelper(h, registry, launcherDir(h));
    expect(world.requests.count('acr-exchange')).toBe(exchanges + 1);
    expect(world.requests.count(service)).toBe(calls + 1);
  }

  it('workload identity: the token file is read again', async () => {
    const tokenFile = join(mkdtempSync(join(tmpdir(), 'aks-')), 'token');
    dirs.push(join(tokenFile, '..'));
    writeFileSync(tokenFile, world.github.mint('api://AzureADTokenExchange'));
    const h = home({
      AZURE_CLIENT_ID: world.federatedApp.clientId,
      AZURE_TENANT_ID: world.tenantId,
      AZURE_AUTHORITY_HOST: world.entra.url,
      AZURE_FEDERATED_TOKEN_FILE: tokenFile
    });
    await renewsAfterExpiry(h, world.registries.armAllowed, [], 'entra-token');
  });

  it('inside a GitHub job: a fresh GitHub ID token', async () => {
    const h = home(world.github.env());
    await renewsAfterExpiry(h, world.registries.armRefused, ['--client-id', world.federatedApp.clientId, ...entra()], 'github-oidc');
  });

  it('managed identity', async () => {
    const h = home(world.imds.env());
    await renewsAfterExpiry(h, world.registries.armRefused, ['--auth-type', 'managed-identity'], 'imds');
  });
});

describe('login: helper in the action and loginMode: helper in the task', () => {
  it('the action puts the helper on PATH for later steps, and its post step removes the credHelpers entry', async () => {
    const h = home();
    const githubPath = join(h.dir, 'github_path');
    writeFileSync(githubPath, '');
    const registry = world.registries.armAllowed;
    const inputs = {
      registry: registry.url,
      'client-id': world.secretApp.clientId,
      'tenant-id': world.tenantId,
      'client-secret': world.secretApp.secret,
      'authority-host': world.entra.url,
      login: 'helper'
    };
    const run = await runAction(inputs, { ...h.env, GITHUB_PATH: githubPath });
    expect({ exit: run.main.exitCode, errors: run.main.errors }).toEqual({ exit: 0, errors: [] });
    expect(run.main.warnings).toEqual([expect.stringMatching(/renews the tokens .* only if AZURE_CLIENT_SECRET/)]);
    const binDir = readFileSync(githubPath, 'utf8').trim();
    expect(existsSync(join(binDir, 'docker-credential-acr-login'))).toBe(true);
    expect(readConfig(h).credHelpers).toEqual({ [registry.loginServer]: 'acr-login' });
    await pushThroughHelper(h, registry, binDir);

    const stateEnv: Record<string, string> = {};
    for (const [name, value] of Object.entries(run.main.state)) stateEnv[`STATE_${name}`] = value;
    const post = await runStep('dist/post.js', { ...h.env, ...stateEnv });
    expect({ exit: post.exitCode, warnings: post.warnings }).toEqual({ exit: 0, warnings: [] });
    expect(readConfig(h).credHelpers).toBeUndefined();
    expect(cacheFiles(h)).toEqual([]);
  });

  it.each([
    [
      'an Azure Resource Manager connection (azureSubscription)',
      (registry: { url: string; loginServer: string }) => ({
        inputs: { azureSubscription: world.ado.serviceConnectionId, registry: registry.url },
        connection: {
          id: world.ado.serviceConnectionId,
          scheme: 'WorkloadIdentityFederation',
          parameters: { tenantid: world.tenantId, serviceprincipalid: world.federatedApp.clientId },
          data: { environment: 'AzureCloud', activeDirectoryAuthority: `${world.entra.url}/` }
        }
      })
    ],
    [
      'a Docker registry connection (containerRegistry)',
      (registry: { url: string; loginServer: string }) => {
        // Its own connection and an app trusting only its subject: the helper must ask for THIS connection's token.
        const identity = addDockerRegistryWifIdentity(world);
        const parameters = { tenantid: world.tenantId, serviceprincipalid: identity.app.clientId };
        return {
          inputs: { containerRegistry: identity.id },
          connection: acrTypeConnection(world, registry, 'WorkloadIdentityFederation', parameters, identity.id)
        };
      }
    ]
  ])(
    'the task with %s using workload identity federation: the helper asks Azure DevOps for a new assertion when it renews',
    async (_kind, given) => {
      const h = home();
      const agentTemp = mkdtempSync(join(h.dir, 'agent-'));
      const registry = world.registries.armRefused;
      const { inputs, connection } = given(registry);
      const jobEnv = {
        ...h.env,
        ...world.ado.env(),
        AGENT_TEMPDIRECTORY: agentTemp,
        AGENT_VERSION: '4.258.1',
        SECRET_SYSTEM_ACCESSTOKEN: world.ado.accessToken
      };
      const env = {
        ...jobEnv,
        ...inputEnv({ ...taskDefaults(taskDir), ...inputs, loginMode: 'helper' }),
        ...endpointEnv(connection)
      };
      const main = await runTaskStep(taskDir, 'index.js', env);
      expect({ exit: main.exitCode, errors: main.errors, result: main.result }).toEqual({ exit: 0, errors: [], result: undefined });
      const binDir = main.commands.find((command) => command.command === 'task.prependpath')?.message ?? '';
      expect(binDir).toBe(join(agentTemp, 'acr-login-bin'));
      expect(readConfig(h).credHelpers).toEqual({ [registry.loginServer]: 'acr-login' });

      // A later script step that maps System.AccessToken, as the warning asks, with an expired cached token.
      expect(main.warnings).toEqual([expect.stringMatching(/SYSTEM_ACCESSTOKEN: \$\(System.AccessToken\)/)]);
      expireCachedToken(h, -60);
      const [exchanges, assertions] = [world.requests.count('acr-exchange'), world.requests.count('ado-oidc')];
      await pushThroughHelper(h, registry, binDir, { ...jobEnv, SYSTEM_ACCESSTOKEN: world.ado.accessToken });
      expect(world.requests.count('acr-exchange')).toBe(exchanges + 1);
      expect(world.requests.count('ado-oidc')).toBe(assertions + 1);

      const post = await runTaskStep(taskDir, 'post.js', postJobEnv(env, main));
      expect({ exit: post.exitCode, errors: post.errors, warnings: post.warnings }).toEqual({ exit: 0, errors: [], warnings: [] });
      expect(readConfig(h).credHelpers).toBeUndefined();
    }
  );
});

describe('the helper trusts only this user’s own files, and a killed call never slows the next', () => {
  it('myreg.azurecr.io:443 names the same registry: the cached token is handed out, no exchange', async () => {
    const h = spHome();
    const server = 'myreg.azurecr.io';
    const settingsDir = join(h.dir, '.config', 'acr-login');
    mkdirSync(settingsDir, { recursive: true, mode: 0o700 });
    const settings = {
      baseUrl: `https://${server}`,
      authType: 'service-principal',
      clientId: world.secretApp.clientId,
      tenantId: world.tenantId,
      authorityHost: world.entra.url,
      audience: 'acr'
    };
    writeFileSync(helperSettingsFile(h), JSON.stringify({ version: 1, registries: { [server]: settings } }), { mode: 0o600 });
    const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = `${part({ alg: 'RS256' })}.${part({ aud: server, exp: Math.floor(Date.now() / 1000) + 3 * 3600 })}.c2lnbmF0dXJl`;
    const store = await runHelper('store', JSON.stringify({ ServerURL: server, Username: TOKEN_USERNAME, Secret: token }), h.env);
    expect({ exit: store.exitCode, stdout: store.stdout }).toEqual({ exit: 0, stdout: '' });
    const [exchanges, signIns] = [world.requests.count('acr-exchange'), world.requests.count('entra-token')];
    for (const asked of [`${server}:443`, `https://${server}:443/`, server]) expect(secretOf(await get(h, asked))).toBe(token);
    expect([world.requests.count('acr-exchange'), world.requests.count('entra-token')]).toEqual([exchanges, signIns]);
  });

  it('a get killed (kill -9) while it renews under the cache lock does not hold up the next get', async () => {
    const h = spHome();
    const registry = world.registries.armAllowed;
    await helperLogin(h, registry);
    expireCachedToken(h, -60);
    // The renewal hangs on a registry that never answers, holding the entry's lock, until it is killed.
    const settingsPath = helperSettingsFile(h);
    const recorded = readFileSync(settingsPath, 'utf8');
    const hanging = JSON.parse(recorded);
    hanging.registries[registry.loginServer].baseUrl = `http://127.0.0.1:${world.blackhole.port}`;
    writeFileSync(settingsPath, JSON.stringify(hanging), { mode: 0o600 });
    const killed = spawn(process.execPath, [HELPER, 'get'], { env: h.env, stdio: ['pipe', 'ignore', 'ignore'] });
    killed.stdin.end(registry.loginServer);
    const exited = new Promise((resolve) => killed.once('exit', resolve));
    const deadline = Date.now() + 10000;
    while (!readdirSync(cacheDir(h)).some((name) => name.endsWith('.lock')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(readdirSync(cacheDir(h)).filter((name) => name.endsWith('.lock'))).toHaveLength(1);
    killed.kill('SIGKILL');
    await exited;

    writeFileSync(settingsPath, recorded, { mode: 0o600 });
    const next = await get(h, registry.loginServer);
    expect(next.durationMs).toBeLessThan(5000);
    secretOf(next);
    expect(readdirSync(cacheDir(h)).filter((name) => !name.endsWith('.json'))).toEqual([]);
  });

  it('acr-login logout puts back the credHelpers entry the login replaced', async () => {
    const h = spHome();
    const registry = world.registries.armRefused;
    writeConfig(h, { credHelpers: { [registry.loginServer]: 'ecr-login', 'gcr.io': 'gcloud' } });
    await helperLogin(h, registry);
    expect(readConfig(h).credHelpers?.[registry.loginServer]).toBe('acr-login');
    const logout = await runCli(['logout'], h.env);
    expect({ exit: logout.exitCode, stdout: logout.stdout }).toEqual({ exit: 0, stdout: '' });
    expect(logout.stderr).toContain(`Put back the earlier credHelpers entries for ${registry.loginServer}`);
    expect(leakedSecrets(logout.stderr, world.secrets())).toEqual([]);
    expect(readConfig(h).credHelpers).toEqual({ [registry.loginServer]: 'ecr-login', 'gcr.io': 'gcloud' });
  });

  it('a cache directory planted by another user is refused: get and login say so in one line', async () => {
    const shared = sharedDir();
    mkdirAsNobody(join(shared, 'acr-login'));
    const h = spHome();
    const registry = world.registries.armAllowed;
    const result = await runCli(['--registry', registry.url, '--login', 'helper'], { ...h.env, XDG_CACHE_HOME: shared });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trimEnd().split('\n').pop()).toBe(
      `acr-login: refusing the token cache directory ${join(shared, 'acr-login')}: it belongs to uid ${NOBODY}, not to this user (uid ${process.getuid?.()}); remove it or point the XDG variable elsewhere`
    );
    expect(leakedSecrets(result.stderr, world.secrets())).toEqual([]);

    await helperLogin(h, registry);
    const planted = await get(h, registry.loginServer, { ...h.env, XDG_CACHE_HOME: shared });
    expect(planted.exitCode).toBe(1);
    expect(planted.stdout).toMatch(
      /^refusing the token cache directory .*: it belongs to uid 65534, not to this user \(uid \d+\); remove it or point the XDG variable elsewhere\n$/
    );
  });

  it('a launcher directory that is a symbolic link is refused', async () => {
    const h = spHome();
    const data = join(h.dir, 'data');
    mkdirSync(join(data, 'acr-login'), { recursive: true, mode: 0o700 });
    symlinkSync(mkdtempSync(join(tmpdir(), 'elsewhere-')), join(data, 'acr-login', 'bin'));
    const result = await runCli(['--registry', world.registries.armAllowed.url, '--login', 'helper'], { ...h.env, XDG_DATA_HOME: data });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trimEnd().split('\n').pop()).toBe(
      `acr-login: refusing the credential helper launcher directory ${join(data, 'acr-login', 'bin')}: it is a symbolic link; remove it or point the XDG variable elsewhere`
    );
  });

  it('100 MB on the standard input of get ends in one line, with memory bounded', async () => {
    const h = spHome();
    const peak = peakMemoryEnv();
    const result = await runHelper('get', 'x'.repeat(100 * 1024 * 1024), { ...h.env, ...peak.env });
    expect({ exit: result.exitCode, stdout: result.stdout, stderr: result.stderr }).toEqual({
      exit: 1,
      stdout: 'standard input is larger than 1 MiB; it should hold one secret or one request\n',
      stderr: ''
    });
    expect(peak.peakMiB()).toBeLessThan(100);
  });
});
