/** In-process back end for tests and `--store memory`: nothing survives the process. */
import { compareKeys } from './internal.js';
import type { LocalBackend, LocalStoreOptions, RawChange, RawRecord } from './local-store.js';
import { LocalStore } from './local-store.js';
import type { ResourceStore } from './types.js';

export type MemoryStoreOptions = LocalStoreOptions;

export function createMemoryStore(options: MemoryStoreOptions = {}): ResourceStore {
  return new LocalStore('memory', new MemoryBackend(), options);
}

class MemoryBackend implements LocalBackend {
  readonly initialRevision = 0;
  readonly initialCompacted = 0;
  private readonly records = new Map<string, RawRecord>();
  /** Kept sorted with `compareKeys` so paging is a binary search plus a slice. */
  private readonly keys: string[] = [];
  private log: RawChange[] = [];

  atomic<R>(fn: () => R): R {
    // Callers finish every check before the first mutation, so there is nothing to roll back.
    return fn();
  }

  read(key: string): RawRecord | undefined {
    return this.records.get(key);
  }

  range(start: string, end: string | undefined, limit: number | undefined): RawRecord[] {
    const out: RawRecord[] = [];
    const max = limit ?? Infinity;
    for (let i = lowerBound(this.keys, start); i < this.keys.length && out.length < max; i++) {
      const key = this.keys[i] as string;
      if (end !== undefined && compareKeys(key, end) >= 0) break;
      out.push(this.records.get(key) as RawRecord);
    }
    return out;
  }

  commit(_revision: number, changes: readonly RawChange[]): void {
    for (const change of changes) {
      const key = change.record.key;
      if (change.type === 'put') {
        if (!this.records.has(key)) this.keys.splice(lowerBound(this.keys, key), 0, key);
        this.records.set(key, change.record);
      } else {
        this.records.delete(key);
        this.keys.splice(lowerBound(this.keys, key), 1);
      }
      this.log.push(change);
    }
  }

  history(afterRevision: number, prefix: string): RawChange[] {
    const out: RawChange[] = [];
    for (let i = firstAfter(this.log, afterRevision); i < this.log.length; i++) {
      const change = this.log[i] as RawChange;
      if (change.record.key.startsWith(prefix)) out.push(change);
    }
    return out;
  }

  prune(throughRevision: number): void {
    const cut = firstAfter(this.log, throughRevision);
    if (cut > 0) this.log = this.log.slice(cut);
  }

  close(): void {
    this.records.clear();
    this.keys.length = 0;
    this.log = [];
  }
}

function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(keys[mid] as string, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function firstAfter(log: readonly RawChange[], revision: number): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((log[mid] as RawChange).revision <= revision) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
