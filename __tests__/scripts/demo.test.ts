import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');

it('npm run demo logs in by every main path, pushes, and prints no token', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'run-ts.js'), 'scripts/demo.ts'], {
    cwd: ROOT,
    timeout: 170000
  });
  const summary = stdout.slice(stdout.indexOf('Summary'));
  expect(summary.match(/ pushed /g)).toHaveLength(6);
  expect(stdout).toContain('Azure Pipelines task · workload identity federation');
  expect(stdout).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
}, 180000);
