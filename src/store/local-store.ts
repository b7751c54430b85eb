/**
 * The ResourceStore logic shared by the in-process back ends (memory, SQLite): version
 * checks, revisions, change log replay and watch fan-out. A `LocalBackend` only stores
 * rows; because the back end is synchronous and owned by this process, a check and
 * the write it guards run in one synchronous section (and one SQLite transaction),
 * so racing writers in this process are serialised without locks.
 */
import { CompactedError, ConflictError, InvalidArgumentError, StoreClosedError } from './errors.js';
import {
  assertKey,
  assertPrefix,
  assertRevision,
  assertVersion,
  decodeContinueToken,
  encodeContinueToken,
  normalizeLimit,
  prefixEnd,
  serialize,
  validateTxnOps,
} from './internal.js';
import type {
  ListOptions,
  ListResult,
  ResourceStore,
  StoreKind,
  StoredRecord,
  TxnOp,
  TxnResult,
  WatchEvent,
  WatchEventType,
  WatchOptions,
  WatchStream,
  WriteOptions,
} from './types.js';
import { DEFAULT_MAX_BUFFERED_EVENTS, WatchQueue } from './watch-queue.js';

/** A record with its value still as JSON text. */
export interface RawRecord {
  key: string;
  text: string;
  version: number;
  createRevision: number;
  modRevision: number;
}

/** One change-log entry; for a delete, `record` is the record as it was before. */
export interface RawChange {
  revision: number;
  type: WatchEventType;
  record: RawRecord;
}

export interface LocalBackend {
  /** Runs `fn` atomically; if it throws, nothing it wrote persists. */
  atomic<R>(fn: () => R): R;
  read(key: string): RawRecord | undefined;
  /** Records with start <= key < end (no end: unbounded), in key order, at most `limit`. */
  range(start: string, end: string | undefined, limit: number | undefined): RawRecord[];
  /** Applies one revision's changes (puts upsert, deletes remove) and logs them. Called inside `atomic`. */
  commit(revision: number, changes: readonly RawChange[]): void;
  /** Logged changes with revision > afterRevision and key starting with prefix, in order. */
  history(afterRevision: number, prefix: string): RawChange[];
  /** Drops logged changes with revision <= throughRevision; `explicit` also persists it as the compaction floor. */
  prune(throughRevision: number, explicit: boolean): void;
  readonly initialRevision: number;
  readonly initialCompacted: number;
  close(): void;
}

export interface LocalStoreOptions {
  /** Revisions of change history kept for watch resume. Default 10,000. */
  historyLimit?: number;
}

export const DEFAULT_HISTORY_LIMIT = 10_000;
/** Physical pruning is batched; the logical compaction floor is exact regardless. */
const PRUNE_EVERY = 64;

interface Subscriber {
  prefix: string;
  queue: WatchQueue;
}

export class LocalStore implements ResourceStore {
  private rev: number;
  private explicitCompacted: number;
  private readonly historyLimit: number;
  private readonly subscribers = new Set<Subscriber>();
  private closed = false;

  constructor(
    readonly kind: StoreKind,
    private readonly backend: LocalBackend,
    options: LocalStoreOptions = {},
  ) {
    const limit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new InvalidArgumentError('historyLimit must be a positive integer');
    this.historyLimit = limit;
    this.rev = backend.initialRevision;
    this.explicitCompacted = backend.initialCompacted;
  }

  async get<T = unknown>(key: string): Promise<StoredRecord<T> | undefined> {
    this.assertOpen();
    assertKey(key);
    const raw = this.backend.read(key);
    return raw === undefined ? undefined : toRecord<T>(raw);
  }

  async list<T = unknown>(options: ListOptions = {}): Promise<ListResult<T>> {
    this.assertOpen();
    const prefix = options.prefix ?? '';
    assertPrefix(prefix);
    const limit = normalizeLimit(options.limit);
    const start =
      options.continueToken === undefined ? prefix : decodeContinueToken(options.continueToken, prefix);
    const rows = this.backend.range(start, prefixEnd(prefix), limit === undefined ? undefined : limit + 1);
    const result: ListResult<T> = { items: [], revision: this.rev };
    const count = limit === undefined ? rows.length : Math.min(limit, rows.length);
    for (let i = 0; i < count; i++) result.items.push(toRecord<T>(rows[i] as RawRecord));
    if (rows.length > count)
      result.nextToken = encodeContinueToken(prefix, (rows[count - 1] as RawRecord).key);
    return result;
  }

  async put<T = unknown>(key: string, value: T, options: WriteOptions = {}): Promise<StoredRecord<T>> {
    this.assertOpen();
    assertKey(key);
    if (options.expectedVersion !== undefined) assertVersion(options.expectedVersion);
    const text = serialize(value);
    const { results } = this.apply(
      [{ op: 'put', key, value, expectedVersion: options.expectedVersion }],
      [text],
    );
    return toRecord<T>(results[0] as RawRecord);
  }

