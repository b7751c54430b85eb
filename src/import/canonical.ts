/**
 * A spec with its keys in the API schema's order at every level, so the same resource
 * prints the same whether it was read from a template, a server that got it from YAML
 * (CRD order), or one that got it through the API.
 */
import type { TSchema } from '@sinclair/typebox';
import { API_KIND_INFO, type ApiKind } from '../model/api-form/index.js';

type Schema = TSchema & { properties?: Record<string, Schema>; items?: Schema };

export function canonicalSpec(kind: ApiKind, spec: Record<string, unknown>): Record<string, unknown> {
  return ordered(API_KIND_INFO[kind].spec as Schema, spec) as Record<string, unknown>;
}

function ordered(schema: Schema | undefined, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => ordered(schema?.items, v));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const props = schema?.properties ?? {};
  const keys = [
    ...Object.keys(props).filter((k) => k in obj),
    ...Object.keys(obj)
      .filter((k) => !(k in props))
      .sort(),
  ];
  return Object.fromEntries(keys.map((k) => [k, ordered(props[k], obj[k])]));
}
