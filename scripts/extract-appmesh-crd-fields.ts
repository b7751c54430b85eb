/**
 * Regenerates src/model/crd/testdata/appmesh-crd-fields.json: App Mesh's CRD schemas,
 * one row per field, from the controller's published CRDs
 * (aws/aws-app-mesh-controller-for-k8s, config/crd/bases/appmesh.k8s.aws_*.yaml).
 * Usage: tsx scripts/extract-appmesh-crd-fields.ts <folder with those files> <commit>
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { fieldTable } from '../src/model/crd/field-table.js';
import type { JSONSchemaProps } from '../src/model/crd/structural.js';

const [dir, commit] = process.argv.slice(2);
if (!dir || !commit) {
  console.error('usage: tsx scripts/extract-appmesh-crd-fields.ts <crd folder> <controller commit>');
  process.exit(2);
}
const kinds: Record<string, unknown> = {};
for (const file of readdirSync(dir)
  .filter((f) => /^appmesh\.k8s\.aws_.*\.yaml$/.test(f))
  .sort()) {
  const crd = parse(readFileSync(path.join(dir, file), 'utf8')) as {
    spec: {
      names: { kind: string };
      versions: Array<{ name: string; schema: { openAPIV3Schema: JSONSchemaProps } }>;
    };
  };
  const version = crd.spec.versions.find((v) => v.name === 'v1beta2');
  if (!version) throw new Error(`${file}: no v1beta2`);
  kinds[crd.spec.names.kind] = fieldTable(version.schema.openAPIV3Schema);
}
const out = {
  source: `aws/aws-app-mesh-controller-for-k8s@${commit} config/crd/bases/appmesh.k8s.aws_*.yaml (v1beta2 openAPIV3Schema, spec and status)`,
  kinds,
};
const target = new URL('../src/model/crd/testdata/appmesh-crd-fields.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(out, null, 1)}\n`);
console.log(`wrote ${target.pathname}: ${Object.keys(kinds).join(', ')}`);
