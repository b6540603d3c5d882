// Proof that the test infrastructure is real: the shared docker engine builds and pushes to a real docker-registry;
// Node 24 from the npm registry runs.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AcrStandIn } from '../test/support/acr';
import { buildAndPushScratchImage, docker, sharedDockerEngine } from '../test/support/docker-engine';
import { EntraStandIn } from '../test/support/entra';
import { node24 } from '../test/support/node24';
import { createPki } from '../test/support/pki';
import { RequestLog } from '../test/support/request-log';
import { writeAuthFile } from '../test/support/skopeo';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'acr-login-infra-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the shared docker engine', () => {
  let acr: AcrStandIn;
  let entra: EntraStandIn;
  let host: string;
  const admin = { username: 'contosoregistry', password: randomBytes(24).toString('base64') };

  beforeAll(async () => {
    ({ host } = await sharedDockerEngine());
    const log = new RequestLog();
    entra = await EntraStandIn.start({ pki: await createPki(join(dir, 'pki')), log });
    acr = await AcrStandIn.start({ dir: join(dir, 'acr'), log, entra });
    acr.enableAdminUser(admin.username, admin.password);
  });

  afterAll(async () => {
    await Promise.all([acr?.close(), entra?.close()]);
  });

  async function configDir(name: string, credentials?: { username: string; password: string }): Promise<string> {
    const configDir = join(dir, name);
    if (credentials) await writeAuthFile(join(configDir, 'config.json'), acr.loginServer, credentials.username, credentials.password);
    else {
      await mkdir(configDir, { recursive: true });
      await writeFile(join(configDir, 'config.json'), '{}\n');
    }
    return configDir;
  }

  it('builds a FROM scratch image and pushes it to the real docker-registry with credentials from DOCKER_CONFIG', async () => {
    const image = `${acr.loginServer}/infra/scratch:${randomUUID()}`;
    const dockerConfig = await configDir('with-admin', admin);
    const pushed = await buildAndPushScratchImage(image, { host, dockerConfig, workDir: dir });
    expect(pushed).toMatchObject({ step: 'push', exitCode: 0 });
    expect(pushed.stdout).toMatch(/digest: sha256:[0-9a-f]{64}/);

    // The registry has it: delete the local copy and pull it back through the engine.
    const options = { host, dockerConfig };
    expect((await docker(['image', 'rm', image], options)).exitCode).toBe(0);
    const pulled = await docker(['pull', image], options);
    expect(pulled.exitCode).toBe(0);
    expect((await docker(['image', 'inspect', '--format', '{{.Os}}', image], options)).exitCode).toBe(0);
  });

  it('fails the push when the registry demands credentials and DOCKER_CONFIG has none', async () => {
    const image = `${acr.loginServer}/infra/denied:${randomUUID()}`;
    const pushed = await buildAndPushScratchImage(image, { host, dockerConfig: await configDir('empty'), workDir: dir });
    expect(pushed.step).toBe('push');
    expect(pushed.exitCode).not.toBe(0);
    expect(pushed.stderr).toMatch(/unauthorized|authentication required|no basic auth credentials/i);
  });

  it('fails the push with a wrong password', async () => {
    const image = `${acr.loginServer}/infra/wrong:${randomUUID()}`;
    const dockerConfig = await configDir('wrong-password', { username: admin.username, password: 'not-the-password' });
    const pushed = await buildAndPushScratchImage(image, { host, dockerConfig, workDir: dir });
    expect(pushed.step).toBe('push');
    expect(pushed.exitCode).not.toBe(0);
    expect(pushed.stderr).toMatch(/unauthorized/i);
  });
});

describe('Node 24 from the npm registry', () => {
  it("runs, and does not shadow the machine's node in npm scripts", async () => {
    const version = await new Promise<string>((resolve, reject) =>
      execFile(node24(), ['--version'], (err, stdout) => (err ? reject(err) : resolve(stdout.trim())))
    );
    expect(version).toMatch(/^v24\./);
    expect(existsSync(join(__dirname, '..', 'node_modules', '.bin', 'node'))).toBe(false);
    expect(realpathSync(process.execPath)).not.toBe(realpathSync(node24()));
  });
});
