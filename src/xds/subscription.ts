/**
 * A set of resource names one stream is subscribed to for one type, interned so
 * that thousands of proxies of one group share one object (and one cached
 * response body) instead of each holding its own copy of the names.
 */
export class Subscription {
  /** `*` for wildcard, else the sorted names joined by newlines. */
  readonly key: string;
  /** Sorted, unique. Empty for a wildcard subscription. */
  readonly names: readonly string[];
  readonly wildcard: boolean;
  /** @internal reference count kept by {@link SubscriptionTable}. */
  refs = 0;

  /** `key`: the table's key for `names`, when it has one (the same string, not an equal copy). */
  constructor(wildcard: boolean, names: readonly string[], key?: string) {
    this.wildcard = wildcard;
    this.names = wildcard ? [] : names;
    this.key = wildcard ? '*' : (key ?? names.join('\n'));
  }

  has(name: string): boolean {
    return this.wildcard || binarySearch(this.names, name);
  }
}

function binarySearch(sorted: readonly string[], name: string): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === name) return true;
    if (v < name) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export function sortedUnique(names: Iterable<string>): string[] {
  return [...new Set(names)].sort();
}

/** Interning table with reference counts; entries go away when the last user releases them. */
export class SubscriptionTable {
  private readonly table = new Map<string, Subscription>();
  private static readonly WILDCARD_KEY = '\u0000*';

  acquire(wildcard: boolean, names: Iterable<string>): Subscription {
    const sorted = wildcard ? [] : sortedUnique(names);
    const key = wildcard ? SubscriptionTable.WILDCARD_KEY : sorted.join('\n');
    let sub = this.table.get(key);
    if (!sub) {
      sub = new Subscription(wildcard, sorted, wildcard ? undefined : key);
      this.table.set(key, sub);
    }
    sub.refs++;
    return sub;
  }

  release(sub: Subscription): void {
    sub.refs--;
    if (sub.refs <= 0) {
      const key = sub.wildcard ? SubscriptionTable.WILDCARD_KEY : sub.key;
      if (this.table.get(key) === sub) this.table.delete(key);
    }
  }

  get size(): number {
    return this.table.size;
  }
}
