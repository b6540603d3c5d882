import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..');
const run = promisify(execFile);

async function script(name: string, ...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'scripts', name), ...args]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** A copy of the files the scripts read, to change without touching the checkout. */
function copyOfRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'repo-'));
  for (const file of [
    'docs/github-action.md',
    'docs/azure-pipelines.md',
    'action.yml',
    'package.json',
    'vss-extension.json',
    'task/task.json'
  ]) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dir, file));
  }
  return dir;
}

describe('one version everywhere', () => {
  it('package.json, task/task.json and vss-extension.json agree', async () => {
    expect(await script('version.js')).toMatchObject({ code: 0 });
  });

  it('a drifted task version is caught, and set-version mends all three', async () => {
    const dir = copyOfRepository();
    const taskPath = join(dir, 'task', 'task.json');
    const task = JSON.parse(readFileSync(taskPath, 'utf8'));
    task.version.Patch += 1;
    writeFileSync(taskPath, JSON.stringify(task));
    const drift = await script('version.js', '--root', dir);
    expect(drift.code).toBe(1);
    expect(drift.output).toMatch(/versions drift: .*task\/task\.json \d+\.\d+\.\d+/);
    expect(await script('version.js', '--root', dir, '2.3.4')).toMatchObject({ code: 0 });
    expect(JSON.parse(readFileSync(taskPath, 'utf8')).version).toEqual({ Major: 2, Minor: 3, Patch: 4 });
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version).toBe('2.3.4');
    expect(await script('version.js', '--root', dir)).toMatchObject({ code: 0 });
  });
});

describe("the guides' input tables follow action.yml and task.json", () => {
  it('are current', async () => {
    const result = await script('docs.js', '--check');
    expect(result.output).toContain('match');
    expect(result.code).toBe(0);
  });

  it('go stale when an action input changes, and are regenerated into docs/github-action.md', async () => {
    const dir = copyOfRepository();
    const actionPath = join(dir, 'action.yml');
    writeFileSync(
      actionPath,
      readFileSync(actionPath, 'utf8').replace("description: 'Directory (tenant) ID.'", "description: 'The tenant, changed.'")
    );
    const stale = await script('docs.js', '--root', dir, '--check');
    expect(stale).toMatchObject({ code: 1, output: expect.stringContaining('docs/github-action.md: input/output tables are stale') });
    await script('docs.js', '--root', dir);
    expect(readFileSync(join(dir, 'docs', 'github-action.md'), 'utf8')).toContain('| `tenant-id` |  | The tenant, changed. |');
    expect(await script('docs.js', '--root', dir, '--check')).toMatchObject({ code: 0 });
  });

  it('go stale when a task input changes, and are regenerated into docs/azure-pipelines.md', async () => {
    const dir = copyOfRepository();
    const taskPath = join(dir, 'task', 'task.json');
    const task = JSON.parse(readFileSync(taskPath, 'utf8'));
    const registry = task.inputs.find((input: { name: string }) => input.name === 'registry');
    registry.helpMarkDown = 'The registry, changed.';
    writeFileSync(taskPath, JSON.stringify(task));
    const stale = await script('docs.js', '--root', dir, '--check');
    expect(stale).toMatchObject({ code: 1, output: expect.stringContaining('docs/azure-pipelines.md: input/output tables are stale') });
    expect(stale.output).not.toContain('github-action.md');
    await script('docs.js', '--root', dir);
    expect(readFileSync(join(dir, 'docs', 'azure-pipelines.md'), 'utf8')).toContain('| `registry` | string |  | The registry, changed. |');
    expect(await script('docs.js', '--root', dir, '--check')).toMatchObject({ code: 0 });
  });

  it('are refused when a guide lost its markers', async () => {
    const dir = copyOfRepository();
    const guidePath = join(dir, 'docs', 'azure-pipelines.md');
    writeFileSync(guidePath, readFileSync(guidePath, 'utf8').replace('<!-- task-inputs:end -->', ''));
    const result = await script('docs.js', '--root', dir, '--check');
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('docs/azure-pipelines.md lacks the markers');
  });
});
