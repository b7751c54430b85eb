/**
 * The Translator's groups as read-only maps that stay what they were when handed out,
 * at the cost of what changed rather than of the whole table: a one-route change at 10×
 * App Mesh's quotas re-translates 40 groups of 4,000, and copying all 4,000 into a new
 * map for every result was a mesh-sized walk (and its garbage) on that path.
 *
 * The newest snapshot reads the live table. Before the table changes a key, the newest
 * snapshot saves the value it saw (`undo`); an older snapshot reads its own saved values,
 * then those of each newer one, then the live table. A snapshot holds only newer ones,
 * so one nobody holds is collected with what it saved.
 */

const ABSENT = Symbol('absent');
type Saved<V> = V | typeof ABSENT;

class Snapshot<V> implements ReadonlyMap<string, V> {
  /** Values this snapshot saw for the keys changed after it, until `newer` was taken. */
  readonly undo = new Map<string, Saved<V>>();
  newer: Snapshot<V> | undefined;

  constructor(
    private readonly live: ReadonlyMap<string, V>,
    readonly size: number,
  ) {}

  private lookup(key: string): Saved<V> {
    if (this.undo.has(key)) return this.undo.get(key) as Saved<V>;
    for (let s = this.newer; s; s = s.newer) if (s.undo.has(key)) return s.undo.get(key) as Saved<V>;
    return this.live.has(key) ? (this.live.get(key) as V) : ABSENT;
  }

  get(key: string): V | undefined {
    const v = this.lookup(key);
    return v === ABSENT ? undefined : v;
  }

  has(key: string): boolean {
    return this.lookup(key) !== ABSENT;
  }

  *entries(): MapIterator<[string, V]> {
    const seen = new Set<string>();
    const saved = function* (s: Snapshot<V>): Generator<[string, V]> {
      for (const [k, v] of s.undo) {
        if (seen.has(k)) continue;
        seen.add(k);
        if (v !== ABSENT) yield [k, v];
      }
    };
    yield* saved(this);
    for (let s = this.newer; s; s = s.newer) yield* saved(s);
    for (const entry of this.live) if (!seen.has(entry[0])) yield entry;
  }

  *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }
}

/** A table of values by group key, handing out snapshots of itself (see the header). */
export class GroupSnapshots<V> {
  private readonly live = new Map<string, V>();
  private newest: Snapshot<V> | undefined;

  get(key: string): V | undefined {
    return this.live.get(key);
  }

  set(key: string, value: V): void {
    this.save(key);
    this.live.set(key, value);
  }

  delete(key: string): void {
    this.save(key);
    this.live.delete(key);
  }

  /** The table as it is now; it stays so whatever the table does next. */
  snapshot(): ReadonlyMap<string, V> {
    const last = this.newest;
    if (last && last.undo.size === 0) return last;
    const next = new Snapshot(this.live, this.live.size);
    if (last) last.newer = next;
    this.newest = next;
    return next;
  }

  private save(key: string): void {
    const s = this.newest;
    if (!s || s.undo.has(key)) return;
    s.undo.set(key, this.live.has(key) ? (this.live.get(key) as V) : ABSENT);
  }
}
