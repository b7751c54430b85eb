/**
 * etcd back end, for several control-plane replicas sharing one store. Records live at
 * `<prefix><key>`; versions and revisions are etcd's own (`version`, `create_revision`,
 * `mod_revision`, header revision), and every conditional write is one etcd txn whose
 * compare is `version(key) == expectedVersion` (0 = absent).
 */
import { ExponentialBackoff, type IBackoff } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import type { IKeyValue, IRequestOp, ICompare, KVClient, Watcher } from 'etcd3';
import {
  CompactedError,
  ConflictError,
  InvalidArgumentError,
  StoreClosedError,
  StoreError,
  StoreUnavailableError,
} from './errors.js';
import {
  assertKey,
  assertPrefix,
  assertRevision,
  assertVersion,
  bounded,
  decodeContinueToken,
  encodeContinueToken,
  normalizeLimit,
  serialize,
  validateTxnOps,
} from './internal.js';
import type {
  ListOptions,
  ListResult,
  ResourceStore,
  StoredRecord,
  TxnOp,
  TxnResult,
  WatchEvent,
  WatchOptions,
  WatchStream,
  WriteOptions,
} from './types.js';
import { DEFAULT_MAX_BUFFERED_EVENTS, WatchQueue } from './watch-queue.js';

export interface EtcdStoreOptions {
  /** e.g. `['http://127.0.0.1:2379']` */
  endpoints: string[];
  /** Key prefix isolating this store inside etcd. Default `amime/`. */
  prefix?: string;
  /** Per-request deadline, ms. Default 10,000. */
  requestTimeoutMs?: number;
}

export const DEFAULT_ETCD_PREFIX = 'amime/';
const CANCEL_TIMEOUT_MS = 2_000;

export function createEtcdStore(options: EtcdStoreOptions): ResourceStore {
  return new EtcdStore(options);
}

interface ActiveWatch {
  watcher: Watcher;
  queue: WatchQueue;
}

class EtcdStore implements ResourceStore {
  readonly kind = 'etcd' as const;
  private readonly client: Etcd3;
  private readonly kv: KVClient;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly watches = new Set<ActiveWatch>();
  private closed = false;

  constructor(options: EtcdStoreOptions) {
    if (!Array.isArray(options.endpoints) || options.endpoints.length === 0) {
      throw new InvalidArgumentError('etcd store needs at least one endpoint');
    }
    this.prefix = options.prefix ?? DEFAULT_ETCD_PREFIX;
    assertPrefix(this.prefix);
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.client = connectEtcd(options.endpoints);
    this.kv = this.client.kv;
  }

  async get<T = unknown>(key: string): Promise<StoredRecord<T> | undefined> {
    this.assertOpen();
    assertKey(key);
    const res = await this.call(() => this.kv.range({ key: this.k(key) }, this.opts()));
    const kv = res.kvs[0];
    return kv === undefined ? undefined : this.toRecord<T>(kv);
  }

  async list<T = unknown>(options: ListOptions = {}): Promise<ListResult<T>> {
    this.assertOpen();
    const prefix = options.prefix ?? '';
    assertPrefix(prefix);
    const limit = normalizeLimit(options.limit);
    const start =
      options.continueToken === undefined ? prefix : decodeContinueToken(options.continueToken, prefix);
    const res = await this.call(() =>
      this.kv.range(
        { key: this.k(start), range_end: bytesPrefixEnd(this.k(prefix)), limit: limit ?? 0 },
        this.opts(),
      ),
    );
    const items = res.kvs.map((kv) => this.toRecord<T>(kv));
    const result: ListResult<T> = { items, revision: Number(res.header.revision) };
    const last = items[items.length - 1];
    if (res.more && last !== undefined) result.nextToken = encodeContinueToken(prefix, last.key);
    return result;
  }

