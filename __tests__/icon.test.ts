// The task and extension icon and the overview page's diagram are drawn as SVG in the repository; the PNGs the
// Marketplace, task.json and the guide use are scripts/render-images.js's output, rendered again here and compared.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the script is CommonJS
const { IMAGES } = require('../scripts/render-images.js') as { IMAGES: { svg: string; png: string; width: number; height: number }[] };

let out: string;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'acr-login-images-'));
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'render-images.js'), '--out', out]);
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const data = readFileSync(file);
  expect(data.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

describe('the images', () => {
  it('are the PNGs render-images.js makes from their SVG sources, byte for byte', () => {
    for (const image of IMAGES) {
      const committed = readFileSync(join(ROOT, image.png));
      expect({ png: image.png, same: committed.equals(readFileSync(join(out, image.png))) }).toEqual({ png: image.png, same: true });
      expect(pngSize(join(ROOT, image.png))).toEqual({ width: image.width, height: image.height });
    }
  });

  it('task.json takes its 32×32 icon beside it, the Marketplace the 128×128 one, the overview page the diagram', () => {
    expect(pngSize(join(ROOT, 'task', 'icon.png'))).toEqual({ width: 32, height: 32 });
    const manifest = JSON.parse(readFileSync(join(ROOT, 'vss-extension.json'), 'utf8')) as { icons: { default: string } };
    expect(pngSize(join(ROOT, manifest.icons.default))).toEqual({ width: 128, height: 128 });
    expect(IMAGES.map((image) => image.png)).toEqual(expect.arrayContaining(['task/icon.png', manifest.icons.default]));
    expect(readFileSync(join(ROOT, 'docs', 'azure-pipelines.md'), 'utf8')).toContain('](images/azure-pipelines-flow.png)');
  });
});
