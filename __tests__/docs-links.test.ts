import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..');
const run = promisify(execFile);

async function script(name: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'scripts', name), ...args], { env });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** Every copy made here, removed when the suite ends. */
const copies: string[] = [];
afterAll(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const checkLinks = (root: string): Promise<{ code: number; output: string }> => script('doc-links.js', ['--root', root]);

/** The checkout without its installed and built-on-the-fly parts (tools/ holds Node and a Wine prefix): every file a link may name. */
function copyOfRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'docs-'));
  copies.push(dir);
  const skipped = new Set(['node_modules', '.git', 'build', 'coverage', 'tools']);
  cpSync(ROOT, dir, { recursive: true, filter: (source) => !skipped.has(relative(ROOT, source).split(/[\\/]/)[0] ?? '') });
  return dir;
}

/** A small repository of markdown files, to try the checker on cases the real documents may not hold. */
function repositoryOf(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'links-'));
  copies.push(dir);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}

describe('the documentation links', () => {
  it('in README.md, CONTRIBUTING.md and docs/*.md all resolve, anchors included', async () => {
    const result = await checkLinks(ROOT);
    expect(result.output).toMatch(/^\d+ relative links in \d+ markdown files resolve/);
    expect(result.code).toBe(0);
    const [, links, files] = /^(\d+) relative links in (\d+) markdown files/.exec(result.output) ?? [];
    expect(Number(files)).toBeGreaterThanOrEqual(10);
    expect(Number(links)).toBeGreaterThanOrEqual(50);
  });

  it('a broken file link, a broken anchor and a broken same-page anchor in a copy are each caught, with file and line', async () => {
    const dir = copyOfRepository();
    expect(await checkLinks(dir)).toMatchObject({ code: 0 });
    edit(join(dir, 'README.md'), '](docs/cli.md)', '](docs/command-line.md)');
    edit(join(dir, 'docs', 'azure-pipelines.md'), '](credential-helper.md)', '](credential-helper.md#no-such-section)');
    edit(join(dir, 'docs', 'github-action.md'), '](#long-jobs)', '](#long-job)');
    const result = await checkLinks(dir);
    expect(result.code).toBe(1);
    expect(result.output).toContain('3 broken documentation link(s)');
    expect(result.output).toMatch(/^README\.md:\d+: docs\/command-line\.md: no such file or folder docs\/command-line\.md$/m);
    expect(result.output).toMatch(
      /^docs\/azure-pipelines\.md:\d+: credential-helper\.md#no-such-section: docs\/credential-helper\.md has no heading or anchor #no-such-section$/m
    );
    expect(result.output).toMatch(/^docs\/github-action\.md:\d+: #long-job: docs\/github-action\.md has no heading or anchor #long-job$/m);
  });

  it('a heading that is renamed breaks the links to it', async () => {
    const dir = copyOfRepository();
    edit(join(dir, 'docs', 'troubleshooting.md'), '## The credential helper', '## The helper');
    const result = await checkLinks(dir);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      /^docs\/credential-helper\.md:\d+: troubleshooting\.md#the-credential-helper: docs\/troubleshooting\.md has no heading or anchor #the-credential-helper$/m
    );
  });

  it('follows GitHub: heading slugs, repeats numbered, explicit ids, folders, code left alone, nothing outside the repository', async () => {
    const dir = repositoryOf({
      'README.md': [
        '# Title',
        '## `--print`: a drop-in (really)',
        '## Repeat',
        '## Repeat',
        '<a id="explicit"></a>',
        '[a](#--print-a-drop-in-really) [b](#repeat-1) [c](#explicit) [d](docs/) [e](docs/guide.md#guide-heading)',
        '![image](docs/picture.png) [external](https://example.com/missing.md) [f](docs/guide.md#)',
        '```md',
        '[inside a fence](missing-in-fence.md)',
        '```',
        'and `[inside a code span](missing-in-span.md)`',
        '[g](docs/picture.png#anything)'
      ].join('\n'),
      'docs/guide.md': '# Guide heading\n\n[back](../README.md#title) [up and out](../../elsewhere.md)\n',
      'docs/picture.png': 'png'
    });
    const result = await checkLinks(dir);
    expect(result.output).toBe('1 broken documentation link(s):\ndocs/guide.md:3: ../../elsewhere.md: leaves the repository\n');
    writeFileSync(join(dir, 'docs', 'guide.md'), '# Guide heading\n\n[back](../README.md#repeat-2)\n');
    expect((await checkLinks(dir)).output).toContain(
      'docs/guide.md:3: ../README.md#repeat-2: README.md has no heading or anchor #repeat-2'
    );
  });
});

describe('the Azure DevOps extension', () => {
  it('shows docs/azure-pipelines.md as its overview page, with links that work outside the repository', async () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'vss-extension.json'), 'utf8'));
    expect(manifest.content.details.path).toBe('docs/azure-pipelines.md');

    const dir = copyOfRepository();
    const noTfx = { ...process.env, PATH: dirname(process.execPath) };
    const packaged = await script('package.js', ['--root', dir], noTfx);
    expect(packaged.output).toContain('Staged the extension in build/extension/ (overview page docs/azure-pipelines.md');
    expect(packaged.code).toBe(0);

    const stage = join(dir, 'build', 'extension');
    for (const file of ['vss-extension.json', 'task/task.json', 'task/icon.png', 'task/dist/index.js', 'docs/azure-pipelines.md'])
      expect(readFileSync(join(stage, file)).length).toBeGreaterThan(0);
    const original = readFileSync(join(ROOT, 'docs', 'azure-pipelines.md'), 'utf8');
    const overview = readFileSync(join(stage, 'docs', 'azure-pipelines.md'), 'utf8');
    const base = `${manifest.repository.url}/blob/v${manifest.version}/`;
    expect(original).toContain('](troubleshooting.md)');
    expect(overview).toContain(`](${base}docs/troubleshooting.md)`);
    expect(overview).toContain(`](${base}CONTRIBUTING.md#packaging-the-azure-devops-extension)`);
    expect(overview).toContain('](#get-started)');
    const relativeLinks = [...overview.matchAll(/\]\((?!https:\/\/|#)([^)]*)\)/g)].map((match) => match[1]);
    expect(relativeLinks).toEqual([]);
    expect(overview.replace(/\]\([^)]*\)/g, '')).toBe(original.replace(/\]\([^)]*\)/g, ''));
  });
});
