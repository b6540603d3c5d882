// What a user types or a server says never becomes a command of the CI system: an input with a line break
// is refused with one line naming it, and a token claim full of HTML, blank lines and agent commands stays
// one escaped cell of the job summary and one line of every log.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actionDefaults, leakedFromStep, runAction } from '../../test/support/action-runner';
import { newHome, runCli } from '../../test/support/cli-runner';
import { leakedSecrets } from '../../test/support/leaks';
import { useStandIns } from '../../test/support/suite-stand-ins';
import { endpointEnv, inputEnv, leakedFromTask, runTaskStep, taskDefaults } from '../../test/support/task-runner';
import { World } from '../../test/support/world';

let world: World;
let taskDir: string;
const { cleanup: dirs } = useStandIns({ task: true }, (standIns) => ({ world, taskDir } = standIns));

function jobEnv(): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'injection-'));
  dirs.push(home);
  return {
    PATH: '/usr/bin:/bin',
    HOME: home,
    DOCKER_CONFIG: join(home, '.docker'),
    NODE_EXTRA_CA_CERTS: world.caCertPath,
    RUNNER_DEBUG: '1'
  };
}

const registry = (): World['registries']['armAllowed'] => world.registries.armAllowed;

const spInputs = (clientId = world.secretApp.clientId, secret = world.secretApp.secret): Record<string, string> => ({
  registry: registry().url,
  'client-id': clientId,
  'tenant-id': world.tenantId,
  'client-secret': secret,
  'authority-host': world.entra.url,
  login: 'config'
});