  async delete<T = unknown>(key: string, options: WriteOptions = {}): Promise<StoredRecord<T> | undefined> {
    this.assertOpen();
    assertKey(key);
    if (options.expectedVersion !== undefined) assertVersion(options.expectedVersion);
    const { results } = this.apply([{ op: 'delete', key, expectedVersion: options.expectedVersion }], ['']);
    const raw = results[0];
    return raw === undefined ? undefined : toRecord<T>(raw);
  }

  async txn(ops: readonly TxnOp[]): Promise<TxnResult> {
    this.assertOpen();
    const texts = validateTxnOps(ops);
    const { revision, results } = this.apply(ops, texts);
    return { revision, results: results.map((r) => (r === undefined ? undefined : toRecord(r))) };
  }

  async watch<T = unknown>(options: WatchOptions = {}): Promise<WatchStream<T>> {
    this.assertOpen();
    const prefix = options.prefix ?? '';
    assertPrefix(prefix);
    const max = options.maxBufferedEvents ?? DEFAULT_MAX_BUFFERED_EVENTS;
    if (!Number.isSafeInteger(max) || max < 1)
      throw new InvalidArgumentError('maxBufferedEvents must be a positive integer');
    const from = options.fromRevision ?? this.rev;
    assertRevision(from, 'fromRevision');
    const floor = this.compactedRevision();
    if (from < floor) throw new CompactedError(from, floor);

    const sub: Subscriber = { prefix, queue: undefined as unknown as WatchQueue };
    const queue = new WatchQueue<T>(from, max, () => this.subscribers.delete(sub));
    sub.queue = queue as WatchQueue;
    // Replay and registration happen in one synchronous section, so no write can fall between them.
    if (from < this.rev) {
      for (const change of this.backend.history(from, prefix)) queue.push(toEvent<T>(change));
    }
    if (!queue.isDone) this.subscribers.add(sub);
    return queue;
  }

  async revision(): Promise<number> {
    this.assertOpen();
    return this.rev;
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    assertRevision(revision, 'revision');
    const target = Math.min(revision, this.rev);
    if (target <= this.explicitCompacted) return;
    this.backend.atomic(() => this.backend.prune(target, true));
    this.explicitCompacted = target;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const sub of this.subscribers) sub.queue.end();
    this.subscribers.clear();
    this.backend.close();
  }

  /** Oldest revision a watch may resume from. */
  private compactedRevision(): number {
    return Math.max(this.explicitCompacted, this.rev - this.historyLimit);
  }

  private apply(
    ops: readonly TxnOp[],
    texts: readonly string[],
  ): { revision: number; results: Array<RawRecord | undefined> } {
    const backend = this.backend;
    const revision = this.rev + 1;
    const outcome = backend.atomic(() => {
      const current = ops.map((op) => backend.read(op.key));
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i] as TxnOp;
        const actual = current[i]?.version ?? 0;
        if (op.expectedVersion !== undefined && op.expectedVersion !== actual) {
          throw new ConflictError(op.key, op.expectedVersion, actual);
        }
      }
      const changes: RawChange[] = [];
      const results: Array<RawRecord | undefined> = [];
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i] as TxnOp;
        const cur = current[i];
        if (op.op === 'put') {
          const record: RawRecord = {
            key: op.key,
            text: texts[i] as string,
            version: cur === undefined ? 1 : cur.version + 1,
            createRevision: cur === undefined ? revision : cur.createRevision,
            modRevision: revision,
          };
          changes.push({ revision, type: 'put', record });
          results.push(record);
        } else if (op.op === 'delete') {
          if (cur !== undefined) changes.push({ revision, type: 'delete', record: cur });
          results.push(cur);
        } else {
          results.push(cur);
        }
      }
      if (changes.length > 0) {
        backend.commit(revision, changes);
        if (revision % PRUNE_EVERY === 0 && revision > this.historyLimit)
          backend.prune(revision - this.historyLimit, false);
      }
      return { changes, results };
    });
    if (outcome.changes.length === 0) return { revision: this.rev, results: outcome.results };
    this.rev = revision;
    this.notify(outcome.changes);
    return { revision, results: outcome.results };
  }

  private notify(changes: readonly RawChange[]): void {
    if (this.subscribers.size === 0) return;
    for (const sub of this.subscribers) {
      for (const change of changes) {
        // Each subscriber gets its own parsed copy: consumers may mutate what they receive.
        if (change.record.key.startsWith(sub.prefix)) sub.queue.push(toEvent(change));
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }
}

function toRecord<T>(raw: RawRecord): StoredRecord<T> {
  return {
    key: raw.key,
    value: JSON.parse(raw.text) as T,
    version: raw.version,
    createRevision: raw.createRevision,
    modRevision: raw.modRevision,
  };
}

function toEvent<T>(change: RawChange): WatchEvent<T> {
  return { type: change.type, record: toRecord<T>(change.record), revision: change.revision };
}
