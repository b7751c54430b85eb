/**
 * A CRD schema flattened into one row per field: `spec.listeners[].portMapping.port`
 * → its type and constraints. Used to compare Amime's CRDs with App Mesh's, field by
 * field (appmesh-diff.test.ts), and by scripts/extract-appmesh-crd-fields.ts to store
 * App Mesh's side as test data.
 */
import type { JSONSchemaProps } from './structural.js';

export interface FieldFacts {
  type: string;
  required?: true;
  format?: string;
  enum?: string[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

export type FieldTable = Record<string, FieldFacts>;

const CONSTRAINTS = [
  'format',
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
] as const;

/** Rows for `spec` and `status` of a CRD's openAPIV3Schema, in a stable order. */
export function fieldTable(root: JSONSchemaProps): FieldTable {
  const out: FieldTable = {};
  const visit = (node: JSONSchemaProps, path: string, required: boolean): void => {
    const facts: FieldFacts = { type: String(node.type) };
    if (required) facts.required = true;
    for (const key of CONSTRAINTS) {
      const value = node[key];
      if (value !== undefined) (facts as unknown as Record<string, unknown>)[key] = value;
    }
    if (facts.enum) facts.enum = [...facts.enum].sort();
    out[path] = facts;
    for (const [name, child] of Object.entries(node.properties ?? {}))
      visit(child, `${path}.${name}`, (node.required ?? []).includes(name));
    if (node.items) visit(node.items, `${path}[]`, false);
    if (node.additionalProperties) visit(node.additionalProperties, `${path}.{key}`, false);
  };
  for (const top of ['spec', 'status']) {
    const node = root.properties?.[top];
    if (node) visit(node, top, (root.required ?? []).includes(top));
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
