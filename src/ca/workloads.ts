/**
 * The certificates of the proxy groups, kept current: issued when a group first needs
 * one, again at `renewAt` of its lifetime, when its identity changes and when another
 * root starts signing. Keys live only in this process's memory — never in the store:
 * a certificate is cheap to issue again after a restart (each replica issues its own),
 * while stored keys would be one more copy to protect. Certificates issued before a
 * restart keep verifying because the roots that signed them are kept.
 *
 * Issuance runs a few at a time and yields to the event loop between batches, so
 * xDS responses are never queued behind it.
 */
import type { CertificateAuthority } from './authority.js';
import { issueWorkloadCertificate, type IssuedCertificate, type WorkloadIdentity } from './issue.js';

export const DEFAULT_LIFETIME_MS = 24 * 3_600_000;
export const DEFAULT_RENEW_AT = 0.5;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 60_000;
/** setTimeout's limit (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface CertificateChange {
  /** Groups whose certificate was (re)issued. */
  readonly groups: readonly string[];
  /** The trust bundle changed: every group's trust secret must be served again. */
  readonly bundleChanged: boolean;
}

export interface WorkloadCertificatesOptions {
  lifetimeMs?: number;
  /** Fraction of the lifetime after which a certificate is renewed; 0.5 = at half-life. */
  renewAt?: number;
  /** Certificates issued at once (key generation and signing run on libuv's thread pool). Default 4. */
  concurrency?: number;
  now?: () => number;
  onChange: (change: CertificateChange) => void;
  onFailure?: (group: string, error: Error) => void;
}

export interface WorkloadCertificateStats {
  /** Certificates issued since start. */
  issued: number;
  /** Issuances that failed since start (each is retried with backoff; the previous certificate stays served). */
  failures: number;
  /** Groups holding a certificate now. */
  current: number;
  /** The soonest `notAfter` among current certificates. */
  earliestExpiry?: Date;
}

interface Held {
  cert: IssuedCertificate;
  identityKey: string;
  renewAt: number;
}

const keyOf = (id: WorkloadIdentity): string => `${id.spiffeId}\n${id.dnsNames.join('\n')}`;

export class WorkloadCertificates {
  private readonly lifetimeMs: number;
  private readonly renewAt: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  private wanted = new Map<string, WorkloadIdentity>();
  private readonly held = new Map<string, Held>();
  private readonly retry = new Map<string, { at: number; delayMs: number }>();
  private stalled: { at: number; delayMs: number } | undefined;
  private bundle: string;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private closed = false;
  private issued = 0;
  private failures = 0;

  constructor(
    private authority: CertificateAuthority,
    private readonly options: WorkloadCertificatesOptions,
  ) {
    this.lifetimeMs = options.lifetimeMs ?? DEFAULT_LIFETIME_MS;
    this.renewAt = options.renewAt ?? DEFAULT_RENEW_AT;
    if (!(this.renewAt > 0 && this.renewAt < 1)) throw new RangeError('renewAt must be between 0 and 1');
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.now = options.now ?? Date.now;
    this.bundle = authority.trustBundle(this.now());
  }

  /** The PEM roots every proxy trusts now. */
  trustBundle(): string {
    return this.bundle;
  }

  certificate(group: string): IssuedCertificate | undefined {
    return this.held.get(group)?.cert;
  }

  stats(): WorkloadCertificateStats {
    let earliest: number | undefined;
    for (const h of this.held.values()) {
      const t = h.cert.notAfter.getTime();
      if (earliest === undefined || t < earliest) earliest = t;
    }
    return {
      issued: this.issued,
      failures: this.failures,
      current: this.held.size,
      ...(earliest !== undefined ? { earliestExpiry: new Date(earliest) } : {}),
    };
  }

  /** The groups that need a certificate now, and who each is. Others are forgotten. */
  want(wanted: ReadonlyMap<string, WorkloadIdentity>): void {
    this.wanted = new Map(wanted);
    for (const g of [...this.held.keys()]) if (!this.wanted.has(g)) this.held.delete(g);
    for (const g of [...this.retry.keys()]) if (!this.wanted.has(g)) this.retry.delete(g);
    this.kick();
  }

