// GitHub's subject for repositories created, renamed or transferred since 2026-07-15 carries the owner and
// repository ids (repo:OWNER@ID/REPO@ID:…): a federated credential written with names only no longer matches,
// and the one line acr-login prints names the subject the token carries and that form; one with the ids works.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Home, newHome, readConfig, runCli } from '../../test/support/cli-runner';
import { leakedSecrets } from '../../test/support/leaks';
import { startWorld, World } from '../../test/support/world';

const IMMUTABLE = 'repo:octo-org@65432/octo-repo@123456:ref:refs/heads/main';

let world: World;
const homes: Home[] = [];

beforeAll(async () => {
  world = await startWorld();
}, 60000);

afterAll(async () => {
  await world?.close();
  for (const home of homes) rmSync(home.dir, { recursive: true, force: true });
});

function jobHome(): Home {
  const home = newHome(world.caCertPath, world.github.env());
  homes.push(home);
  return home;
}

const login = (clientId: string, home: Home) =>
  runCli(
    [
      '--registry',
      world.registries.armAllowed.url,
      '--client-id',
      clientId,
      '--tenant-id',
      world.tenantId,
      '--authority-host',
      world.entra.url,
      '--login',
      'config'
    ],
    home.env
  );

describe("GitHub's immutable subject", () => {
  afterEach(() => world.github.setSubject());

  it('against a credential naming repo:OWNER/REPO: one line with the subject the token carries and what that form is', async () => {
    world.github.setSubject(IMMUTABLE);
    const home = jobHome();
    const result = await login(world.federatedApp.clientId, home); // its credential names repo:octo-org/octo-repo:ref:refs/heads/main
    expect(result.exitCode).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toMatch(
      /^acr-login: .*AADSTS700213.*subject 'repo:octo-org@65432\/octo-repo@123456:ref:refs\/heads\/main' from issuer 'https:\/\/token\.actions\.githubusercontent\.com'; add one with exactly this subject \(GitHub's form with the owner and repository ids, used for repositories created, renamed or transferred since 2026-07-15/
    );
    expect(leakedSecrets(result.log, world.secrets())).toEqual([]);
    expect(readConfig(home).auths).toBeUndefined();
  });

  it('against a credential naming the ids: logged in', async () => {
    const app = { clientId: randomUUID(), objectId: randomUUID() };
    world.entra.addApplication(world.tenantId, {
      ...app,
      displayName: 'octo-repo by ids',
      federatedCredentials: [
        { name: 'main-immutable', issuer: world.github.issuer, subject: IMMUTABLE, audience: 'api://AzureADTokenExchange' }
      ]
    });
    world.registries.armAllowed.acr.assignRole(app.objectId, 'AcrPush');
    world.github.setSubject(IMMUTABLE);
    const home = jobHome();
    const result = await login(app.clientId, home);
    expect({ exit: result.exitCode, stderr: result.exitCode === 0 ? '' : result.stderr }).toEqual({ exit: 0, stderr: '' });
    expect(readConfig(home).auths?.[world.registries.armAllowed.loginServer]).toBeDefined();
  });
});
