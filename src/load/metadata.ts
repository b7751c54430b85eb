import { formatPath, type Diagnostic, type ResourceId } from '../model/index.js';
import { isMapping } from './expand-lists.js';
import type { FieldPath, LoadedObject } from './types.js';

/** Reads a nested value; undefined when any step is missing or not a mapping. */
export function valueAt(root: unknown, path: FieldPath): unknown {
  let here = root;
  for (const seg of path) {
    if (!isMapping(here)) return undefined;
    here = here[String(seg)];
  }
  return here;
}

export function stringAt(root: unknown, path: FieldPath): string | undefined {
  const v = valueAt(root, path);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * Reads `labels`/`annotations`: a map of strings. Kubernetes refuses anything else,
 * so other values are reported and left out rather than coerced.
 */
export function stringMapAt(
  loaded: LoadedObject,
  path: FieldPath,
  resource: ResourceId | undefined,
  diagnostics: Diagnostic[],
): Record<string, string> {
  const out: Record<string, string> = {};
  const value = valueAt(loaded.object, path);
  if (value === undefined || value === null) return out;
  const report = (at: FieldPath, message: string): void => {
    const d: Diagnostic = {
      severity: 'error',
      code: 'load.invalid-map',
      path: formatPath(at),
      message,
      source: loaded.source.positionOf(at),
    };
    if (resource) d.resource = resource;
    diagnostics.push(d);
  };
  if (!isMapping(value)) {
    report(path, 'expected a map of strings');
    return out;
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string') out[key] = v;
    else report([...path, key], `value must be a string, found ${describe(v)}`);
  }
  return out;
}

export function resourceIdOf(object: unknown, namespace?: string): ResourceId | undefined {
  const kind = stringAt(object, ['kind']);
  const name = stringAt(object, ['metadata', 'name']);
  if (!kind || !name) return undefined;
  return namespace ? { kind, namespace, name } : { kind, name };
}

function describe(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean')
    return `${typeof v} ${String(v)} (quote it: "${String(v)}")`;
  if (v === null) return 'null';
  return Array.isArray(v) ? 'a sequence' : `${typeof v === 'object' ? 'a mapping' : typeof v}`;
}

export function missingName(kind: string, object: unknown): string {
  const name = valueAt(object, ['metadata', 'name']);
  return name === undefined || name === null
    ? `${kind} has no metadata.name`
    : `must be a non-empty string, found ${describe(name)}`;
}
