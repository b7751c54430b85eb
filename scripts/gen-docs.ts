/** `npm run gen` (with gen-crds.ts): writes docs/configuration.md from the `amime serve` settings. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_DOC, renderConfigDoc } from '../src/server/config-doc.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, CONFIG_DOC);
const text = renderConfigDoc();
let current: string | undefined;
try {
  current = readFileSync(file, 'utf8');
} catch {
  current = undefined;
}
if (current !== text) {
  writeFileSync(file, text);
  process.stdout.write(`wrote ${CONFIG_DOC}\n`);
}
