/**
 * The storage contract every back end (memory, SQLite, etcd) implements. The store
 * keeps JSON documents under string keys with per-key versions and a global revision;
 * it never interprets the documents (semantic validation lives in `mesh/`).
 */
export { resourceKey, resourceKeyPrefix, parseResourceKey, NO_NAMESPACE } from './keys.js';
export type { ResourceKeyParts } from './keys.js';
export {
  StoreError,
  ConflictError,
  CompactedError,
  InvalidArgumentError,
  StoreClosedError,
  WatchOverflowError,
  StoreUnavailableError,
} from './errors.js';
export type { StoreErrorCode } from './errors.js';

/** Anything `JSON.stringify` turns into a document. Stored values come back as parsed copies. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** `kubernetes`: the cluster's API objects, mirrored (src/k8s/kubernetes-store.ts). */
export type StoreKind = 'memory' | 'sqlite' | 'etcd' | 'kubernetes';

export interface StoredRecord<T = unknown> {
  key: string;
  value: T;
  /** Per key: 1 on create, +1 per update; a delete followed by a create starts again at 1. */
  version: number;
  /** Store revision of the write that created the key. */
  createRevision: number;
  /** Store revision of the last write to the key. */
  modRevision: number;
}

export interface ListOptions {
  /** Only keys starting with this string ('' or absent: all keys). */
  prefix?: string;
  /** Page size (positive integer); absent: everything in one page. */
  limit?: number;
  /** `nextToken` of the previous page; only valid with the same prefix. */
  continueToken?: string;
}

/**
 * One page, ordered by key (Unicode code point order, which is UTF-8 byte order).
 * Each page is a consistent snapshot at `revision`; pages are not pinned to the first
 * page's revision, so to build a cache: list every page, then watch from the FIRST
 * page's revision and treat events as upserts/deletes by key (they are idempotent
 * against a newer record: compare `modRevision`).
 */
export interface ListResult<T = unknown> {
  items: StoredRecord<T>[];
  /** Present when more items follow. */
  nextToken?: string;
  revision: number;
}

export interface WriteOptions {
  /** Current version the key must have; 0 = the key must not exist. Absent: unconditional. */
  expectedVersion?: number;
}

export interface TxnPut {
  op: 'put';
  key: string;
  value: unknown;
  expectedVersion?: number;
}

export interface TxnDelete {
  op: 'delete';
  key: string;
  expectedVersion?: number;
}

/** A guard only: the key must have this version (0 = absent); nothing is written. */
export interface TxnCheck {
  op: 'check';
  key: string;
  expectedVersion: number;
}

export type TxnOp = TxnPut | TxnDelete | TxnCheck;

export interface TxnResult {
  /** Revision of the transaction's writes (all share it); the current revision if nothing changed. */
  revision: number;
  /**
   * Per op, in order: put → the new record; delete → the deleted record or undefined if
   * the key did not exist; check → the current record or undefined.
   */
  results: Array<StoredRecord | undefined>;
}

export type WatchEventType = 'put' | 'delete';

export interface WatchEvent<T = unknown> {
  type: WatchEventType;
  /** put: the record as written. delete: the record as it was just before the delete. */
  record: StoredRecord<T>;
  /** Revision of the change (for a put, equals `record.modRevision`). */
  revision: number;
}

export interface WatchOptions {
  prefix?: string;
  /**
   * Deliver every change with revision > fromRevision (replayed from the change log,
   * then live). Absent: only changes after the current revision. Rejects with
   * `CompactedError` when that history is gone.
   */
  fromRevision?: number;
  /** Events buffered for a slow consumer before the stream fails with `WatchOverflowError`. Default 100,000. */
  maxBufferedEvents?: number;
}

/**
 * A single-consumer stream of events, in revision order (ops of one txn in op order).
 * Iteration ends after `close()` or store close; it throws on back-end failure.
 * Breaking out of `for await` closes the watch.
 */
export interface WatchStream<T = unknown> extends AsyncIterable<WatchEvent<T>> {
  /** Events delivered are exactly those with revision > startRevision. */
  readonly startRevision: number;
  close(): void;
}

export interface ResourceStore {
  readonly kind: StoreKind;
  get<T = unknown>(key: string): Promise<StoredRecord<T> | undefined>;
  list<T = unknown>(options?: ListOptions): Promise<ListResult<T>>;
  /** Throws `ConflictError` when `expectedVersion` does not match. */
  put<T = unknown>(key: string, value: T, options?: WriteOptions): Promise<StoredRecord<T>>;
  /** Returns the deleted record, or undefined when the key did not exist. Throws `ConflictError`. */
  delete<T = unknown>(key: string, options?: WriteOptions): Promise<StoredRecord<T> | undefined>;
  /**
   * All ops apply atomically under one revision, or none do: the first failing version
   * check throws `ConflictError`. A key may appear only once per transaction.
   */
  txn(ops: readonly TxnOp[]): Promise<TxnResult>;
  /** Resolves once the watch is registered: no change after `startRevision` is missed. */
  watch<T = unknown>(options?: WatchOptions): Promise<WatchStream<T>>;
  /** Current store revision (0 for an empty memory/SQLite store). */
  revision(): Promise<number>;
  /**
   * Discard change history so that watches can resume only from `revision` or later.
   * Memory/SQLite also compact automatically by count (`historyLimit`); etcd compaction
   * is cluster-wide and is clamped to the current revision.
   */
  compact(revision: number): Promise<void>;
  /** Ends all watch streams and releases the back end. Idempotent. */
  close(): Promise<void>;
}
