/** What the fast path checks on a decoded value before it may return it. */
export interface ShapeLimits {
  /** Deepest collection nesting accepted; the document itself is level 1. */
  maxDepth: number;
  /**
   * js-yaml names a null key (`~:`, `null:`) "null" where the `yaml` library names it "",
   * so for YAML a key "null" sends the text to the slow path.
   */
  refuseNullKey: boolean;
}

/**
 * Number of mapping keys in `value` (for the JSON duplicate-key count), or undefined
 * when the value is nested deeper than allowed or has a key the fast path cannot vouch
 * for. A loop, not recursion: the depth is not known yet.
 */
export function countKeys(value: unknown, limits: ShapeLimits): number | undefined {
  let keys = 0;
  const stack: Array<{ v: object; depth: number }> = [];
  if (typeof value === 'object' && value !== null) stack.push({ v: value, depth: 1 });
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (depth > limits.maxDepth) return undefined;
    if (Array.isArray(v)) {
      for (const item of v)
        if (typeof item === 'object' && item !== null) stack.push({ v: item, depth: depth + 1 });
      continue;
    }
    const record = v as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (limits.refuseNullKey && key === 'null') return undefined;
      keys++;
      const item = record[key];
      if (typeof item === 'object' && item !== null) stack.push({ v: item, depth: depth + 1 });
    }
  }
  return keys;
}
