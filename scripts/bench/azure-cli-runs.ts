// The Azure CLI path, timed beside ours: `az version` (warm, and first call in a fresh config dir), then
// `az login --service-principal` and `az acr login --expose-token` against the stand-ins (see azure-cli.ts).
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestLogEntry, ServiceName } from '../../test/support/request-log';
import { AZ_NOT_INSTALLED, azEnv, azPath, azVersion, runAz, startAzStandIns, type AzStandIns } from './azure-cli';
import type { Bench } from './jobs';
import { countBy } from './measure';
import type { AzRow } from './results';
import { median, summarize } from './stats';

export interface AzOptions {
  az: boolean;
  azRuns: number;
  quick: boolean;
}

/** Ratios are to `ourSpWallMs`, the wall median of our service-principal login. */
export async function measureAzureCli(
  bench: Bench,
  args: AzOptions,
  ourSpWallMs: number,
  log: (s: string) => void
): Promise<{ version: string | null; rows: AzRow[] }> {
  const { world } = bench;
  const labels = {
    version: '`az version` (start-up only)',
    'version-fresh': '`az version`, first call in a fresh config dir',
    login: '`az login --service-principal`',
    acr: '`az acr login --expose-token`',
    total: '`az login` + `az acr login`'
  };
  const rowsFor = (status: AzRow['status'], note: string): AzRow[] =>
    Object.entries(labels).map(([id, label]) => ({ id: `az:${id}`, label: `Azure CLI ${label}`, status, note }));
  if (!args.az) return { version: null, rows: rowsFor('skipped', args.quick ? 'skipped (--quick)' : 'skipped (--no-az)') };
  const az = azPath();
  if (!az) return { version: null, rows: rowsFor('not installed', AZ_NOT_INSTALLED) };
  const version = await azVersion(az);
  const rows: AzRow[] = [];
  const baseDir = mkdtempSync(join(bench.dir, 'az-'));

  // Start-up: `az version` in an empty private config dir, after one warm-up run.
  const versionDir = join(baseDir, 'version');
  mkdirSync(versionDir);
  await runAz(az, ['version', '-o', 'none'], azEnv(versionDir));
  const versionRuns: number[] = [];
  for (let i = 0; i < args.azRuns; i++) {
    const r = await runAz(az, ['version', '-o', 'none'], azEnv(versionDir));
    if (!r.ok) throw new Error(`az version failed: ${r.stderr}`);
    versionRuns.push(r.ms);
  }
  log('  Azure CLI: az version');
  const versionSummary = summarize(versionRuns);
  rows.push({
    id: 'az:version',
    label: `Azure CLI ${labels.version}`,
    status: 'measured',
    note: 'warm: command index cached in the config dir',
    ms: versionSummary,
    ratioToOurs: versionSummary.median / ourSpWallMs
  });
  // A fresh AZURE_CONFIG_DIR each time: the first call of a job builds the command index.
  const freshRuns: number[] = [];
  for (let i = 0; i < Math.min(args.azRuns, 3); i++) {
    const dir = join(baseDir, `fresh-${i}`);
    mkdirSync(dir);
    const r = await runAz(az, ['version', '-o', 'none'], azEnv(dir));
    if (!r.ok) throw new Error(`az version failed: ${r.stderr}`);
    freshRuns.push(r.ms);
  }
  const freshSummary = summarize(freshRuns);
  rows.push({
    id: 'az:version-fresh',
    label: `Azure CLI ${labels['version-fresh']}`,
    status: 'measured',
    note: 'cold: builds the command index',
    ms: freshSummary,
    ratioToOurs: freshSummary.median / ourSpWallMs
  });

  // The login itself, against the stand-ins.
  let standIns: AzStandIns | undefined;
  try {
    standIns = await startAzStandIns(world, world.registries.armAllowed, join(baseDir, 'stand-ins'));
    const template = join(baseDir, 'template');
    mkdirSync(template);
    const setup = [
      ['cloud', 'register', '-n', 'AcrLoginBench', ...standIns.cloudArgs],
      ['cloud', 'set', '-n', 'AcrLoginBench']
    ];
    for (const cmd of setup) {
      const r = await runAz(az, cmd, standIns.env(template));
      if (!r.ok) throw new Error(`az ${cmd.slice(0, 2).join(' ')} failed: ${r.stderr.trim().split('\n').pop() ?? ''}`);
    }
    const loginRuns: number[] = [];
    const acrRuns: number[] = [];
    const totals: number[] = [];
    const loginRequests: Partial<Record<ServiceName | 'arm', number>>[] = [];
    const acrRequests: Partial<Record<ServiceName | 'arm', number>>[] = [];
    const counts = (entries: RequestLogEntry[], armBefore: number): Partial<Record<ServiceName | 'arm', number>> => ({
      ...countBy(entries),
      arm: (standIns as AzStandIns).armRequests.length - armBefore
    });
    for (let i = 0; i < args.azRuns + 1; i++) {
      const dir = join(baseDir, `run-${i}`);
      cpSync(template, dir, { recursive: true });
      const env = standIns.env(dir);
      let mark = world.requests.mark();
      let armMark = standIns.armRequests.length;
      const login = await runAz(
        az,
        [
          'login',
          '--service-principal',
          '-u',
          world.secretApp.clientId,
          '-p',
          world.secretApp.secret,
          '--tenant',
          world.tenantId,
          '-o',
          'none'
        ],
        env
      );
      if (!login.ok) throw new Error(`az login failed: ${lastLine(login.stderr)}`);
      const loginCounts = counts(world.requests.since(mark), armMark);
      mark = world.requests.mark();
      armMark = standIns.armRequests.length;
      const acr = await runAz(az, ['acr', 'login', '-n', standIns.registryName, '--expose-token', '-o', 'json'], env);
      if (!acr.ok) throw new Error(`az acr login failed: ${lastLine(acr.stderr)}`);
      const token = (JSON.parse(acr.stdout) as { accessToken?: string }).accessToken ?? '';
      const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}') as { iss?: string };
      if (claims.iss !== 'Azure Container Registry') throw new Error('az acr login --expose-token returned no ACR refresh token');
      if (i === 0) continue; // warm-up
      loginRuns.push(login.ms);
      acrRuns.push(acr.ms);
      totals.push(login.ms + acr.ms);
      loginRequests.push(loginCounts);
      acrRequests.push(counts(world.requests.since(mark), armMark));
      log(`  Azure CLI: login run ${i}/${args.azRuns}`);
    }
    const med = (list: Partial<Record<string, number>>[]): Record<string, number> => {
      const keys = new Set(list.flatMap((c) => Object.keys(c)));
      return Object.fromEntries([...keys].map((k) => [k, median(list.map((c) => c[k] ?? 0))]));
    };
    const loginMedian = med(loginRequests);
    const acrMedian = med(acrRequests);
    const bothRequests = Object.fromEntries(
      [...new Set([...Object.keys(loginMedian), ...Object.keys(acrMedian)])].map((k) => [k, (loginMedian[k] ?? 0) + (acrMedian[k] ?? 0)])
    );
    const measured = (id: 'login' | 'acr' | 'total', runs: number[], requests: typeof loginMedian, note: string): AzRow => {
      const ms = summarize(runs);
      return {
        id: `az:${id}`,
        label: `Azure CLI ${labels[id]}`,
        status: 'measured',
        note,
        ms,
        requests,
        ratioToOurs: ms.median / ourSpWallMs
      };
    };
    rows.push(
      measured('login', loginRuns, loginMedian, 'against the stand-ins (registered cloud, ARM stand-in)'),
      measured('acr', acrRuns, acrMedian, 'against the stand-ins (https front of the same registry)'),
      measured('total', totals, bothRequests, 'what a job runs instead of one acr-login step')
    );
  } catch (error) {
    const note = `could not be pointed at the stand-ins (${(error as Error).message}); only the start-up is comparable`;
    for (const id of ['login', 'acr', 'total'] as const)
      rows.push({ id: `az:${id}`, label: `Azure CLI ${labels[id]}`, status: 'failed', note });
  } finally {
    await standIns?.close();
  }
  return { version, rows };
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .pop() ?? ''
  );
}