  /** A new or reloaded authority (rotation, another replica's write, an operator's new files). */
  setAuthority(authority: CertificateAuthority): void {
    this.authority = authority;
    this.kick();
  }

  /** Resolves once nothing is due (tests, benchmarks). */
  async settled(): Promise<void> {
    while (this.running || (!this.stalled && this.due(this.now()).length > 0)) {
      this.kick();
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.run().finally(() => {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.kick();
      } else this.schedule();
    });
  }

  private due(now: number): string[] {
    const signer = this.authority.signer(now).fingerprint;
    const out: string[] = [];
    for (const [group, identity] of this.wanted) {
      const r = this.retry.get(group);
      if (r && r.at > now) continue;
      const h = this.held.get(group);
      if (!h || h.renewAt <= now || h.cert.issuer !== signer || h.identityKey !== keyOf(identity))
        out.push(group);
    }
    return out;
  }

  private async run(): Promise<void> {
    if (this.stalled && this.stalled.at > this.now()) return;
    try {
      await this.runOnce();
      this.stalled = undefined;
    } catch (err) {
      // The authority itself failed (not one issuance): everything waits and is retried.
      this.failures++;
      const delayMs = Math.min(RETRY_MAX_MS, (this.stalled?.delayMs ?? RETRY_MIN_MS / 2) * 2);
      this.stalled = { at: this.now() + delayMs, delayMs };
      this.options.onFailure?.('*', err as Error);
    }
  }

  private async runOnce(): Promise<void> {
    const bundle = this.authority.trustBundle(this.now());
    if (bundle !== this.bundle) {
      this.bundle = bundle;
      this.options.onChange({ groups: [], bundleChanged: true });
    }
    const queue = this.due(this.now());
    while (queue.length > 0 && !this.closed) {
      const batch = queue.splice(0, this.concurrency);
      const done = (await Promise.all(batch.map((g) => this.issue(g)))).filter((g): g is string => !!g);
      if (done.length > 0) this.options.onChange({ groups: done, bundleChanged: false });
      // Let xDS requests and responses through between batches.
      await new Promise((r) => setImmediate(r));
    }
  }

  private async issue(group: string): Promise<string | undefined> {
    const identity = this.wanted.get(group);
    if (!identity) return undefined;
    const now = this.now();
    try {
      const cert = await issueWorkloadCertificate(this.authority.signer(now), identity, {
        now: new Date(now),
        lifetimeMs: this.lifetimeMs,
      });
      // The group may have gone, or changed identity, while the key was being made.
      const current = this.wanted.get(group);
      if (!current || keyOf(current) !== keyOf(identity)) return undefined;
      const span = cert.notAfter.getTime() - now;
      this.held.set(group, { cert, identityKey: keyOf(identity), renewAt: now + span * this.renewAt });
      this.retry.delete(group);
      this.issued++;
      return group;
    } catch (err) {
      this.failures++;
      const prev = this.retry.get(group)?.delayMs ?? RETRY_MIN_MS / 2;
      const delayMs = Math.min(RETRY_MAX_MS, prev * 2);
      this.retry.set(group, { at: now + delayMs, delayMs });
      this.options.onFailure?.(group, err as Error);
      return undefined;
    }
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.now();
    let next = this.authority.nextTransition(now);
    const earlier = (t: number) => {
      if (next === undefined || t < next) next = t;
    };
    for (const h of this.held.values()) earlier(h.renewAt);
    for (const r of this.retry.values()) earlier(r.at);
    if (this.stalled) earlier(this.stalled.at);
    // Also what became due since run() looked: a timer may fire a millisecond before the
    // instant it was set for, and the clock may pass that instant before we get here.
    if (!this.stalled && this.due(now).length > 0) earlier(now);
    if (next === undefined) return;
    this.timer = setTimeout(() => this.kick(), Math.min(MAX_TIMER_MS, Math.max(0, next - now)));
    this.timer.unref();
  }
}
