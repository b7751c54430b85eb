// Bundles the console (src/console/ui) with esbuild into dist/console/ui: one minified
// app.js (Preact, dagre and the pages), index.html and style.css, served by amime serve
// at /ui with no CDN. Prints the bundle's size. Run by build-if-changed.mjs.
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src', 'console', 'ui');
const out = path.join(root, 'dist', 'console', 'ui');

export async function buildUi({ quiet = false } = {}) {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [path.join(src, 'main.tsx')],
    outfile: path.join(out, 'app.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: path.join(src, 'tsconfig.json'),
    legalComments: 'external',
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(path.join(src, f), path.join(out, f));
  const js = path.join(out, 'app.js');
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  if (!quiet)
    process.stderr.write(
      `console bundle: dist/console/ui/app.js ${kib(statSync(js).size)} (${kib(gzipSync(readFileSync(js)).length)} gzipped)\n`,
    );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildUi().catch((err) => {
    process.stderr.write(`${err.message ?? err}\n`);
    process.exit(1);
  });
}
