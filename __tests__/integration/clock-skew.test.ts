// A runner whose clock is hours off: libfaketime in the product's environment only (the stand-ins keep the
// real time), hours ahead and behind, for a login and for the credential helper serving from its cache.
// The stand-ins' certificates are valid from yesterday (test/support/pki.ts), so TLS holds either way.
import { readFileSync } from 'node:fs';
import { leakedFromStep, runAction } from '../../test/support/action-runner';
import { cacheFiles, configFile, Home, newHome, ProcessResult, runCli, runHelper, secretAppEnv } from '../../test/support/cli-runner';
import { leakedSecrets } from '../../test/support/leaks';
import { useStandIns } from '../../test/support/suite-stand-ins';
import { World } from '../../test/support/world';

const FAKETIME_LIBRARY = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const HOUR_MS = 3600 * 1000;
/** The ACR stand-in's refresh tokens live 3 hours. */
const REFRESH_LIFETIME_MS = 3 * HOUR_MS;

let world: World;
const { cleanup: dirs } = useStandIns({}, (standIns) => ({ world } = standIns));

/** This machine's clock moved by `offset` (libfaketime's `+4h`, `-1h`, `+125m`) for the product, not its monotonic clock. */
function clockOff(offset: string): Record<string, string> {
  return { LD_PRELOAD: FAKETIME_LIBRARY, FAKETIME: offset, FAKETIME_DONT_FAKE_MONOTONIC: '1' };
}

function spHome(): Home {
  const h = newHome(world.caCertPath, secretAppEnv(world));
  dirs.push(h.dir);
  return h;
}

const registry = (): World['registries']['armAllowed'] => world.registries.armAllowed;

function expectNoLeak(...results: ProcessResult[]): void {
  for (const result of results) expect(leakedSecrets(result.log, world.secrets())).toEqual([]);
}

/** `acr-login --print` with the clock `offset`; the expiry it prints, less what the clock it ran with said at the end. */
async function printedLogin(h: Home, offset: string, login = 'config'): Promise<{ result: ProcessResult; expiresInMs: number }> {
  const result = await runCli(['--registry', registry().url, '--login', login, '--print'], { ...h.env, ...clockOff(offset) });
  // stdout is the credential asked for; nothing else may show a secret.
  expect(leakedSecrets(result.stderr, world.secrets())).toEqual([]);
  expect({ exit: result.exitCode, stderr: result.exitCode === 0 ? '' : result.stderr }).toEqual({ exit: 0, stderr: '' });
  const offsetMs = (/^([+-]\d+)h$/.exec(offset)?.[1] ? Number(/^([+-]\d+)h$/.exec(offset)?.[1]) : 0) * HOUR_MS;
  const expiresOn = Date.parse((JSON.parse(result.stdout) as { expiresOn: string }).expiresOn);
  return { result, expiresInMs: expiresOn - (Date.now() + offsetMs) };
}

/** A valid lifetime as the skewed clock sees it: about the token's 3 hours, however far that clock is off. */
function expectAboutThreeHours(ms: number): void {
  expect({ minutes: Math.round(ms / 60000), plausible: ms > REFRESH_LIFETIME_MS - 10 * 60000 && ms <= REFRESH_LIFETIME_MS }).toEqual({
    minutes: Math.round(ms / 60000),
    plausible: true
  });
}

async function expectPush(h: Home): Promise<void> {
  const pushed = await world.push(configFile(h), registry(), 'skewed');
  expect(pushed.ok ? 'pushed' : pushed.stderr).toBe('pushed');
}

describe('a login with the runner’s clock hours off', () => {
  it.each(['+4h', '-1h'])(
    'the command line at %s takes the fresh token, dates its expiry by its own clock, and the push works',
    async (offset) => {
      const h = spHome();
      const { expiresInMs } = await printedLogin(h, offset);
      expectAboutThreeHours(expiresInMs);
      await expectPush(h);
    }
  );

  it('the action at +4h logs in, and its expires-on output is three hours ahead of its clock', async () => {
    const h = spHome();
    const run = await runAction(
      {
        registry: registry().url,
        'client-id': world.secretApp.clientId,
        'tenant-id': world.tenantId,
        'client-secret': world.secretApp.secret,
        'authority-host': world.entra.url,
        login: 'config'
      },
      { ...h.env, ...clockOff('+4h') }
    );
    expect({ exit: run.main.exitCode, errors: run.main.errors }).toEqual({ exit: 0, errors: [] });
    expect(leakedFromStep(run.main.log, world.secrets())).toEqual([]);
    expectAboutThreeHours(Date.parse(run.main.outputs['expires-on'] ?? '') - (Date.now() + 4 * HOUR_MS));
    await expectPush(h);
  });

  it.each(['+4h', '-1h'])(
    'a certificate login at %s, which Entra ID refuses as out of its time range, says to check the clock',
    async (offset) => {
      const h = newHome(world.caCertPath, { AZURE_TENANT_ID: world.tenantId, AZURE_AUTHORITY_HOST: world.entra.url });
      dirs.push(h.dir);
      const result = await runCli(
        [
          '--registry',
          registry().url,
          '--login',
          'config',
          '--client-id',
          world.certApp.clientId,
          '--client-certificate',
          world.certApp.certificate.path
        ],
        { ...h.env, ...clockOff(offset) }
      );
      expectNoLeak(result);
      expect(result.exitCode).toBe(1);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines.filter((line) => line.startsWith('acr-login: '))).toHaveLength(1);
      expect(lines.pop()).toMatch(/^acr-login: Entra ID refused the token request \(AADSTS700024\): .*check the runner's clock/);
    }
  );
});

describe('the credential helper serving from its cache with the runner’s clock off', () => {
  /** `docker-credential-acr-login get`, as docker calls it, with the clock `offset`: the token it hands out. */
  async function get(h: Home, offset: string): Promise<string> {
    const result = await runHelper('get', registry().loginServer, { ...h.env, ...clockOff(offset) });
    expect({ exit: result.exitCode, stderr: result.stderr }).toEqual({ exit: 0, stderr: '' });
    return (JSON.parse(result.stdout) as { Secret: string }).Secret;
  }

  function cachedToken(h: Home): string {
    const [file] = cacheFiles(h);
    return (JSON.parse(readFileSync(file as string, 'utf8')) as { refreshToken: string }).refreshToken;
  }

  it('4 h ahead: the login caches the fresh token and the helper hands it out without asking again', async () => {
    const h = spHome();
    await printedLogin(h, '+4h', 'helper');
    const cached = cachedToken(h);
    const exchanges = world.requests.count('acr-exchange');
    expect(await get(h, '+4h')).toBe(cached);
    expect(world.requests.count('acr-exchange')).toBe(exchanges);
  });

  it('1 h behind: once the token’s 3 hours have passed by that clock, the helper renews instead of handing out the expired token', async () => {
    const h = spHome();
    await printedLogin(h, '-1h', 'helper');
    const cached = cachedToken(h);
    // Two hours and five minutes later by the runner's clock: the token, received 1 h behind, is five minutes past its end.
    const exchanges = world.requests.count('acr-exchange');
    const handedOut = await get(h, '+125m');
    expect({ renewed: handedOut !== cached, exchanges: world.requests.count('acr-exchange') - exchanges }).toEqual({
      renewed: true,
      exchanges: 1
    });
  });
});
