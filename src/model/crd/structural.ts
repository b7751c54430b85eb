/**
 * Converts a TypeBox JSON Schema into a Kubernetes structural OpenAPI v3 schema
 * (the subset `apiextensions.k8s.io/v1` accepts in `openAPIV3Schema`). Anything the
 * converter does not know makes it throw, so a new TypeBox construct in a kind's
 * schema cannot slip into the CRDs unnoticed.
 */
import type { TSchema } from '@sinclair/typebox';
import { OWN_KEYWORDS } from '../schema/annotations.js';

/** The keywords a generated CRD schema uses (a subset of Kubernetes' JSONSchemaProps). */
export interface JSONSchemaProps {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  items?: JSONSchemaProps;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps;
  required?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/** Copied through unchanged (scalars or string lists). */
const COPIED = [
  'description',
  'enum',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
] as const;
/** Handled explicitly below. */
const STRUCTURAL = ['type', 'format', 'items', 'properties', 'patternProperties', 'required'] as const;
const KNOWN = new Set<string>([...COPIED, ...STRUCTURAL, ...OWN_KEYWORDS]);
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
/** The key pattern TypeBox uses for `Type.Record(Type.String(), …)`. */
const ANY_STRING_KEY = '^(.*)$';

export class CrdSchemaError extends Error {
  constructor(path: string, message: string) {
    super(`${path || '<root>'}: ${message}`);
    this.name = 'CrdSchemaError';
  }
}

/**
 * @param schema a TypeBox schema (symbols and `x-amime-*` keywords are dropped)
 * @param path where this schema sits, for error messages (`spec.listeners[]`)
 */
export function toStructural(schema: TSchema, path = ''): JSONSchemaProps {
  const src = schema as Record<string, unknown>;
  for (const key of Object.keys(src)) {
    if (!KNOWN.has(key))
      throw new CrdSchemaError(path, `keyword "${key}" cannot be expressed in a structural CRD schema`);
  }
  const type = src['type'];
  if (typeof type !== 'string' || !TYPES.has(type)) {
    throw new CrdSchemaError(path, `every node needs a single "type" (got ${JSON.stringify(type)})`);
  }
  const out: Record<string, unknown> = { type };
  if (type === 'integer') out['format'] = 'int64';
  if (typeof src['format'] === 'string') out['format'] = src['format'];
  for (const key of COPIED) {
    const value = src[key];
    if (value !== undefined) out[key] = Array.isArray(value) ? [...(value as unknown[])] : value;
  }

  if (type === 'array') {
    const items = src['items'];
    if (!isSchema(items)) throw new CrdSchemaError(path, 'arrays need a single "items" schema');
    out['items'] = toStructural(items, `${path}[]`);
  } else if (src['items'] !== undefined) {
    throw new CrdSchemaError(path, `"items" on a ${type}`);
  }

  if (type === 'object') Object.assign(out, objectParts(src, path));
  else if (
    src['properties'] !== undefined ||
    src['patternProperties'] !== undefined ||
    src['required'] !== undefined
  ) {
    throw new CrdSchemaError(path, `object keywords on a ${type}`);
  }
  return sortKeys(out) as JSONSchemaProps;
}

function objectParts(src: Record<string, unknown>, path: string): Partial<JSONSchemaProps> {
  const out: Partial<JSONSchemaProps> = {};
  const properties = src['properties'];
  const pattern = src['patternProperties'];
  if (properties !== undefined && pattern !== undefined) {
    throw new CrdSchemaError(path, 'structural schemas cannot mix "properties" with a map');
  }
  if (isRecord(properties)) {
    const names = Object.keys(properties).sort();
    if (names.length > 0) {
      out.properties = Object.fromEntries(
        names.map((name) => {
          const child = properties[name];
          if (!isSchema(child)) throw new CrdSchemaError(`${path}.${name}`, 'not a schema');
          return [name, toStructural(child, join(path, name))];
        }),
      );
    }
  }
  if (pattern !== undefined) {
    // Only Record<string, V> is expressible: Kubernetes maps cannot constrain keys.
    if (!isRecord(pattern)) throw new CrdSchemaError(path, '"patternProperties" is not an object');
    const keys = Object.keys(pattern);
    const value = pattern[ANY_STRING_KEY];
    if (keys.length !== 1 || !isSchema(value)) {
      throw new CrdSchemaError(
        path,
        `only Record<string, V> maps are supported (got key patterns ${JSON.stringify(keys)})`,
      );
    }
    out.additionalProperties = toStructural(value, `${path}.{key}`);
  }
  const required = src['required'];
  if (required !== undefined) {
    if (!Array.isArray(required) || !required.every((r) => typeof r === 'string')) {
      throw new CrdSchemaError(path, '"required" must be a list of names');
    }
    for (const name of required) {
      if (!out.properties?.[name])
        throw new CrdSchemaError(path, `required property "${name}" is not declared`);
    }
    if (required.length > 0) out.required = [...required].sort();
  }
  return out;
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSchema(value: unknown): value is TSchema {
  return isRecord(value);
}

/** Alphabetical keys: the order controller-gen emits, and stable across schema edits. */
function sortKeys(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(obj)
      .sort()
      .map((k) => [k, obj[k]]),
  );
}
