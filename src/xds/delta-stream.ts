/**
 * Incremental (delta) ADS for one stream.
 *
 * The stream keeps, per type, what the client holds (name → version) and sends
 * only differences. Order follows Consul's make-before-break sequence: cluster
 * and endpoint upserts, listeners, routes, secrets, and only then cluster and
 * endpoint removals, each step waiting while an earlier one is un-ACKed. A NACK
 * leaves the client's state as it was and marks the rejected versions so they are
 * not re-sent until they change.
 */
import type { DeltaDiscoveryRequestMsg } from './codec.js';
import { encodeDeltaResponse } from './frames.js';
import type { NackStatus, ResourceStatus, TypeStatus } from './client-status.js';
import { EMPTY_VERSION } from './hash.js';
import { countInFlight, type NonceSource, type ProtocolHost, type XdsProtocolState } from './protocol.js';
import type { CachedResource, Snapshot } from './snapshot-cache.js';
import { PUSH_ORDER, TYPE_URL, isServedType, pushRank } from './type-urls.js';

/** Marker in `rejected` for a removal the client refused. */
const REMOVAL = '\u0000removed';

interface InFlight {
  readonly nonce: string;
  /** name → version sent, or null for a removal. */
  readonly changes: ReadonlyMap<string, string | null>;
  readonly systemVersion: string;
  readonly sentAt: number;
  readonly changedAt: number;
}

class DeltaType {
  wildcard = false;
  readonly names = new Set<string>();
  /** What the client holds: version, or null after being told the resource does not exist. */
  readonly known = new Map<string, string | null>();
  /** Explicitly subscribed names the client holds nothing about yet (an index, so flushes need not scan `names`). */
  readonly unresolved = new Set<string>();
  readonly rejected = new Map<string, string>();
  inFlight: InFlight | null = null;
  ackedSystemVersion: string | null = null;
  lastSent: { version: string; nonce: string; at: number } | null = null;
  lastNack: NackStatus | null = null;

  constructor(readonly typeUrl: string) {}

  subscribed(name: string): boolean {
    return this.wildcard || this.names.has(name);
  }

  subscribe(name: string): void {
    this.names.add(name);
    if (!this.known.has(name)) this.unresolved.add(name);
  }

  unsubscribe(name: string): void {
    this.names.delete(name);
    this.unresolved.delete(name);
    if (!this.wildcard) this.forget(name);
  }

  /** The client holds `version` of `name` (null: it knows the resource does not exist). */
  holds(name: string, version: string | null): void {
    this.known.set(name, version);
    this.unresolved.delete(name);
    this.rejected.delete(name);
  }

  /** Names the client dropped are forgotten on both sides. */
  forget(name: string): void {
    this.known.delete(name);
    this.rejected.delete(name);
    if (this.names.has(name)) this.unresolved.add(name);
  }

  /** Drops what the client holds outside its named subscription (after it left the wildcard). */
  forgetUnsubscribed(): void {
    for (const n of [...this.known.keys()]) if (!this.names.has(n)) this.known.delete(n);
    for (const n of [...this.rejected.keys()]) if (!this.names.has(n)) this.rejected.delete(n);
  }
}

/** Removals of these types wait until listeners and routes no longer use them. */
const REMOVALS_LAST = new Set<string>([TYPE_URL.Cluster, TYPE_URL.ClusterLoadAssignment]);

interface Step {
  readonly t: DeltaType;
  readonly upserts: boolean;
  readonly removals: boolean;
}

export class DeltaStream implements XdsProtocolState<DeltaDiscoveryRequestMsg> {
  /** In push order; replaced, not spliced, when a type is added (splice grows it to 17 slots per stream). */
  private types: readonly DeltaType[] = [];

  constructor(
    private readonly host: ProtocolHost,
    private readonly nonces: NonceSource,
    /** Names the stream may subscribe to, all types together. */
    private readonly maxNames: number,
  ) {}

  /** Names subscribed, all types together. */
  private nameCount = 0;

