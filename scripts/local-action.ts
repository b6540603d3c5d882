// npm run local-action [-- service-principal|token]: @github/local-action (GitHub's stand-in for the runner and
// @actions/core) runs the action's TypeScript source, main step then post step, under Node 24, against the local
// stand-ins `npm run demo` starts (their ports are new each time, so .env.example is filled in here); then a real
// push with the credential it wrote.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envValues, LocalActionScenario, runLocalAction, writeEnvFile } from '../test/support/local-action';
import { node24 } from '../test/support/node24';
import { startWorld } from '../test/support/world';

const SCENARIOS: LocalActionScenario[] = ['service-principal', 'token'];

async function main(): Promise<void> {
  const scenario = (process.argv[2] ?? 'service-principal') as LocalActionScenario;
  if (!SCENARIOS.includes(scenario)) fail(`unknown scenario '${scenario}'; use ${SCENARIOS.join(' or ')}`);
  try {
    node24();
  } catch (error) {
    fail((error as Error).message);
  }
  console.log('Starting the stand-ins (Entra ID, an ACR login server in front of docker-registry)…');
  const world = await startWorld();
  const redact = (text: string): string =>
    world.secrets().reduce((out, secret) => (secret.length >= 6 ? out.split(secret).join('***') : out), text);
  const job = mkdtempSync(join(tmpdir(), 'local-action-job-'));
  try {
    const envFile = writeEnvFile(join(job, '.env'), envValues(world, scenario, job));
    console.log(`Running @github/local-action on src/github/main.ts and src/github/post.ts with ${envFile} (${scenario})…\n`);
    const run = await runLocalAction(envFile, { NODE_EXTRA_CA_CERTS: world.caCertPath });
    process.stdout.write(redact(run.log));
    if (run.errors.length > 0 || run.exitCode !== 0)
      fail(`the action failed: ${redact(run.errors.join(' ') || `exit code ${run.exitCode}`)}`);
    const summary = readFileSync(join(job, 'step-summary.md'), 'utf8');
    console.log(`Job summary (${join(job, 'step-summary.md')}):\n${redact(summary)}\n`);
    const repository = scenario === 'token' ? world.scopedToken.repository : 'local-action/demo';
    const pushed = await world.push(join(job, '.docker', 'config.json'), world.registries.armAllowed, repository);
    if (!pushed.ok) fail(`push with the credential the action wrote failed: ${redact(pushed.stderr.trim())}`);
    console.log(`skopeo: pushed ${world.registries.armAllowed.loginServer}/${repository}:v1 with the credential the action wrote`);
  } finally {
    await world.close();
    rmSync(job, { recursive: true, force: true });
  }
}

function fail(message: string): never {
  console.error(`local-action: ${message}`);
  process.exit(1);
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
