/**
 * The process's one copy of the store: list every page, then watch from the list's
 * revision. Every reader in a process (translation, the REST API, the console)
 * subscribes here instead of watching the store itself, so they all see one sequence
 * of changes. A failed watch (history compacted, etcd restarted, a consumer too slow)
 * is handled here and only here: list again with exponential backoff, pass the
 * difference on as ordinary changes, watch again. `status()` says which state it is
 * in, for readiness.
 */
import { StoreClosedError } from './errors.js';
import type { ResourceStore, StoredRecord, WatchStream } from './types.js';

/** For a delete, `record` is the record as it was last seen. */
export interface MirrorChange<T = unknown> {
  type: 'put' | 'delete';
  record: StoredRecord<T>;
}

export type MirrorListener<T = unknown> = (change: MirrorChange<T>) => void;

export interface MirrorStatus {
  /** `resyncing`: the watch failed; changes made meanwhile are not seen until a list succeeds. */
  state: 'synced' | 'resyncing' | 'closed';
  /** Store revision the mirror has reached. */
  revision: number;
  /** Times the watch failed and the mirror listed again, since start. */
  resyncs: number;
  /** When the current state began (ISO 8601). */
  since: string;
  /** Why the last watch or list failed. */
  lastError?: string;
}

export interface MirrorOptions {
  /** Records per list page. Default 1,000. */
  pageSize?: number;
  /** Delay before the first re-list after a failure, doubled per failed attempt. Default 200 ms. */
  initialBackoffMs?: number;
  /** Longest delay between re-lists. Default 30 s. */
  maxBackoffMs?: number;
  /** Told about each failure and how long until the next attempt (for logs). */
  onError?: (err: unknown, retryInMs: number) => void;
  /** Told when a listener throws; the other listeners and the mirror carry on. */
  onListenerError?: (err: unknown) => void;
}

const DEFAULT_PAGE = 1000;

export class StoreMirror<T = unknown> {
  private readonly records = new Map<string, StoredRecord<T>>();
  private readonly listeners = new Set<MirrorListener<T>>();
  private waiters: Array<{ revision: number; resolve: (reached: boolean) => void }> = [];
  private watch: WatchStream<T> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private rev = 0;
  /** Highest revision delivered by the watch, made visible by `advanceAfterBatch`. */
  private batchRevision = 0;
  private batchTimer: NodeJS.Immediate | undefined;
  private failures = 0;
  private state: MirrorStatus = { state: 'synced', revision: 0, resyncs: 0, since: now() };

  private constructor(
    private readonly store: ResourceStore,
    private readonly options: MirrorOptions,
  ) {}

  /** Lists and starts watching; rejects when the first list or watch fails. */
  static async open<T = unknown>(store: ResourceStore, options: MirrorOptions = {}): Promise<StoreMirror<T>> {
    const mirror = new StoreMirror<T>(store, options);
    await mirror.sync();
    return mirror;
  }

  get revision(): number {
    return this.rev;
  }

  get size(): number {
    return this.records.size;
  }

  get(key: string): StoredRecord<T> | undefined {
    return this.records.get(key);
  }

  /** Every record, in the order the mirror first saw it (store key order at the first list). */
  values(): IterableIterator<StoredRecord<T>> {
    return this.records.values();
  }

  status(): MirrorStatus {
    return { ...this.state, revision: this.rev };
  }

