import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { clientAuthFiles, containersAuthFiles, helmRegistryConfig } from '../../../src/core/clients/auth-files';
import { login, logout, parseLoginOptions, Platform } from '../../../src/core';
import { parseState } from '../../../src/core/state';
import { DIRECT } from '../../../src/lib/proxy';
import { leakedSecrets } from '../../../test/support/leaks';
import { startWorld, World } from '../../../test/support/world';

function home(): { dir: string; env: NodeJS.ProcessEnv; dockerConfig: string } {
  const dir = mkdtempSync(join(tmpdir(), 'clients-home-'));
  return { dir, env: { HOME: dir, XDG_RUNTIME_DIR: join(dir, 'run') }, dockerConfig: join(dir, '.docker', 'config.json') };
}

function touch(path: string, text = '{"auths":{}}'): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

describe('which files a login writes besides the docker config', () => {
  it('none when no variable names one and no containers or helm file exists', async () => {
    const { env, dockerConfig } = home();
    expect(await clientAuthFiles(env, dockerConfig)).toEqual([]);
  });

  it('REGISTRY_AUTH_FILE, made or not, and not the others', async () => {
    const { dir, env, dockerConfig } = home();
    touch(join(dir, 'run', 'containers', 'auth.json'));
    const named = join(dir, 'ci', 'auth.json');
    expect(await clientAuthFiles({ ...env, REGISTRY_AUTH_FILE: named }, dockerConfig)).toEqual([
      { path: named, readers: 'podman, buildah and skopeo', because: 'REGISTRY_AUTH_FILE names it' }
    ]);
  });

  it('the first existing of ${XDG_RUNTIME_DIR}/containers/auth.json and ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json', async () => {
    const { dir, env, dockerConfig } = home();
    const underConfig = touch(join(dir, '.config', 'containers', 'auth.json'));
    expect((await clientAuthFiles(env, dockerConfig)).map((file) => [file.path, file.because])).toEqual([[underConfig, 'it exists']]);
    const underRuntime = touch(join(dir, 'run', 'containers', 'auth.json'));
    expect((await clientAuthFiles(env, dockerConfig)).map((file) => file.path)).toEqual([underRuntime]);
    const xdgConfig = touch(join(dir, 'xdg', 'containers', 'auth.json'));
    expect(
      (await clientAuthFiles({ ...env, XDG_RUNTIME_DIR: join(dir, 'none'), XDG_CONFIG_HOME: join(dir, 'xdg') }, dockerConfig)).map(
        (file) => file.path
      )
    ).toEqual([xdgConfig]);
  });

  it("HELM_REGISTRY_CONFIG, else helm's own registry config when it exists", async () => {
    const { dir, env, dockerConfig } = home();
    const named = join(dir, 'helm.json');
    expect(await clientAuthFiles({ ...env, HELM_REGISTRY_CONFIG: named }, dockerConfig)).toEqual([
      { path: named, readers: 'helm', because: 'HELM_REGISTRY_CONFIG names it' }
    ]);
    const helmsOwn = touch(join(dir, '.config', 'helm', 'registry', 'config.json'));
    expect((await clientAuthFiles(env, dockerConfig)).map((file) => [file.path, file.readers])).toEqual([[helmsOwn, 'helm']]);
    const helmHome = touch(join(dir, 'helm-home', 'registry', 'config.json'));
    expect((await clientAuthFiles({ ...env, HELM_CONFIG_HOME: join(dir, 'helm-home') }, dockerConfig)).map((file) => file.path)).toEqual([
      helmHome
    ]);
  });

  it('never the docker config itself, by name or through a link', async () => {
    const { dir, env, dockerConfig } = home();
    touch(dockerConfig);
    mkdirSync(join(dir, 'run', 'containers'), { recursive: true });
    symlinkSync(dockerConfig, join(dir, 'run', 'containers', 'auth.json'));
    expect(await clientAuthFiles({ ...env, HELM_REGISTRY_CONFIG: dockerConfig }, dockerConfig)).toEqual([]);
    expect(await clientAuthFiles({ ...env, REGISTRY_AUTH_FILE: dockerConfig }, dockerConfig)).toEqual([]);
  });

  it('follows containers/image on each platform: /run/containers/$UID without XDG_RUNTIME_DIR, ~/.config elsewhere', () => {
    expect(containersAuthFiles({ HOME: '/home/runner' }, 'linux', 1001)).toEqual([
      '/run/containers/1001/auth.json',
      '/home/runner/.config/containers/auth.json'
    ]);
    expect(containersAuthFiles({ HOME: '/Users/me' }, 'darwin', 501)).toEqual(['/Users/me/.config/containers/auth.json']);
    expect(containersAuthFiles({ USERPROFILE: 'C:\\Users\\me', HOME: '/c/Users/me', XDG_CONFIG_HOME: '/xdg' }, 'win32')).toEqual([
      join('C:\\Users\\me', '.config', 'containers', 'auth.json'),
      join('/xdg', 'containers', 'auth.json')
    ]);
    expect(helmRegistryConfig({ HOME: '/Users/me' }, 'darwin')).toBe('/Users/me/Library/Preferences/helm/registry/config.json');
    expect(helmRegistryConfig({ HOME: '/h', APPDATA: 'C:\\AppData' }, 'win32')).toBe(
      join('C:\\AppData', 'helm', 'registry', 'config.json')
    );
  });
});