  async put<T = unknown>(key: string, value: T, options: WriteOptions = {}): Promise<StoredRecord<T>> {
    this.assertOpen();
    assertKey(key);
    const text = serialize(value);
    const k = this.k(key);
    const put = { key: k, value: Buffer.from(text, 'utf8'), prev_kv: true };
    if (options.expectedVersion === undefined) {
      const res = await this.call(() => this.kv.put(put, this.opts()));
      return this.written<T>(key, text, res.prev_kv, Number(res.header.revision));
    }
    assertVersion(options.expectedVersion);
    const res = await this.call(() =>
      this.kv.txn(
        {
          compare: [versionIs(k, options.expectedVersion as number)],
          success: [{ request_put: put }],
          failure: [{ request_range: { key: k } }],
        },
        this.opts(),
      ),
    );
    if (!res.succeeded)
      throw new ConflictError(
        key,
        options.expectedVersion,
        versionOf(res.responses[0]?.response_range.kvs[0]),
      );
    return this.written<T>(key, text, res.responses[0]?.response_put.prev_kv, Number(res.header.revision));
  }

  async delete<T = unknown>(key: string, options: WriteOptions = {}): Promise<StoredRecord<T> | undefined> {
    this.assertOpen();
    assertKey(key);
    const k = this.k(key);
    const del = { key: k, prev_kv: true };
    let prev: IKeyValue | undefined;
    if (options.expectedVersion === undefined) {
      const res = await this.call(() => this.kv.deleteRange(del, this.opts()));
      prev = res.prev_kvs[0];
    } else {
      assertVersion(options.expectedVersion);
      const res = await this.call(() =>
        this.kv.txn(
          {
            compare: [versionIs(k, options.expectedVersion as number)],
            success: [{ request_delete_range: del }],
            failure: [{ request_range: { key: k } }],
          },
          this.opts(),
        ),
      );
      if (!res.succeeded)
        throw new ConflictError(
          key,
          options.expectedVersion,
          versionOf(res.responses[0]?.response_range.kvs[0]),
        );
      prev = res.responses[0]?.response_delete_range.prev_kvs[0];
    }
    return prev ? this.toRecord<T>(prev) : undefined;
  }

  async txn(ops: readonly TxnOp[]): Promise<TxnResult> {
    this.assertOpen();
    const texts = validateTxnOps(ops);
    const compare: ICompare[] = [];
    const failure: IRequestOp[] = [];
    const checked: TxnOp[] = [];
    const success: IRequestOp[] = ops.map((op, i) => {
      const key = this.k(op.key);
      if (op.expectedVersion !== undefined) {
        compare.push(versionIs(key, op.expectedVersion));
        failure.push({ request_range: { key } });
        checked.push(op);
      }
      if (op.op === 'put')
        return { request_put: { key, value: Buffer.from(texts[i] as string, 'utf8'), prev_kv: true } };
      if (op.op === 'delete') return { request_delete_range: { key, prev_kv: true } };
      return { request_range: { key } };
    });
    const res = await this.call(() => this.kv.txn({ compare, success, failure }, this.opts()));
    if (!res.succeeded) {
      for (let i = 0; i < checked.length; i++) {
        const op = checked[i] as TxnOp;
        const actual = versionOf(res.responses[i]?.response_range.kvs[0]);
        if (actual !== op.expectedVersion)
          throw new ConflictError(op.key, op.expectedVersion as number, actual);
      }
      throw new StoreUnavailableError('etcd txn compare failed without a version mismatch', undefined);
    }
    const revision = Number(res.header.revision);
    const results = ops.map((op, i): StoredRecord | undefined => {
      const r = res.responses[i];
      if (op.op === 'put') return this.written(op.key, texts[i] as string, r?.response_put.prev_kv, revision);
      const kv = op.op === 'delete' ? r?.response_delete_range.prev_kvs[0] : r?.response_range.kvs[0];
      return kv ? this.toRecord(kv) : undefined;
    });
    return { revision, results };
  }

