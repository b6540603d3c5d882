// GitHub's @github/local-action runs the action's TypeScript source (src/github/main.ts, then post.ts) under Node 24,
// standing in for the runner and @actions/core, against the stand-ins; the credential it wrote then pushes for real.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAndPushScratchImage, sharedDockerEngine } from '../../test/support/docker-engine';
import { leakedSecrets } from '../../test/support/leaks';
import { envValues, LocalActionRun, runLocalAction, writeEnvFile } from '../../test/support/local-action';
import { useStandIns } from '../../test/support/suite-stand-ins';
import { World } from '../../test/support/world';
import { TOKEN_USERNAME } from '../../test/support/acr';

let world: World;

useStandIns({}, (standIns) => ({ world } = standIns));

function expectClean(run: LocalActionRun, summary: string): void {
  expect({ errors: run.errors, exit: run.exitCode }).toEqual({ errors: [], exit: 0 });
  expect(run.log).toContain('Running Post Step');
  expect(leakedSecrets(run.log, world.secrets())).toEqual([]);
  expect(leakedSecrets(summary, world.secrets())).toEqual([]);
  expect(summary).toContain(`<td>${world.registries.armAllowed.loginServer}</td>`);
}

it('service principal, login: docker through the action’s docker runner: the outputs it reports, then a real docker push', async () => {
  const engine = await sharedDockerEngine();
  const job = mkdtempSync(join(tmpdir(), 'local-action-job-'));
  const registry = world.registries.armAllowed;
  const envFile = writeEnvFile(join(job, '.env'), envValues(world, 'service-principal', job, 'docker'));
  const run = await runLocalAction(envFile, { NODE_EXTRA_CA_CERTS: world.caCertPath, ...engine.env });
  const summary = readFileSync(join(job, 'step-summary.md'), 'utf8');
  expectClean(run, summary);
  expect(run.outputs['login-server']).toBe(registry.loginServer);
  expect(run.outputs.username).toBe(TOKEN_USERNAME);
  expect(Date.parse(run.outputs['expires-on'] ?? '')).toBeGreaterThan(Date.now() + 2.5 * 3600000);
  // local-action keeps an output that holds a registered secret out of its table, as the runner does for job outputs.
  expect(run.outputs.password).toBeUndefined();
  expect(run.warnings).toContain('Skip output password since it may contain secret.');
  expect(run.debug).toContain(`login: docker`);
  expect(run.log).toContain(`docker login ${registry.loginServer} succeeded`);

  const pushed = await buildAndPushScratchImage(`${registry.loginServer}/local-action/sp:v1`, {
    host: engine.host,
    dockerConfig: join(job, '.docker'),
    workDir: job
  });
  expect(pushed.exitCode === 0 ? 'pushed' : `${pushed.step}: ${pushed.stderr}`).toBe('pushed');
}, 240000);

it('repository-scoped token, login: config: the outputs it reports, then a real push within the token scope', async () => {
  const job = mkdtempSync(join(tmpdir(), 'local-action-job-'));
  const registry = world.registries.armAllowed;
  const entraBefore = world.requests.count('entra-token');
  const envFile = writeEnvFile(join(job, '.env'), envValues(world, 'token', job));
  const run = await runLocalAction(envFile, { NODE_EXTRA_CA_CERTS: world.caCertPath });
  const summary = readFileSync(join(job, 'step-summary.md'), 'utf8');
  expectClean(run, summary);
  expect(run.outputs).toEqual({ 'login-server': registry.loginServer, username: world.scopedToken.username, 'expires-on': '' });
  expect(world.requests.count('entra-token')).toBe(entraBefore);
  expect(summary).toContain(`<td>user ${world.scopedToken.username}</td>`);

  const pushed = await world.push(join(job, '.docker', 'config.json'), registry, world.scopedToken.repository);
  expect(pushed.ok ? 'pushed' : pushed.stderr).toBe('pushed');
}, 240000);