describe('login and logout of the other files', () => {
  let world: World;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    world = await startWorld();
  }, 60000);

  afterAll(async () => {
    process.env = savedEnv;
    await world?.close();
  });

  function platformFor(env: NodeJS.ProcessEnv): { platform: Platform; lines: string[]; state: string[] } {
    const lines: string[] = [];
    const state: string[] = [];
    const platform: Platform = {
      info: (message) => lines.push(message),
      warning: (message) => lines.push(`warning: ${message}`),
      debug: () => undefined,
      mask: () => undefined,
      setOutput: () => undefined,
      saveState: (value) => {
        state.push(value);
      },
      env,
      proxy: DIRECT
    };
    return { platform, lines, state };
  }

  const noFederation = { available: false, unavailableHint: 'none here', getToken: () => Promise.reject(new Error('none')) };

  it('config mode: the entry replaced in a containers auth.json is kept aside and put back byte for byte; the state names the file', async () => {
    const { dir, env } = home();
    const registry = world.registries.armAllowed;
    const podmansOwn = join(dir, 'run', 'containers', 'auth.json');
    const stale = Buffer.from('00000000-0000-0000-0000-000000000000:stale').toString('base64');
    const before = JSON.stringify(
      { auths: { [registry.loginServer]: { auth: stale }, 'quay.io': { auth: 'b3RoZXI6dXNlcg==' } } },
      null,
      '\t'
    );
    touch(podmansOwn, before);
    const options = parseLoginOptions(
      { registry: registry.url, username: world.admin.username, password: world.admin.password, login: 'config' },
      noFederation
    );
    const { platform, lines, state } = platformFor(env);
    await login(options, platform);
    const written = JSON.parse(readFileSync(podmansOwn, 'utf8'));
    expect(Buffer.from(written.auths[registry.loginServer].auth, 'base64').toString()).toBe(
      `${world.admin.username}:${world.admin.password}`
    );
    expect(written.auths['quay.io']).toEqual({ auth: 'b3RoZXI6dXNlcg==' });
    const saved = parseState(state[0] ?? '');
    expect(saved?.servers[0]?.also?.map((also) => also.path)).toEqual([podmansOwn]);
    expect(state[0]).not.toContain(world.admin.password);
    expect(state[0]).not.toContain(stale);

    const after = platformFor(env);
    await logout(state[0] ?? '', after.platform);
    expect(readFileSync(podmansOwn, 'utf8')).toBe(before);
    expect(after.lines).toContain(`Put back the earlier credentials for ${registry.loginServer} in ${podmansOwn}`);
    expect(leakedSecrets([...lines, ...after.lines].join('\n'), [...world.secrets(), stale])).toEqual([]);
  });

  it('a file it cannot undo is a warning, the docker config is still undone, and a state of an earlier version (no other files) still logs out', async () => {
    const { env, dockerConfig } = home();
    const fingerprint = createHash('sha256').update('YTpi').digest('hex').slice(0, 32);
    const ours = JSON.stringify({ auths: { 'a.azurecr.io': { auth: 'YTpi' } } });
    touch(dockerConfig, ours);
    const state = JSON.stringify({
      mode: 'config',
      configPath: dockerConfig,
      servers: [{ server: 'a.azurecr.io', fingerprint, also: [{ path: '/etc/hostname/not-a-directory/auth.json' }] }]
    });
    const { platform, lines } = platformFor(env);
    await logout(state, platform);
    expect(lines).toEqual([
      `Removed credentials for a.azurecr.io from ${dockerConfig}`,
      expect.stringMatching(/^warning: Logout from \/etc\/hostname\/not-a-directory\/auth.json failed: /)
    ]);

    touch(dockerConfig, ours);
    const earlier = JSON.stringify({ mode: 'config', configPath: dockerConfig, servers: [{ server: 'a.azurecr.io', fingerprint }] });
    expect(parseState(earlier)?.servers).toEqual([{ server: 'a.azurecr.io', fingerprint }]);
    const again = platformFor(env);
    await logout(earlier, again.platform);
    expect(again.lines).toEqual([`Removed credentials for a.azurecr.io from ${dockerConfig}`]);
  });

  it('overlapping jobs on one HOME, either mode: the first logout leaves the later login its entry, the last one puts back the stale entry byte for byte', async () => {
    const registry = world.registries.armAllowed;
    for (const mode of ['config', 'helper'] as const) {
      const { dir, env } = home();
      const podmansOwn = join(dir, 'run', 'containers', 'auth.json');
      const stale = Buffer.from('00000000-0000-0000-0000-000000000000:stale').toString('base64');
      const before = JSON.stringify({ auths: { [registry.loginServer]: { auth: stale } } }, null, '\t');
      touch(podmansOwn, before);
      const withHelper = (platform: Platform): Platform => ({
        ...platform,
        credentialHelper: { script: join(dir, 'credential-helper.js'), binDir: join(dir, 'bin'), addPath: () => true }
      });
      const states: string[] = [];
      // Two jobs with credentials of their own (ACR refresh tokens differ from login to login too); the helper renews Entra logins only.
      const inputs =
        mode === 'config'
          ? [world.admin, world.scopedToken].map(({ username, password }) => ({ username, password }))
          : [{ 'auth-type': 'managed-identity' }, { 'auth-type': 'managed-identity' }];
      // @azure/identity reads its managed identity settings from the process's environment.
      process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = world.imds.env().AZURE_POD_IDENTITY_AUTHORITY_HOST;
      for (const credential of inputs) {
        const options = parseLoginOptions({ registry: registry.url, ...credential, login: mode }, noFederation);
        const { platform, state } = platformFor(env);
        await login(options, withHelper(platform));
        states.push(state[0] ?? '');
      }
      const inFile = (): unknown => JSON.parse(readFileSync(podmansOwn, 'utf8'));
      const written = inFile();
      const first = platformFor(env);
      await logout(states[0] ?? '', withHelper(first.platform));
      expect(`${mode}: ${JSON.stringify(inFile())}`).toBe(`${mode}: ${JSON.stringify(written)}`);
      expect(first.lines.filter((line) => line.startsWith('warning'))).toEqual([]);
      const last = platformFor(env);
      await logout(states[1] ?? '', withHelper(last.platform));
      expect(`${mode}: ${readFileSync(podmansOwn, 'utf8')}`).toBe(`${mode}: ${before}`);
      expect(last.lines.filter((line) => line.startsWith('warning'))).toEqual([]);
    }
  });
});