  /** Calls `listener` for every change from now on; returns the unsubscribe function. */
  subscribe(listener: MirrorListener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves true once every change up to `revision` is visible here; false after `timeoutMs` or close. */
  waitFor(revision: number, timeoutMs = 10_000): Promise<boolean> {
    if (this.rev >= revision) return Promise.resolve(true);
    if (this.state.state === 'closed') return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = {
        revision,
        resolve: (reached: boolean) => {
          clearTimeout(timer);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  close(): void {
    if (this.state.state === 'closed') return;
    this.state = { ...this.state, state: 'closed', since: now() };
    clearTimeout(this.retry);
    if (this.batchTimer !== undefined) clearImmediate(this.batchTimer);
    this.watch?.close();
    for (const w of this.waiters.splice(0)) w.resolve(false);
  }

  // ── feeding ───────────────────────────────────────────────────────────────

  private async sync(): Promise<void> {
    // Read every page before changing anything: readers never see a half-listed store.
    const listed: StoredRecord<T>[] = [];
    let token: string | undefined;
    let revision: number | undefined;
    do {
      const page = await this.store.list<T>({
        limit: this.options.pageSize ?? DEFAULT_PAGE,
        ...(token !== undefined ? { continueToken: token } : {}),
      });
      revision ??= page.revision;
      listed.push(...page.items);
      token = page.nextToken;
    } while (token !== undefined);
    const watch = await this.store.watch<T>({ fromRevision: revision });
    if (this.state.state === 'closed') {
      watch.close();
      return;
    }
    this.replace(listed);
    this.advance(revision);
    this.watch = watch;
    void this.follow(watch);
  }

  /** Applies a fresh list as the changes that lead to it. */
  private replace(listed: readonly StoredRecord<T>[]): void {
    const fresh = new Set(listed.map((r) => r.key));
    for (const [key, record] of this.records) {
      if (fresh.has(key)) continue;
      this.records.delete(key);
      this.emit({ type: 'delete', record });
    }
    for (const record of listed) {
      const current = this.records.get(record.key);
      if (current && current.modRevision === record.modRevision) continue;
      this.records.set(record.key, record);
      this.emit({ type: 'put', record });
    }
  }

  private async follow(watch: WatchStream<T>): Promise<void> {
    try {
      for await (const event of watch) {
        if (event.type === 'put') {
          this.records.set(event.record.key, event.record);
          this.emit({ type: 'put', record: event.record });
        } else {
          const last = this.records.get(event.record.key) ?? event.record;
          if (this.records.delete(event.record.key)) this.emit({ type: 'delete', record: last });
        }
        this.advanceAfterBatch(event.revision);
      }
      // A stream that ends without close() means the store went away under us.
      if (this.state.state !== 'closed') this.failed(new StoreClosedError());
    } catch (err) {
      if (this.state.state !== 'closed') this.failed(err);
    }
  }

  private failed(err: unknown): void {
    if (err instanceof StoreClosedError) {
      this.close();
      return;
    }
    const delay = this.backoff();
    this.state = {
      state: 'resyncing',
      revision: this.rev,
      resyncs: this.state.resyncs + (this.state.state === 'synced' ? 1 : 0),
      since: this.state.state === 'synced' ? now() : this.state.since,
      lastError: err instanceof Error ? err.message : String(err),
    };
    this.options.onError?.(err, delay);
    this.retry = setTimeout(() => {
      this.sync().then(
        () => {
          if (this.state.state === 'closed') return;
          this.failures = 0;
          this.state = { ...this.state, state: 'synced', since: now() };
        },
        (e: unknown) => {
          if (this.state.state !== 'closed') this.failed(e);
        },
      );
    }, delay);
    this.retry.unref();
  }

  /** Exponential, with up to 20% jitter so replicas do not re-list in step. */
  private backoff(): number {
    const initial = this.options.initialBackoffMs ?? 200;
    const max = this.options.maxBackoffMs ?? 30_000;
    const base = Math.min(max, initial * 2 ** Math.min(this.failures++, 20));
    return Math.round(base * (1 - Math.random() * 0.2));
  }

  /**
   * The writes of one store transaction share a revision and arrive together (one etcd
   * watch response, one local commit), but are applied one event at a time: a waiter
   * woken after the first of them would look for the others too early. So everything
   * before this revision is complete now, and this revision once the events already
   * delivered have been applied (the next macrotask).
   */
  private advanceAfterBatch(revision: number): void {
    this.advance(revision - 1);
    if (revision <= this.batchRevision) return;
    this.batchRevision = revision;
    if (this.batchTimer !== undefined) return;
    this.batchTimer = setImmediate(() => {
      this.batchTimer = undefined;
      this.advance(this.batchRevision);
    });
  }

  private advance(revision: number): void {
    if (revision <= this.rev) return;
    this.rev = revision;
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.revision <= revision);
    this.waiters = this.waiters.filter((w) => w.revision > revision);
    for (const w of ready) w.resolve(true);
  }

  private emit(change: MirrorChange<T>): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.options.onListenerError?.(err);
      }
    }
  }
}

function now(): string {
  return new Date().toISOString();
}
