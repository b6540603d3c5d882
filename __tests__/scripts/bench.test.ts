import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');

interface Row {
  id: string;
  cells: string[];
  met: boolean | null;
  values: Record<string, unknown>;
}

// Not a timing test: it checks that `npm run bench -- --quick` still runs and writes the rows it should.
it('npm run bench -- --quick --json writes every row with numbers', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'bench-test-')), 'bench.json');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'scripts', 'run-ts.js'), 'scripts/bench.ts', '--', '--quick', '--json', out],
    {
      cwd: ROOT,
      timeout: 170000
    }
  );
  expect(stdout).toContain('| measurement |');
  const doc = JSON.parse(readFileSync(out, 'utf8')) as { table: { rows: Row[] }; targets: { id: string; met: boolean | null }[] };
  const rows = new Map(doc.table.rows.map((row) => [row.id, row]));
  const number = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value > 0;

  expect(number(rows.get('reference:node')?.values.coldStartMedianMs)).toBe(true);
  for (const path of ['sp-secret', 'sp-certificate', 'github-oidc', 'managed-identity', 'scoped-token']) {
    const row = rows.get(`path:${path}`);
    expect({
      path,
      wall: number(row?.values.wallMedianMs),
      p90: number(row?.values.wallP90Ms),
      cold: number(row?.values.coldStartMedianMs)
    }).toEqual({
      path,
      wall: true,
      p90: true,
      cold: true
    });
    expect(typeof row?.met).toBe('boolean');
  }
  expect(rows.get('path:scoped-token')?.values.entraCodeLoaded).toBe(false);
  expect(rows.get('path:sp-secret')?.cells[3]).toMatch(/Entra token 1 .*exchange 1/);
  for (const registries of [1, 5]) {
    const row = rows.get(`scaling:${registries}`);
    expect(number(row?.values.wallMedianMs)).toBe(true);
    expect(row?.values.entraTokenRequestsMax).toBe(1);
    expect(row?.values.exchangesMax).toBe(registries);
  }
  expect(number(rows.get('bundle:dist/index.js')?.values.bytes)).toBe(true);
  expect(rows.get('az:version')?.values.status).toBe('skipped');
  expect(doc.targets.map((t) => t.id).sort()).toEqual(['cold-start', 'concurrent-exchanges', 'lazy-entra', 'one-token', 'sp-wall']);
}, 180000);
