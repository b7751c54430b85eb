/**
 * Resources → App Mesh API JSON: a list of describe-* shaped objects
 * (`{"virtualNode": {"meshName", "virtualNodeName", "spec", "tags"}}`), in the order
 * they can be created. `import appmesh-json` reads it back; each element's inner object
 * is also what `aws appmesh create-* --cli-input-json` takes.
 */
import { APPLY_ORDER } from '../api/index.js';
import { API_KIND_INFO } from '../model/api-form/index.js';
import { canonicalSpec } from './canonical.js';
import type { ImportedResource } from './types.js';

export function sortForApi(resources: readonly ImportedResource[]): ImportedResource[] {
  return [...resources].sort(
    (a, b) =>
      APPLY_ORDER.indexOf(a.kind) - APPLY_ORDER.indexOf(b.kind) ||
      byCodePoint(a.mesh, b.mesh) ||
      byCodePoint(a.parent ?? '', b.parent ?? '') ||
      byCodePoint(a.name, b.name),
  );
}

export function apiObjectOf(r: ImportedResource): Record<string, unknown> {
  const info = API_KIND_INFO[r.kind];
  const body: Record<string, unknown> = { meshName: r.mesh };
  if (info.parent) body[info.parent.nameField] = r.parent;
  if (r.kind !== 'Mesh') body[info.nameField] = r.name;
  body.spec = canonicalSpec(r.kind, r.spec);
  if (r.tags && r.tags.length > 0) body.tags = [...r.tags].sort((a, b) => byCodePoint(a.key, b.key));
  return { [info.dataField]: body };
}

export function toApiJson(resources: readonly ImportedResource[]): string {
  return `${JSON.stringify(sortForApi(resources).map(apiObjectOf), null, 2)}\n`;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
