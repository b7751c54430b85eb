/**
 * Random values that satisfy a TypeBox schema (with the model's union keywords), for
 * property tests. Deterministic for a seed; small sizes so failures stay readable.
 */
import type { TSchema } from '@sinclair/typebox';
import {
  AT_LEAST_ONE,
  AT_MOST_ONE,
  EXACTLY_ONE,
  MAX_DURATION_MS_KEYWORD,
} from '../../src/model/schema/annotations.js';

export type Random = () => number;

/** mulberry32: tiny, fast, good enough for test data. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789-._';

export function arbitrary(schema: TSchema, rnd: Random, depth = 0): unknown {
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  if (Array.isArray(schema.enum)) return schema.enum[int(0, schema.enum.length - 1)];
  switch (schema.type) {
    case 'boolean':
      return rnd() < 0.5;
    case 'integer': {
      const lo = typeof schema.minimum === 'number' ? schema.minimum : -1000;
      const hi = typeof schema.maximum === 'number' ? schema.maximum : lo + 100000;
      return int(lo, hi);
    }
    case 'string': {
      const min = typeof schema.minLength === 'number' ? schema.minLength : 1;
      const max = Math.min(typeof schema.maxLength === 'number' ? schema.maxLength : 24, min + 24);
      const len = int(Math.max(min, 1), Math.max(max, 1));
      let s = '';
      for (let i = 0; i < len; i++) s += ALPHABET[int(0, ALPHABET.length - 1)];
      return s;
    }
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const max = Math.min(
        typeof schema.maxItems === 'number' ? schema.maxItems : 3,
        min + 3,
        depth > 6 ? min : 99,
      );
      const n = int(min, Math.max(min, max));
      return Array.from({ length: n }, () => arbitrary(schema.items as TSchema, rnd, depth + 1));
    }
    case 'object':
      return arbitraryObject(schema, rnd, depth);
    default:
      throw new Error(`arbitrary: unsupported schema ${JSON.stringify(schema)}`);
  }
}

function arbitraryObject(schema: TSchema, rnd: Random, depth: number): Record<string, unknown> {
  const props = (schema.properties ?? {}) as Record<string, TSchema>;
  const required = new Set<string>((schema.required as string[] | undefined) ?? []);
  const exactly = schema[EXACTLY_ONE] as string[] | undefined;
  const atMost = schema[AT_MOST_ONE] as string[] | undefined;
  const atLeast = schema[AT_LEAST_ONE] as string[] | undefined;
  const pick = (keys: readonly string[]) => keys[Math.floor(rnd() * keys.length)] as string;

  const chosen = new Set<string>(required);
  for (const key of Object.keys(props))
    if (!required.has(key) && rnd() < (depth > 4 ? 0.15 : 0.5)) chosen.add(key);
  if (exactly) {
    for (const k of exactly) chosen.delete(k);
    chosen.add(pick(exactly));
  }
  if (atMost) {
    const set = atMost.filter((k) => chosen.has(k));
    for (const k of set.slice(1)) chosen.delete(k);
  }
  if (atLeast && !atLeast.some((k) => chosen.has(k))) {
    const allowed = atLeast.filter((k) => !atMost?.includes(k) || !atMost.some((m) => chosen.has(m)));
    chosen.add(pick(allowed.length > 0 ? allowed : atLeast));
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(props))
    if (chosen.has(key)) out[key] = arbitrary(props[key] as TSchema, rnd, depth + 1);
  const maxMs = schema[MAX_DURATION_MS_KEYWORD] as number | undefined;
  if (maxMs !== undefined && out.unit === 's' && typeof out.value === 'number')
    out.value = Math.max(1, Math.floor(out.value / 1000));
  return out;
}