  async watch<T = unknown>(options: WatchOptions = {}): Promise<WatchStream<T>> {
    this.assertOpen();
    const prefix = options.prefix ?? '';
    assertPrefix(prefix);
    const max = options.maxBufferedEvents ?? DEFAULT_MAX_BUFFERED_EVENTS;
    if (!Number.isSafeInteger(max) || max < 1)
      throw new InvalidArgumentError('maxBufferedEvents must be a positive integer');
    const from = options.fromRevision ?? (await this.revision());
    assertRevision(from, 'fromRevision');
    // etcd reports a compacted start only after accepting the watch; ask first so the
    // common case rejects here instead of failing the stream later.
    if (await this.isCompacted(from + 1)) throw new CompactedError(from, undefined);

    const start = this.k(prefix);
    const watcher = this.client
      .watch()
      .inRange({ start, end: bytesPrefixEnd(start) })
      .withPreviousKV()
      .startRevision(String(from + 1))
      .watcher();
    const active: ActiveWatch = { watcher, queue: undefined as unknown as WatchQueue };
    const queue = new WatchQueue<T>(from, max, () => this.stopWatch(active));
    active.queue = queue as WatchQueue;
    this.watches.add(active);

    // The library resumes after a reconnect from the last *header* revision + 1, which
    // skips history not yet delivered while catching up. Resume from what was delivered.
    let delivered = from;
    const resumePoint = (): void => {
      watcher.request.start_revision = String(delivered + 1);
    };
    const deliver = (type: 'put' | 'delete', kv: IKeyValue, prev: IKeyValue | undefined): void => {
      if (queue.isDone) return;
      try {
        const revision = Number(kv.mod_revision);
        const record = type === 'put' ? this.toRecord<T>(kv) : this.deletedRecord<T>(kv, prev);
        const event: WatchEvent<T> = { type, record, revision };
        delivered = revision;
        queue.push(event);
      } catch (err) {
        queue.fail(err);
        this.stopWatch(active);
      }
    };
    watcher.on('put', (kv, prev) => deliver('put', kv, prev));
    watcher.on('delete', (kv, prev) => deliver('delete', kv, prev));
    watcher.on('data', resumePoint);
    watcher.on('connected', resumePoint);

    const connected = new Promise<void>((resolve, reject) => {
      watcher.once('connected', () => resolve());
      watcher.on('error', (err) => {
        // A failed watch is already detached by the library; just report why.
        this.watches.delete(active);
        void this.watchFailure(delivered, err).then((mapped) => {
          reject(mapped);
          queue.fail(mapped);
        });
      });
    });
    await connected;
    return queue;
  }

