/**
 * A read-only map that is cheap to copy with one entry changed: the entries changed
 * since the last flattening sit in a small top layer over a shared base. The
 * incremental paths keep one index per mesh state (a refused write keeps the state
 * before it), so every state is a copy; copying the whole base (4,500 resources at 10×
 * App Mesh's quotas) on every write cost more than the write's own validation.
 * Every FLATTEN_AT changes the layers are merged: an O(n) copy, amortised.
 */
const FLATTEN_AT = 64;

export class LayeredMap<K, V> {
  private constructor(
    private readonly base: ReadonlyMap<K, V>,
    private readonly top: ReadonlyMap<K, V>,
    readonly size: number,
  ) {}

  static of<K, V>(entries: ReadonlyMap<K, V>): LayeredMap<K, V> {
    return new LayeredMap(entries, new Map(), entries.size);
  }

  get(key: K): V | undefined {
    return this.top.has(key) ? this.top.get(key) : this.base.get(key);
  }

  has(key: K): boolean {
    return this.top.has(key) || this.base.has(key);
  }

  /** This map with `key` set to `value`; this one is unchanged. */
  with(key: K, value: V): LayeredMap<K, V> {
    const size = this.has(key) ? this.size : this.size + 1;
    const top = new Map(this.top).set(key, value);
    if (top.size < FLATTEN_AT) return new LayeredMap(this.base, top, size);
    const flat = new Map(this.base);
    for (const [k, v] of top) flat.set(k, v);
    return new LayeredMap(flat, new Map(), size);
  }

  *entries(): IterableIterator<[K, V]> {
    for (const [k, v] of this.base) yield [k, this.top.has(k) ? (this.top.get(k) as V) : v];
    for (const [k, v] of this.top) if (!this.base.has(k)) yield [k, v];
  }
}
