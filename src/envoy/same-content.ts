/**
 * Structural equality of translation data (IR objects and the plain values units
 * return): primitives by value, arrays and plain objects member by member, anything
 * else (a Map, a class instance, a function) only by identity. Conservative: `false`
 * only costs a rebuilt object where the old one could have been kept.
 */
export function sameContent(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameContent(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || !isPlain(a) || !isPlain(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k)) return false;
    if (!sameContent((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * `fresh`, or `old` where it has the same content: elements of an array one by one, so a
 * list of which one item changed keeps the other items' objects (and their Envoy objects).
 */
export function keepEqual<T>(old: T, fresh: T): T {
  if (sameContent(old, fresh)) return old;
  if (!Array.isArray(old) || !Array.isArray(fresh)) return fresh;
  return fresh.map((x, i) => (i < old.length && sameContent(old[i], x) ? old[i] : x)) as T;
}