  async revision(): Promise<number> {
    this.assertOpen();
    const res = await this.call(() => this.kv.range({ key: this.k(''), count_only: true }, this.opts()));
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    assertRevision(revision, 'revision');
    const current = await this.revision();
    // etcd keeps revision R itself when compacting at R, so "resume from `revision`"
    // means compacting at revision + 1 (clamped: etcd refuses a future revision).
    const target = Math.min(revision + 1, current);
    if (target < 1) return;
    try {
      await this.kv.compact({ revision: target }, this.opts());
    } catch (err) {
      if (!isCompactedMessage(err)) throw wrap(err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const watches = [...this.watches];
    this.watches.clear();
    for (const w of watches) w.queue.end();
    await Promise.all(
      watches.map((w) =>
        bounded(w.watcher.cancel(), CANCEL_TIMEOUT_MS, 'cancelling a watch').catch(() => undefined),
      ),
    );
    this.client.close();
  }

  private stopWatch(active: ActiveWatch): void {
    if (!this.watches.delete(active)) return;
    active.watcher.cancel().catch(() => undefined);
  }

  private async watchFailure(delivered: number, err: unknown): Promise<StoreError> {
    // etcd cancels a watch whose next revision was compacted; other cancels carry a reason.
    try {
      if (!this.closed && (await this.isCompacted(delivered + 1)))
        return new CompactedError(delivered, undefined);
    } catch {
      // fall through to the original error
    }
    return wrap(err);
  }

  private async isCompacted(revision: number): Promise<boolean> {
    try {
      await this.kv.range({ key: this.k(''), count_only: true, revision }, this.opts());
      return false;
    } catch (err) {
      if (isCompactedMessage(err)) return true;
      if (String((err as Error).message).includes('future revision')) return false;
      throw wrap(err);
    }
  }

  private written<T>(
    key: string,
    text: string,
    prev: IKeyValue | null | undefined,
    revision: number,
  ): StoredRecord<T> {
    return {
      key,
      value: JSON.parse(text) as T,
      version: prev ? Number(prev.version) + 1 : 1,
      createRevision: prev ? Number(prev.create_revision) : revision,
      modRevision: revision,
    };
  }

  private toRecord<T>(kv: IKeyValue): StoredRecord<T> {
    const key = kv.key.toString('utf8').slice(this.prefix.length);
    let value: T;
    try {
      value = JSON.parse(kv.value.toString('utf8')) as T;
    } catch (err) {
      throw new StoreUnavailableError(`etcd value under ${key} is not JSON`, err);
    }
    return {
      key,
      value,
      version: Number(kv.version),
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
    };
  }

  /** etcd sends the previous record with a delete; it can be missing only if compaction raced the watch. */
  private deletedRecord<T>(kv: IKeyValue, prev: IKeyValue | undefined): StoredRecord<T> {
    if (prev) return this.toRecord<T>(prev);
    return {
      key: kv.key.toString('utf8').slice(this.prefix.length),
      value: null as T,
      version: 0,
      createRevision: 0,
      modRevision: 0,
    };
  }

  private k(key: string): Buffer {
    return Buffer.from(this.prefix + key, 'utf8');
  }

  private opts(): { deadline: number } {
    return { deadline: Date.now() + this.timeoutMs };
  }

  private async call<R>(fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (err) {
      throw wrap(err);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }
}

/** An etcd client for Amime's connections to a cluster (the store's, the election's). */
export function connectEtcd(endpoints: string[]): Etcd3 {
  return new Etcd3({
    hosts: endpoints,
    dialTimeout: 3_000,
    grpcOptions: {
      // A member that stops answering without closing its connections (hung, cut off)
      // is noticed on the open watch too, not only by request deadlines: the connection
      // is dropped and the client moves to another member. etcd refuses pings more often
      // than its --grpc-keepalive-min-time (5 s).
      'grpc.keepalive_time_ms': 5_000,
      'grpc.keepalive_timeout_ms': 2_000,
    },
    // The library's default waits up to 30 s between attempts to watch again; a replica
    // waiting that long after its member came back would be stale for nothing.
    // etcd3 types this as a backoff but, as with its own default (an ExponentialBackoff),
    // only calls next() on it.
    faultHandling: {
      watchBackoff: new ExponentialBackoff({
        initialDelay: 100,
        maxDelay: 2_000,
      }) as unknown as IBackoff<unknown>,
    },
  });
}

function versionIs(key: Buffer, version: number): ICompare {
  return { key, target: 'Version', result: 'Equal', version };
}

function versionOf(kv: IKeyValue | undefined): number {
  return kv ? Number(kv.version) : 0;
}

/** Smallest byte string above every key starting with `prefix`; `\0` means "no upper bound" to etcd. */
function bytesPrefixEnd(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if ((prefix[i] as number) < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i] = (end[i] as number) + 1;
      return end;
    }
  }
  return Buffer.from([0]);
}

function isCompactedMessage(err: unknown): boolean {
  return String((err as Error | undefined)?.message).includes('required revision has been compacted');
}

function wrap(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  return new StoreUnavailableError(`etcd: ${(err as Error | undefined)?.message ?? String(err)}`, err);
}