  onRequest(req: DeltaDiscoveryRequestMsg): void {
    if (req.typeUrl === '') return;
    if (!isServedType(req.typeUrl)) {
      this.answerUnserved(req);
      return;
    }
    let t = this.types.find((x) => x.typeUrl === req.typeUrl);
    if (!t) {
      const rank = pushRank(req.typeUrl);
      // The table's string, not the request's equal copy.
      t = new DeltaType(PUSH_ORDER[rank]!);
      const at = this.types.findIndex((x) => pushRank(x.typeUrl) > rank);
      this.types = this.types.toSpliced(at === -1 ? this.types.length : at, 0, t);
      // Legacy wildcard: a first request that names nothing wants everything.
      if (req.subscribe.length === 0 && req.unsubscribe.length === 0) t.wildcard = true;
      if (!this.applySubscriptions(t, req)) return;
      for (const [name, version] of req.initialResourceVersions)
        if (t.subscribed(name)) t.holds(name, version);
    } else if (!this.applySubscriptions(t, req)) return;

    if (req.responseNonce !== '' && t.inFlight && req.responseNonce === t.inFlight.nonce) {
      const sent = t.inFlight;
      t.inFlight = null;
      if (req.errorDetail) {
        for (const [name, version] of sent.changes) t.rejected.set(name, version ?? REMOVAL);
        t.lastNack = {
          version: sent.systemVersion,
          message: req.errorDetail.message,
          code: req.errorDetail.code,
          at: new Date(this.host.now()).toISOString(),
        };
        this.host.nacked({
          typeUrl: t.typeUrl,
          version: sent.systemVersion,
          message: req.errorDetail.message,
          code: req.errorDetail.code,
        });
      } else {
        for (const [name, version] of sent.changes) if (t.subscribed(name)) t.holds(name, version);
        t.ackedSystemVersion = sent.systemVersion;
        this.host.acked({
          typeUrl: t.typeUrl,
          version: sent.systemVersion,
          sentAt: sent.sentAt,
          changedAt: sent.changedAt,
        });
      }
    }
    this.host.scheduleFlush();
  }

  /** Applies subscribe and unsubscribe; false when the stream went over its name limit (and is ended). */
  private applySubscriptions(t: DeltaType, req: DeltaDiscoveryRequestMsg): boolean {
    for (const n of req.subscribe) {
      if (n === '*') t.wildcard = true;
      else if (!t.names.has(n)) {
        if (this.nameCount >= this.maxNames) {
          this.host.limitExceeded(
            `the stream subscribes to more than the ${this.maxNames} resource names allowed (maxNamesPerStream)`,
          );
          return false;
        }
        this.nameCount++;
        t.subscribe(n);
      }
    }
    for (const n of req.unsubscribe) {
      if (n === '*') {
        if (t.wildcard) {
          t.wildcard = false;
          t.forgetUnsubscribed();
        }
      } else if (t.names.has(n)) {
        this.nameCount--;
        t.unsubscribe(n);
      } else if (!t.wildcard) t.forget(n);
    }
    return true;
  }

  /**
   * A type Amime does not serve has no resources: names asked for are said not
   * to exist, a first wildcard request gets an empty response, ACKs nothing.
   * Nothing about the type is kept, so invented type URLs cost no memory.
   */
  private answerUnserved(req: DeltaDiscoveryRequestMsg): void {
    const named = req.subscribe.filter((n) => n !== '*');
    if (named.length > this.maxNames) {
      this.host.limitExceeded(
        `the stream subscribes to ${named.length} resource names, more than the ${this.maxNames} allowed (maxNamesPerStream)`,
      );
      return;
    }
    if (named.length === 0 && req.responseNonce !== '') return;
    const nonce = this.nonces.next();
    this.host.send(encodeDeltaResponse(EMPTY_VERSION, [], req.typeUrl, nonce, named.sort()), {
      typeUrl: req.typeUrl,
      version: EMPTY_VERSION,
      nonce,
      resources: 0,
      removed: named.length,
    });
  }

