/**
 * A set of records one replica owns in etcd for as long as it lives: every key is
 * attached to one lease the replica keeps alive, so when the replica dies (SIGKILL, a
 * partition) etcd deletes its keys within the TTL, and nobody has to clean up after it.
 * Used for what each replica reports about itself (its connected proxies,
 * src/console/status-publisher.ts).
 *
 * `set(entries)` states what the keys should be; a background loop writes only the
 * keys whose JSON changed and deletes the ones left out, one request each (a value may
 * be close to the request limit, so several are never packed in one request). When
 * the lease is lost (etcd unreachable for longer than the TTL), etcd has deleted the
 * keys, so everything is written again under a new lease.
 */
import type { Etcd3, Lease } from 'etcd3';
import { DEFAULT_ETCD_PREFIX, connectEtcd } from './etcd-store.js';
import { InvalidArgumentError } from './errors.js';
import { assertKey, bounded, MAX_VALUE_BYTES, overValueLimit } from './internal.js';

export interface EtcdLeasedKeysOptions {
  endpoints: string[];
  /** The store's key prefix. Default `amime/`. */
  prefix?: string;
  /** How long the keys outlive a dead replica. Default 10 s. */
  ttlSeconds?: number;
  /** Told about each failed attempt (it is retried with backoff). */
  onError?: (err: unknown) => void;
}

export class EtcdLeasedKeys {
  private readonly client: Etcd3;
  private readonly prefix: string;
  private lease: Lease | undefined;
  private leaseId: string | undefined;
  /** Key → JSON text written under the current lease. */
  private readonly written = new Map<string, string>();
  private desired = new Map<string, string>();
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private backoffMs = 200;
  /** Requests that wrote or deleted a key, since start (for metrics and tests). */
  writes = 0;

  constructor(private readonly options: EtcdLeasedKeysOptions) {
    this.prefix = options.prefix ?? DEFAULT_ETCD_PREFIX;
    this.client = connectEtcd(options.endpoints);
  }

  /**
   * What the keys should hold from now on (store keys, without the prefix → JSON text,
   * which the caller already has); the rest are deleted.
   */
  set(entries: ReadonlyMap<string, string>): void {
    const desired = new Map<string, string>();
    for (const [key, text] of entries) {
      assertKey(key);
      // The store's own limit, so a record that fits here fits in every back end.
      if (overValueLimit(text))
        throw new InvalidArgumentError(`${key}: value is larger than ${MAX_VALUE_BYTES} bytes of JSON`);
      desired.set(key, text);
    }
    this.desired = desired;
    this.kick();
  }

  /** Resolves once what was last `set` is in etcd (tests). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Deletes the keys at once (the lease is revoked) and stops. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retry);
    await this.running?.catch(() => undefined);
    const lease = this.lease;
    this.lease = undefined;
    // A cut-off etcd must not hold the shutdown: the lease then simply expires.
    if (lease) await bounded(lease.revoke(), 2_000, 'revoking the status lease').catch(() => undefined);
    this.client.close();
  }

  private kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.sync().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async sync(): Promise<void> {
    try {
      const lease = await this.currentLease();
      for (const [key, text] of this.desired) {
        if (this.written.get(key) === text) continue;
        await this.client.kv.put(
          { key: this.k(key), value: Buffer.from(text, 'utf8'), lease },
          this.deadline(),
        );
        this.written.set(key, text);
        this.writes++;
      }
      for (const key of [...this.written.keys()]) {
        if (this.desired.has(key)) continue;
        await this.client.kv.deleteRange({ key: this.k(key) }, this.deadline());
        this.written.delete(key);
        this.writes++;
      }
      this.backoffMs = 200;
    } catch (err) {
      if (this.closed) return;
      // "requested lease not found": it expired; the next attempt grants a new one.
      if (/lease not found/i.test(String((err as Error).message))) this.dropLease();
      this.options.onError?.(err);
      clearTimeout(this.retry);
      this.retry = setTimeout(() => this.kick(), this.backoffMs);
      this.retry.unref();
      this.backoffMs = Math.min(5_000, this.backoffMs * 2);
    }
  }

  private async currentLease(): Promise<string> {
    if (this.leaseId !== undefined) return this.leaseId;
    const lease = this.client.lease(this.options.ttlSeconds ?? 10);
    lease.on('lost', () => {
      if (this.lease !== lease) return;
      this.dropLease();
      // etcd deleted the keys with the lease: write them all again.
      this.kick();
    });
    try {
      const id = await lease.grant();
      this.lease = lease;
      this.leaseId = id;
      this.written.clear();
      return id;
    } catch (err) {
      lease.release();
      throw err;
    }
  }

  private dropLease(): void {
    this.lease?.release();
    this.lease = undefined;
    this.leaseId = undefined;
    this.written.clear();
  }

  private deadline(): { deadline: number } {
    return { deadline: Date.now() + 10_000 };
  }

  private k(key: string): Buffer {
    return Buffer.from(this.prefix + key, 'utf8');
  }
}
