/**
 * State-of-the-world ADS for one stream.
 *
 * Per type the stream tracks the subscription, the version the client holds, and
 * at most one response in flight. Rules (xDS protocol + control-plane-lessons):
 * - a response goes out only when the client's version differs from what its
 *   subscription would get now; the version of a named subscription is the hash
 *   of the (name, version) pairs it covers, so a reconnecting client that still
 *   holds exactly that content gets nothing re-pushed;
 * - one un-ACKed response per type; changes arriving meanwhile are not queued but
 *   recomputed from the newest snapshot once the ACK arrives;
 * - a NACKed version is recorded and not re-sent until the content changes;
 * - types go out in push order (CDS, EDS, LDS, RDS, SDS), and a later type waits
 *   while an earlier one is in flight, so routes never reach the client before
 *   the clusters and endpoints they use.
 */
import type { DiscoveryRequestMsg } from './codec.js';
import { encodeSotwResponse } from './frames.js';
import type { NackStatus, ResourceStatus, TypeStatus } from './client-status.js';
import { EMPTY_VERSION } from './hash.js';
import { countInFlight, type NonceSource, type ProtocolHost, type XdsProtocolState } from './protocol.js';
import type { Snapshot } from './snapshot-cache.js';
import { sotwResponse, type SotwResponse } from './sotw-response.js';
import type { Subscription, SubscriptionTable } from './subscription.js';
import { PUSH_ORDER, isServedType, pushRank } from './type-urls.js';

interface InFlight {
  readonly nonce: string;
  readonly response: SotwResponse;
  readonly sentAt: number;
  readonly changedAt: number;
}

class SotwType {
  /** Null until the first request, and after the client unsubscribed everything. */
  sub: Subscription | null = null;
  /** The client has only ever used the legacy wildcard (empty names). */
  legacyWildcard = false;
  /** Version the client holds ('' = nothing). */
  clientVersion = '';
  /** What the client holds, when known (after an ACK or a matching reconnect). */
  held: SotwResponse | null = null;
  inFlight: InFlight | null = null;
  /** The last response sent (shared with the group's other streams) and when; formatted only when status is asked for. */
  lastSent: SotwResponse | null = null;
  lastSentAt = 0;
  lastNack: NackStatus | null = null;
  /** The last NACKed version: never re-sent. */
  rejectedVersion: string | null = null;

  constructor(readonly typeUrl: string) {}

  get active(): boolean {
    return this.sub !== null && (this.sub.wildcard || this.sub.names.length > 0);
  }
}

export class SotwStream implements XdsProtocolState<DiscoveryRequestMsg> {
  /** In push order; replaced, not spliced, when a type is added (splice grows it to 17 slots per stream). */
  private types: readonly SotwType[] = [];

  constructor(
    private readonly host: ProtocolHost,
    private readonly subscriptions: SubscriptionTable,
    private readonly nonces: NonceSource,
    /** Names the stream may subscribe to, all types together. */
    private readonly maxNames: number,
  ) {}

  private typeState(typeUrl: string): SotwType | undefined {
    return this.types.find((t) => t.typeUrl === typeUrl);
  }

  onRequest(req: DiscoveryRequestMsg): void {
    if (req.typeUrl === '') return;
    if (!isServedType(req.typeUrl)) {
      this.answerUnserved(req);
      return;
    }
    if (this.namesBeyondLimit(req)) return;
    let t = this.typeState(req.typeUrl);
    const first = !t;
    if (!t) {
      const rank = pushRank(req.typeUrl);
      // The table's string, not the request's equal copy: one per process instead of one per stream.
      t = new SotwType(PUSH_ORDER[rank]!);
      const at = this.types.findIndex((x) => pushRank(x.typeUrl) > rank);
      this.types = this.types.toSpliced(at === -1 ? this.types.length : at, 0, t);
    }
    const nonce = req.responseNonce;
    // A request answering an older response is stale: the client will answer the
    // newer one too, with its then-current names (xDS protocol, "ACK/NACK and versioning").
    const lastNonce = t.lastSent?.nonce ?? '';
    if (nonce !== '' && lastNonce !== '' && nonce !== lastNonce) return;

    this.updateSubscription(t, req.resourceNames, first);

    if (t.inFlight && nonce === t.inFlight.nonce) {
      const sent = t.inFlight;
      t.inFlight = null;
      if (req.errorDetail) {
        t.rejectedVersion = sent.response.version;
        t.lastNack = {
          version: sent.response.version,
          message: req.errorDetail.message,
          code: req.errorDetail.code,
          at: new Date(this.host.now()).toISOString(),
        };
        t.clientVersion = req.versionInfo;
        if (t.held && t.held.version !== req.versionInfo) t.held = null;
        this.host.nacked({
          typeUrl: t.typeUrl,
          version: sent.response.version,
          message: req.errorDetail.message,
          code: req.errorDetail.code,
        });
      } else {
        const holds = req.versionInfo === sent.response.version;
        // The response's string, not the request's equal copy: one per group instead of one per stream.
        t.clientVersion = holds ? sent.response.version : req.versionInfo;
        t.held = holds ? sent.response : null;
        // A later change back to the once-rejected content is a new push.
        if (t.rejectedVersion !== sent.response.version) t.rejectedVersion = null;
        this.host.acked({
          typeUrl: t.typeUrl,
          version: sent.response.version,
          sentAt: sent.sentAt,
          changedAt: sent.changedAt,
        });
      }
    } else if (first) {
      // A (re)connecting client says what it already holds.
      t.clientVersion = req.versionInfo;
    }
    if (!t.active && t.inFlight) {
      // Nobody is listening for this type any more; do not let it hold others back.
      t.inFlight = null;
    }
    this.host.scheduleFlush();
  }

