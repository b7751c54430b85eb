/**
 * Leader election on etcd, for the work one replica at a time must do (sweeping expired
 * clientTokens; more can join). A replica leads while it holds the leader key
 * `Leader/_/<name>` (under the store's prefix), written only if absent and attached to
 * a lease the replica keeps alive; when the replica dies or is cut off, the lease
 * expires within its TTL, etcd deletes the key, and another replica takes it.
 *
 * Fencing is explicit: believing one leads is not enough to write as leader. A replica
 * paused for longer than the TTL (GC, SIGSTOP, a partition) wakes up still thinking it
 * leads; so every write made as leader is one etcd transaction that also compares the
 * leader key's lease with the writer's own. Once the lease is gone, the key is absent or
 * another's, and the write is refused by etcd itself.
 */
import { randomUUID } from 'node:crypto';
import type { Etcd3, Lease } from 'etcd3';
import { DEFAULT_ETCD_PREFIX, connectEtcd } from './etcd-store.js';
import { bounded } from './internal.js';
import { resourceKey } from './keys.js';

export interface EtcdElectionOptions {
  endpoints: string[];
  /** The store's key prefix. Default `amime/`. */
  prefix?: string;
  /** What is being led, one election per name. */
  name: string;
  /** Lease TTL: how long a dead leader keeps the role. Default 10 s. */
  ttlSeconds?: number;
  /** Told when this replica starts or stops leading (for logs). */
  onChange?: (leading: boolean) => void;
}

export class EtcdElection {
  readonly holder = randomUUID();
  private readonly client: Etcd3;
  private readonly prefix: string;
  private readonly leaderKey: Buffer;
  private lease: Lease | undefined;
  private leaseId: string | undefined;
  private closed = false;
  private wake: (() => void) | undefined;

  private constructor(private readonly options: EtcdElectionOptions) {
    this.prefix = options.prefix ?? DEFAULT_ETCD_PREFIX;
    this.leaderKey = Buffer.from(this.prefix + resourceKey('Leader', undefined, options.name), 'utf8');
    this.client = connectEtcd(options.endpoints);
  }

  /** Starts campaigning in the background. */
  static start(options: EtcdElectionOptions): EtcdElection {
    const election = new EtcdElection(options);
    void election.campaign();
    return election;
  }

  /** Whether this replica believes it leads. Writes as leader go through `fenced*`, which etcd checks. */
  get leading(): boolean {
    return this.leaseId !== undefined;
  }

  /** The lease this replica leads with (tests revoke it behind its back). */
  get fence(): string | undefined {
    return this.leaseId;
  }

  /**
   * Deletes the store record `key` if it still has `version` and this replica still
   * holds the leader key with its lease, both checked by etcd in one transaction.
   * Resolves false (nothing deleted) when either does not hold.
   */
  async fencedDelete(key: string, version: number): Promise<boolean> {
    const lease = this.leaseId;
    if (lease === undefined) return false;
    const k = Buffer.from(this.prefix + key, 'utf8');
    const res = await this.client.kv.txn({
      compare: [
        { key: this.leaderKey, target: 'Lease', result: 'Equal', lease },
        { key: k, target: 'Version', result: 'Equal', version },
      ],
      success: [{ request_delete_range: { key: k } }],
      failure: [],
    });
    return res.succeeded;
  }

  /** Gives the role up at once (the lease is revoked) and stops campaigning. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    const lease = this.lease;
    this.setLeading(undefined, undefined);
    // A cut-off etcd must not hold the shutdown: the lease then simply expires.
    if (lease) await bounded(lease.revoke(), 2_000, 'revoking the leader lease').catch(() => undefined);
    this.client.close();
  }

  private async campaign(): Promise<void> {
    let backoffMs = 200;
    while (!this.closed) {
      try {
        const lease = this.client.lease(this.options.ttlSeconds ?? 10);
        const id = await lease.grant();
        const lost = new Promise<void>((resolve) => lease.once('lost', () => resolve()));
        lost.catch(() => undefined);
        const res = await this.client.kv.txn({
          compare: [{ key: this.leaderKey, target: 'Create', result: 'Equal', create_revision: 0 }],
          success: [
            {
              request_put: {
                key: this.leaderKey,
                value: Buffer.from(JSON.stringify({ holder: this.holder }), 'utf8'),
                lease: id,
              },
            },
          ],
          failure: [],
        });
        if (res.succeeded && !this.closed) {
          this.setLeading(lease, id);
          await Promise.race([lost, this.sleep(Number.MAX_SAFE_INTEGER)]);
          if (this.lease === lease) this.setLeading(undefined, undefined);
        } else await lease.revoke().catch(() => undefined);
        backoffMs = 200;
        // Someone else leads (or we just lost): look again a little later.
        await this.sleep(Math.min(1000, (this.options.ttlSeconds ?? 10) * 100));
      } catch {
        this.setLeading(undefined, undefined);
        await this.sleep(backoffMs);
        backoffMs = Math.min(5000, backoffMs * 2);
      }
    }
  }

  private setLeading(lease: Lease | undefined, id: string | undefined): void {
    const was = this.leading;
    this.lease = lease;
    this.leaseId = id;
    if (was !== this.leading) this.options.onChange?.(this.leading);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.min(ms, 2 ** 31 - 1));
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