  private upsertsFor(t: DeltaType, view: Snapshot): CachedResource[] {
    const entries = view.type(t.typeUrl).resources;
    const out: CachedResource[] = [];
    const consider = (e: CachedResource): void => {
      if (t.known.get(e.name) === e.wireVersion) return;
      if (t.rejected.get(e.name) === e.wireVersion) return;
      out.push(e);
    };
    // Whichever side is smaller is walked.
    if (t.wildcard || entries.size <= t.names.size) {
      for (const e of entries.values()) if (t.subscribed(e.name)) consider(e);
    } else
      for (const n of t.names) {
        const e = entries.get(n);
        if (e) consider(e);
      }
    return out.sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Resources the client holds that are gone. */
  private removalsFor(t: DeltaType, view: Snapshot): string[] {
    const entries = view.type(t.typeUrl).resources;
    const out: string[] = [];
    for (const [name, version] of t.known) {
      if (version !== null && !entries.has(name) && t.rejected.get(name) !== REMOVAL) out.push(name);
    }
    return out;
  }

  /**
   * Explicitly requested names that do not exist and the client was not told
   * about yet: said at once (not a removal of anything in use), so the client
   * need not wait for its initial fetch timeout.
   */
  private absentFor(t: DeltaType, view: Snapshot): string[] {
    const entries = view.type(t.typeUrl).resources;
    const out: string[] = [];
    for (const n of t.unresolved) {
      if (!entries.has(n) && t.rejected.get(n) !== REMOVAL) out.push(n);
    }
    return out;
  }

  flush(view: Snapshot | undefined): void {
    if (!view) return;
    const steps: Step[] = [];
    for (const t of this.types) {
      const late = REMOVALS_LAST.has(t.typeUrl);
      steps.push({ t, upserts: true, removals: !late });
    }
    for (const t of this.types)
      if (REMOVALS_LAST.has(t.typeUrl)) steps.push({ t, upserts: false, removals: true });

    let blocked = false;
    for (const step of steps) {
      const t = step.t;
      if (t.inFlight) {
        blocked = true;
        continue;
      }
      if (blocked) continue;
      const upserts = step.upserts ? this.upsertsFor(t, view) : [];
      const removals = [
        ...(step.upserts ? this.absentFor(t, view) : []),
        ...(step.removals ? this.removalsFor(t, view) : []),
      ].sort();
      if (upserts.length === 0 && removals.length === 0) continue;
      this.send(t, view, upserts, removals);
      blocked = true;
    }
  }

  private send(t: DeltaType, view: Snapshot, upserts: CachedResource[], removals: string[]): void {
    const typeState = view.type(t.typeUrl);
    const nonce = this.nonces.next();
    const now = this.host.now();
    const changes = new Map<string, string | null>();
    for (const e of upserts) changes.set(e.name, e.wireVersion);
    for (const n of removals) changes.set(n, null);
    t.inFlight = {
      nonce,
      changes,
      systemVersion: typeState.version,
      sentAt: now,
      changedAt: typeState.changedAt,
    };
    t.lastSent = { version: typeState.version, nonce, at: now };
    const resources = upserts.map((r) => ({ version: r.wireVersion, resource: r.any, name: r.name }));
    this.host.send(encodeDeltaResponse(typeState.version, resources, t.typeUrl, nonce, removals), {
      typeUrl: t.typeUrl,
      version: typeState.version,
      nonce,
      resources: upserts.length,
      removed: removals.length,
    });
  }

  expireAcks(now: number, timeoutMs: number): boolean {
    let any = false;
    for (const t of this.types) {
      if (t.inFlight && now - t.inFlight.sentAt > timeoutMs) {
        for (const [name, version] of t.inFlight.changes) t.rejected.set(name, version ?? REMOVAL);
        t.inFlight = null;
        any = true;
      }
    }
    return any;
  }

  inFlight(): number {
    return countInFlight(this.types);
  }

  typeStatuses(): TypeStatus[] {
    return this.types.map((t) => {
      const resources: ResourceStatus[] = [];
      for (const [name, version] of [...t.known].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        if (version !== null) resources.push({ name, version });
      }
      return {
        typeUrl: t.typeUrl,
        wildcard: t.wildcard,
        names: [...t.names].sort(),
        ackedVersion: t.ackedSystemVersion,
        lastSent: t.lastSent ? { ...t.lastSent, at: new Date(t.lastSent.at).toISOString() } : null,
        pendingAck: t.inFlight !== null,
        lastNack: t.lastNack,
        resources,
      };
    });
  }

  close(): void {
    // Nothing shared to release: delta state is per stream.
  }
}
