// Renders the SVG sources of the images the extension and the guides show into the PNGs they use, with Debian's
// rsvg-convert (librsvg2-bin; scripts/setup.sh installs it and the DejaVu fonts the diagram names).
//   node scripts/render-images.js            write the PNGs
//   node scripts/render-images.js --out DIR  write them under DIR instead (the test compares those with the committed ones)
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

/** Each PNG, the SVG it is drawn from, and its size: task.json's icon 32×32, the Marketplace's extension icon 128×128. */
const IMAGES = [
  { svg: 'images/icon.svg', png: 'task/icon.png', width: 32, height: 32 },
  { svg: 'images/icon.svg', png: 'images/extension-icon.png', width: 128, height: 128 },
  { svg: 'docs/images/azure-pipelines-flow.svg', png: 'docs/images/azure-pipelines-flow.png', width: 960, height: 300 }
];

function render(outRoot) {
  for (const image of IMAGES) {
    const output = path.join(outRoot, image.png);
    fs.mkdirSync(path.dirname(output), { recursive: true });
    execFileSync('rsvg-convert', [
      '--width',
      String(image.width),
      '--height',
      String(image.height),
      '--output',
      output,
      path.join(root, image.svg)
    ]);
  }
}

if (require.main === module) {
  const out = process.argv.indexOf('--out');
  try {
    render(out >= 0 ? path.resolve(process.argv[out + 1]) : root);
  } catch (error) {
    console.error(
      error.code === 'ENOENT'
        ? 'render-images: rsvg-convert is not installed: run `bash scripts/setup.sh` (Debian librsvg2-bin)'
        : `render-images: ${error.message}`
    );
    process.exitCode = 1;
  }
}

module.exports = { IMAGES };
