/**
 * Leader election over a `coordination.k8s.io/v1` Lease, as client-go does it: the
 * holder renews `renewTime`; others take over once they have seen the same record
 * unchanged for `leaseDurationSeconds` of their own clock (so clock skew between
 * replicas does not matter); writes use resourceVersion preconditions, so two
 * candidates can never both win. Only the leader writes status and finalizers.
 */
import { leasePath } from './api-paths.js';
import type { Lease } from './objects.js';
import { isKubeError, type KubeClient } from './rest-client.js';

export interface LeaderElectionOptions {
  namespace: string;
  /** Lease name; default `amime-leader`. */
  name?: string;
  /** This replica's identity (pod name). */
  identity: string;
  /** Default 15. */
  leaseDurationSeconds?: number;
  /** How often the leader renews; default 2000 ms. */
  renewIntervalMs?: number;
  /** How often a follower retries; default 2000 ms. */
  retryIntervalMs?: number;
  /** A leader that could not renew for this long steps down; default 2/3 of the lease duration. */
  renewDeadlineMs?: number;
  onError?: (error: unknown) => void;
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private readonly name: string;
  private readonly durationMs: number;
  private leader = false;
  private lastRenew = 0;
  private observed?: { record: string; at: number };
  private timer?: NodeJS.Timeout;
  private running = false;
  private tick?: Promise<void>;
  private readonly listeners = new Set<(leader: boolean) => void>();

  constructor(
    private readonly client: KubeClient,
    private readonly options: LeaderElectionOptions,
  ) {
    this.name = options.name ?? 'amime-leader';
    this.durationMs = (options.leaseDurationSeconds ?? 15) * 1000;
  }

  get identity(): string {
    return this.options.identity;
  }

  isLeader(): boolean {
    return this.leader;
  }

  onChange(listener: (leader: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops campaigning; a leader releases the Lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.tick;
    if (this.leader) {
      try {
        const lease = await this.client.get<Lease>(leasePath(this.options.namespace, this.name));
        if (lease.spec?.holderIdentity === this.options.identity) {
          await this.client.replace(leasePath(this.options.namespace, this.name), {
            ...lease,
            spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 },
          });
        }
      } catch (e) {
        this.options.onError?.(e);
      }
      this.setLeader(false);
    }
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.tick = this.attempt().finally(() =>
        this.schedule(
          this.leader ? (this.options.renewIntervalMs ?? 2000) : (this.options.retryIntervalMs ?? 2000),
        ),
      );
    }, ms);
  }

  private setLeader(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    for (const l of [...this.listeners]) l(leader);
  }

  private async attempt(): Promise<void> {
    const now = Date.now();
    try {
      const won = await this.tryAcquireOrRenew(now);
      if (won) this.lastRenew = now;
      this.setLeader(won);
    } catch (e) {
      this.options.onError?.(e);
      if (
        this.leader &&
        Date.now() - this.lastRenew > (this.options.renewDeadlineMs ?? (this.durationMs * 2) / 3)
      )
        this.setLeader(false);
    }
  }

  private async tryAcquireOrRenew(now: number): Promise<boolean> {
    const path = leasePath(this.options.namespace, this.name);
    const me = this.options.identity;
    const spec = (transitions: number, acquire: string) => ({
      holderIdentity: me,
      leaseDurationSeconds: this.durationMs / 1000,
      acquireTime: acquire,
      renewTime: microTime(now),
      leaseTransitions: transitions,
    });
    let lease: Lease;
    try {
      lease = await this.client.get<Lease>(path);
    } catch (e) {
      if (!isKubeError(e, 404)) throw e;
      try {
        await this.client.create(leasePath(this.options.namespace), {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.name, namespace: this.options.namespace },
          spec: spec(0, microTime(now)),
        });
        return true;
      } catch (err) {
        if (isKubeError(err, 409)) return false;
        throw err;
      }
    }
    const s = lease.spec ?? {};
    const record = `${s.holderIdentity ?? ''}|${s.renewTime ?? ''}`;
    if (!this.observed || this.observed.record !== record) this.observed = { record, at: now };
    const held = s.holderIdentity && s.holderIdentity !== me;
    const expired = this.observed.at + (s.leaseDurationSeconds ?? this.durationMs / 1000) * 1000 <= now;
    if (held && !expired) return false;
    const mine = s.holderIdentity === me;
    try {
      await this.client.replace(path, {
        ...lease,
        spec: {
          ...s,
          ...spec(
            mine ? (s.leaseTransitions ?? 0) : (s.leaseTransitions ?? 0) + 1,
            mine && s.acquireTime ? s.acquireTime : microTime(now),
          ),
        },
      });
      return true;
    } catch (e) {
      if (isKubeError(e, 409)) return false;
      throw e;
    }
  }
}
