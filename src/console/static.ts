/**
 * The console's pages: the bundle `npm run build` makes (scripts/build-ui.mjs) in
 * dist/console/ui, found from src/console and dist/console alike. Served from memory,
 * no CDN: the console works offline.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const UI_DIR = path.resolve(here, '..', '..', 'dist', 'console', 'ui');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface Asset {
  type: string;
  body: Buffer;
}

/** The built files by name (`index.html`, `app.js`, …); empty when the console was not built. */
export function loadAssets(dir = UI_DIR): Map<string, Asset> {
  const out = new Map<string, Asset>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (type) out.set(name, { type, body: readFileSync(path.join(dir, name)) });
  }
  return out;
}