  /**
   * A type Amime does not serve has no resources: a first request gets an empty
   * response, the ACK of it nothing. Nothing about the type is kept, so any number
   * of invented type URLs costs no memory.
   */
  private answerUnserved(req: DiscoveryRequestMsg): void {
    if (req.responseNonce !== '' || req.versionInfo === EMPTY_VERSION) return;
    const nonce = this.nonces.next();
    this.host.send(encodeSotwResponse(EMPTY_VERSION, [], req.typeUrl, nonce), {
      typeUrl: req.typeUrl,
      version: EMPTY_VERSION,
      nonce,
      resources: 0,
      removed: 0,
    });
  }

  private namesBeyondLimit(req: DiscoveryRequestMsg): boolean {
    let total = req.resourceNames.length;
    for (const t of this.types) if (t.typeUrl !== req.typeUrl) total += t.sub?.names.length ?? 0;
    if (total <= this.maxNames) return false;
    this.host.limitExceeded(
      `the stream subscribes to ${total} resource names, more than the ${this.maxNames} allowed (maxNamesPerStream)`,
    );
    return true;
  }

  private updateSubscription(t: SotwType, names: readonly string[], first: boolean): void {
    // Most requests are ACKs repeating the current names: keep the subscription.
    if (t.sub && !t.sub.wildcard && sameNames(t.sub, names)) return;
    if (t.sub?.wildcard && names.length === 0 && t.legacyWildcard) return;
    let next: Subscription;
    if (names.includes('*')) {
      next = this.subscriptions.acquire(true, []);
      t.legacyWildcard = false;
    } else if (names.length === 0 && (first || t.legacyWildcard)) {
      // Empty names on the first request mean "everything" and keep meaning it
      // until the client names something (xDS protocol, "How the client specifies
      // what resources to return").
      next = this.subscriptions.acquire(true, []);
      t.legacyWildcard = true;
    } else {
      next = this.subscriptions.acquire(false, names);
      t.legacyWildcard = false;
    }
    if (t.sub) this.subscriptions.release(t.sub);
    t.sub = next;
  }

  flush(view: Snapshot | undefined): void {
    if (!view) return;
    let blocked = false;
    for (const t of this.types) {
      if (t.inFlight) {
        blocked = true;
        continue;
      }
      if (blocked || !t.active) continue;
      const typeState = view.type(t.typeUrl);
      const response = sotwResponse(typeState, t.sub!);
      if (response.version === t.clientVersion) {
        // The client already holds this content (e.g. it reconnected with it).
        if (!t.held || t.held.version !== response.version) t.held = response;
        continue;
      }
      if (response.version === t.rejectedVersion) continue;
      const nonce = response.nonce;
      const now = this.host.now();
      t.inFlight = { nonce, response, sentAt: now, changedAt: typeState.changedAt };
      t.lastSent = response;
      t.lastSentAt = now;
      this.host.send(this.host.sendCopies() ? response.lentBytes() : response.bytes, {
        typeUrl: t.typeUrl,
        version: response.version,
        nonce,
        resources: response.resources.length,
        removed: 0,
      });
      blocked = true;
    }
  }

  expireAcks(now: number, timeoutMs: number): boolean {
    let any = false;
    for (const t of this.types) {
      if (t.inFlight && now - t.inFlight.sentAt > timeoutMs) {
        // Treat like a rejection without a message: do not resend the same version.
        t.rejectedVersion = t.inFlight.response.version;
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
      const resources: ResourceStatus[] = t.held
        ? t.held.resources.map((r) => ({ name: r.name, version: r.wireVersion }))
        : [];
      return {
        typeUrl: t.typeUrl,
        wildcard: t.sub?.wildcard ?? false,
        names: t.sub?.names ?? [],
        ackedVersion: t.clientVersion === '' ? null : t.clientVersion,
        lastSent: t.lastSent
          ? { version: t.lastSent.version, nonce: t.lastSent.nonce, at: new Date(t.lastSentAt).toISOString() }
          : null,
        pendingAck: t.inFlight !== null,
        lastNack: t.lastNack,
        resources,
      };
    });
  }

  close(): void {
    for (const t of this.types) {
      if (t.sub) this.subscriptions.release(t.sub);
      t.sub = null;
    }
  }
}

/** Whether `names` is exactly the subscription's set (in any order, without duplicates). */
function sameNames(sub: Subscription, names: readonly string[]): boolean {
  if (names.length !== sub.names.length) return false;
  let sorted = true;
  for (let i = 0; i < names.length; i++) {
    if (names[i] !== sub.names[i]) {
      sorted = false;
      break;
    }
  }
  if (sorted) return true;
  if (!names.every((n) => sub.has(n))) return false;
  return new Set(names).size === names.length;
}
