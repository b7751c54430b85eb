/**
 * Admission limits for xDS streams: a cap on connected proxies per virtual node or
 * gateway (App Mesh allows 50 Envoys per node, whatever flavour they are), a cap on
 * streams in all, a cap on the names one stream may subscribe to, and a token
 * bucket on new streams, so a reconnect storm is spread out instead of landing at
 * once (istio#35263). Every limit bounds memory a client can make the server hold.
 */

export interface XdsLimits {
  /**
   * Connected proxies per virtual node or gateway, Envoys and proxyless gRPC
   * clients together; the next stream ends with RESOURCE_EXHAUSTED. Default 50.
   */
  readonly maxProxiesPerNode?: number;
  /** Open streams in all, authenticating ones included; the next ends with RESOURCE_EXHAUSTED. Default 10,000. */
  readonly maxStreams?: number;
  /** Resource names one stream may subscribe to, all types together; beyond, RESOURCE_EXHAUSTED. Default 10,000. */
  readonly maxNamesPerStream?: number;
  /** Sustained new streams per second; 0: no limit. Default 500. */
  readonly newStreamsPerSecond?: number;
  /** Bucket size: streams that may open at once after a quiet period. Default 1000. */
  readonly newStreamBurst?: number;
  /**
   * A response not ACKed or NACKed within this time stops holding back later types
   * (its version is not re-sent). Default 30 s.
   */
  readonly ackTimeoutMs?: number;
  /** Requests buffered while a stream is being authenticated. Default 64. */
  readonly maxQueuedRequests?: number;
}

export type ResolvedLimits = Required<XdsLimits>;

export function resolveLimits(l: XdsLimits = {}): ResolvedLimits {
  const r: ResolvedLimits = {
    maxProxiesPerNode: l.maxProxiesPerNode ?? 50,
    maxStreams: l.maxStreams ?? 10_000,
    maxNamesPerStream: l.maxNamesPerStream ?? 10_000,
    newStreamsPerSecond: l.newStreamsPerSecond ?? 500,
    newStreamBurst: l.newStreamBurst ?? 1000,
    ackTimeoutMs: l.ackTimeoutMs ?? 30_000,
    maxQueuedRequests: l.maxQueuedRequests ?? 64,
  };
  for (const [k, v] of Object.entries(r)) {
    const zeroAllowed = k === 'newStreamsPerSecond';
    if (!Number.isFinite(v) || v < 0 || (v === 0 && !zeroAllowed))
      throw new RangeError(`limits.${k} must be a positive number, got ${v}`);
  }
  return r;
}

/**
 * A token bucket: `ratePerSecond` tokens a second, up to `burst`. The one used for
 * new xDS streams and, per client, for REST API requests. A rate of 0 is no limit
 * (`--xds-new-streams-per-second 0`): every take succeeds.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  tryTake(): boolean {
    if (this.ratePerSecond === 0) return true;
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Seconds until the next token, as of the last {@link tryTake}. */
  secondsToNextToken(): number {
    return Math.max(0, (1 - this.tokens) / this.ratePerSecond);
  }
}

/** Counts members per key with a ceiling. */
export class GroupCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  tryAdd(key: string): boolean {
    const n = this.counts.get(key) ?? 0;
    if (n >= this.max) return false;
    this.counts.set(key, n + 1);
    return true;
  }

  remove(key: string): void {
    const n = (this.counts.get(key) ?? 0) - 1;
    if (n <= 0) this.counts.delete(key);
    else this.counts.set(key, n);
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}
