/**
 * `npm run gen`: writes the CRD manifests generated from the model into deploy/crds/
 * and removes generated files of kinds that no longer exist.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_GROUP } from '../src/model/kinds.js';
import { CRD_DIR, renderCrdFiles } from '../src/model/crd/render.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, CRD_DIR);
mkdirSync(dir, { recursive: true });

const files = renderCrdFiles();
for (const name of readdirSync(dir)) {
  if (name.startsWith(`${API_GROUP}_`) && !files.has(name)) {
    rmSync(path.join(dir, name));
    process.stdout.write(`removed ${CRD_DIR}/${name}\n`);
  }
}
for (const [name, text] of files) {
  const file = path.join(dir, name);
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) continue;
  writeFileSync(file, text);
  process.stdout.write(`wrote ${CRD_DIR}/${name}\n`);
}
