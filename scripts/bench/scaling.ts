// Scaling: one step logging in to 1, 5 and 20 registries with the service principal (the build under test).
import { join } from 'node:path';
import { AcrStandIn } from '../../test/support/acr';
import type { RegistryRef } from '../../test/support/world';
import { newJob, runBundle, type Bench } from './jobs';
import { medianTimeline } from './measure';
import { AUTH_PATHS, type AuthPath } from './paths';
import type { Build, Measured, ScalingResult } from './results';
import { maxInFlight, summarize } from './stats';

/** How long the scaling runs' login servers take to answer an exchange. */
export const EXCHANGE_DELAY_MS = 50;

export async function measureScaling(
  bench: Bench,
  build: Build,
  options: { registryCounts: number[]; scalingRuns: number },
  log: (line: string) => void
): Promise<ScalingResult[]> {
  const { world } = bench;
  const most = Math.max(...options.registryCounts);
  const registries: RegistryRef[] = [];
  const standIns: AcrStandIn[] = [];
  try {
    // Exchange-only login servers (no docker-registry behind them: the step only talks to /oauth2/exchange)
    // that answer after EXCHANGE_DELAY_MS, as a remote registry does. On loopback an exchange takes about
    // 1 ms, and serial exchanges could not be told from concurrent ones.
    const started = await Promise.allSettled(
      Array.from({ length: most }, (_, i) =>
        AcrStandIn.start({
          dir: join(bench.dir, `acr-${i}`),
          log: world.requests,
          entra: world.entra,
          host: '127.0.0.1',
          startRegistry: false,
          exchangeDelayMs: EXCHANGE_DELAY_MS
        })
      )
    );
    for (const result of started) if (result.status === 'fulfilled') standIns.push(result.value);
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    for (const acr of standIns) {
      acr.assignRole(world.secretApp.objectId, 'AcrPush');
      registries.push({ loginServer: acr.loginServer, url: acr.url, host: acr.host, port: acr.port, acr });
    }
    const sp = AUTH_PATHS.find((p) => p.id === 'sp-secret') as AuthPath;
    const perCount = new Map<number, Measured[]>(options.registryCounts.map((n) => [n, []]));
    const run = (n: number): Promise<Measured> =>
      runBundle(
        bench,
        build,
        {
          ...sp.inputs(world),
          registry: registries
            .slice(0, n)
            .map((r) => r.url)
            .join('\n')
        },
        newJob(bench)
      );
    for (const n of options.registryCounts) await run(n);
    for (let i = 0; i < options.scalingRuns; i++) {
      for (const n of options.registryCounts) perCount.get(n)?.push(await run(n));
      log(`  scaling: run ${i + 1}/${options.scalingRuns}`);
    }
    return options.registryCounts.map((n) => {
      const measured = perCount.get(n) ?? [];
      const tokens = measured.map((m) => m.requests.filter((r) => r.service === 'entra-token').length);
      const exchanges = measured.map((m) => m.requests.filter((r) => r.service === 'acr-exchange'));
      const inFlight = exchanges.map((e) => maxInFlight(e));
      return {
        registries: n,
        runs: measured.length,
        wallMs: summarize(measured.map((m) => m.wallMs)),
        entraTokenRequests: [Math.min(...tokens), Math.max(...tokens)],
        exchangesPerStep: [Math.min(...exchanges.map((e) => e.length)), Math.max(...exchanges.map((e) => e.length))],
        maxExchangesInFlight: Math.min(...inFlight),
        overlap: n > 1 && Math.min(...inFlight) > 1,
        timeline: medianTimeline(measured)
      };
    });
  } finally {
    await Promise.allSettled(standIns.map((acr) => acr.close()));
  }
}