/** No line of the output is a command the product did not mean: no warning, stop-commands or notice, no forged variable, heading or tag. */
function expectNothingForged(log: string): void {
  const forged = /^(::(warning|stop-commands|notice)|##vso\[task\.setvariable variable=forged|# Forged|<img)/;
  expect(log.split('\n').filter((line) => forged.test(line))).toEqual([]);
}

async function inBatches<T, R>(items: T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  return results;
}

describe('a line break in an input of the action', () => {
  const FORGERY = '\n::warning::forged\n::stop-commands::forged';

  it('each text input: refused with one ::error:: line naming it, nothing forged, no secret shown', async () => {
    // Every input action.yml declares, but the two that are multi-line documents (a PEM file, azure/login's JSON).
    const declared =
      readFileSync(join(__dirname, '..', '..', 'action.yml'), 'utf8')
        .split(/^inputs:\s*$/m)[1]
        ?.split(/^\S/m)[0] ?? '';
    const unique = [...declared.matchAll(/^ {2}([a-z-]+):\s*$/gm)]
      .map((match) => match[1] as string)
      .filter((name) => !['creds', 'client-certificate'].includes(name));
    expect(unique).toHaveLength(14);
    const runs = await inBatches(unique, 4, async (name) => {
      const inputs = { ...spInputs(), [name]: `${spInputs()[name] ?? actionDefaults()[name] ?? 'value'}${FORGERY}` };
      return { name, step: (await runAction(inputs, jobEnv())).main };
    });
    for (const { name, step } of runs) {
      const expected =
        name === 'registry'
          ? /^registry '::warning::forged' refused: /
          : name === 'job-summary'
            ? /^job-summary '.*' is not valid; use true or false$/s
            : new RegExp(`^${name} holds a control character \\(U\\+000A, a line break\\): give it on one line, without one$`);
      expect({ name, exit: step.exitCode, errors: step.errors.length, warnings: step.warnings }).toEqual({
        name,
        exit: 1,
        errors: 1,
        warnings: []
      });
      expect({ name, error: step.errors[0] }).toEqual({ name, error: expect.stringMatching(expected) });
      expectNothingForged(step.stdout);
      expect(leakedFromStep(step.log, world.secrets())).toEqual([]);
    }
  }, 120000);
});

describe('HTML, blank lines and agent commands in a token claim', () => {
  const forgedObjectId = (): string =>
    `${randomUUID()}</td></tr></table>\n\n# Forged heading\n\n<img src=x onerror=alert(1)> | a | b |\n##vso[task.setvariable variable=forged]yes`;

  /** An app whose service principal's object id (the token's oid claim) is all of the above, with AcrPush on the registry. */
  function forgedApp(): { clientId: string; secret: string; objectId: string } {
    const app = { clientId: randomUUID(), objectId: forgedObjectId(), secret: randomBytes(30).toString('base64url') };
    world.entra.addApplication(world.tenantId, { ...app, displayName: 'acr-login app with a forged oid' });
    registry().acr.assignRole(app.objectId, 'AcrPush');
    return app;
  }

  it('the job summary keeps one table whose cell shows the claim escaped, on one line', async () => {
    const app = forgedApp();
    const { main } = await runAction(spInputs(app.clientId, app.secret), jobEnv());
    expect({ exit: main.exitCode, errors: main.errors }).toEqual({ exit: 0, errors: [] });
    const summary = main.summary;
    expect({ tables: summary.split('<table>').length - 1, ends: summary.split('</table>').length - 1 }).toEqual({ tables: 1, ends: 1 });
    const table = summary.slice(summary.indexOf('<table>'), summary.indexOf('</table>'));
    expect({ blankLines: /\n\s*\n/.test(table), rawTags: /<(img|\/td><\/tr><\/table)/.test(table), pipes: table.includes('|') }).toEqual({
      blankLines: false,
      rawTags: false,
      pipes: false
    });
    expect(table).toContain('&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;\\n\\n# Forged heading\\n\\n&lt;img src=x onerror=alert(1)&gt; &#124; a');
    expectNothingForged(main.stdout);
    expect(leakedFromStep(main.log, world.secrets())).toEqual([]);
    expect(leakedSecrets(summary, world.secrets())).toEqual([]);
  });

  it('the command line with --verbose prints it on one line with the agent command spelled out', async () => {
    const app = forgedApp();
    const h = newHome(world.caCertPath, { AZURE_CLIENT_ID: app.clientId, AZURE_CLIENT_SECRET: app.secret });
    dirs.push(h.dir);
    const result = await runCli(
      ['--registry', registry().url, '--tenant-id', world.tenantId, '--authority-host', world.entra.url, '--login', 'config', '--verbose'],
      h.env
    );
    expect({ exit: result.exitCode, stdout: result.stdout }).toEqual({ exit: 0, stdout: '' });
    expect(result.stderr).toContain('##_vso[task.setvariable variable=forged]yes');
    expectNothingForged(result.stderr);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('##vso[') || line.startsWith('<img'))).toEqual([]);
    expect(leakedSecrets(result.log, world.secrets())).toEqual([]);
  });

  it('the task with system.debug prints no agent command it did not mean', async () => {
    const app = forgedApp();
    const connection = {
      id: randomUUID(),
      scheme: 'ServicePrincipal',
      parameters: {
        tenantid: world.tenantId,
        serviceprincipalid: app.clientId,
        authenticationType: 'spnKey',
        serviceprincipalkey: app.secret
      },
      data: { environment: 'AzureCloud', activeDirectoryAuthority: `${world.entra.url}/`, subscriptionId: randomUUID() }
    };
    const env = jobEnv();
    const home = env.HOME as string;
    const step = await runTaskStep(taskDir, 'index.js', {
      ...env,
      AGENT_TEMPDIRECTORY: home,
      SYSTEM_DEBUG: 'true',
      ...inputEnv({ ...taskDefaults(taskDir), azureSubscription: connection.id, registry: registry().url, loginMode: 'config' }),
      ...endpointEnv(connection)
    });
    expect({ exit: step.exitCode, errors: step.errors }).toEqual({ exit: 0, errors: [] });
    expect(step.commands.filter((command) => command.command === 'task.setvariable' && command.properties.variable === 'forged')).toEqual(
      []
    );
    expectNothingForged(step.stdout);
    expect(leakedFromTask(step.log, world.secrets())).toEqual([]);
  });
});
