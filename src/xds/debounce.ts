/**
 * Coalesces bursts of updates: the callback runs once the input has been quiet for
 * `quietMs`, or at the latest `maxMs` after the first pending update, so a steady
 * trickle of changes cannot postpone a push forever (Istio's PILOT_DEBOUNCE_AFTER /
 * PILOT_DEBOUNCE_MAX, with a shorter cap here).
 *
 * With `leading`, an update that comes after `quietMs` without one is not made to wait
 * for quiet: it flushes on a 0 ms timer (so the updates of one write, arriving together,
 * still go as one, and the write answers its caller before the flush holds the loop), and the updates that follow within `quietMs` of
 * that flush are coalesced as above. A lone change goes out at once; a burst costs one
 * early flush and then batches as before.
 */

export interface DebounceOptions<T> {
  /** Quiet period before flushing. Default 100 ms. */
  readonly quietMs?: number;
  /** Longest time an update may wait. Default 1000 ms. */
  readonly maxMs?: number;
  /** Combines a pending value with a new one. Default: the newest wins. */
  readonly merge?: (pending: T, next: T) => T;
  /** Flush an update that follows a quiet period on a 0 ms timer. Default false. */
  readonly leading?: boolean;
}

export class Debouncer<T> {
  private readonly quietMs: number;
  private readonly maxMs: number;
  private readonly merge: (pending: T, next: T) => T;
  private readonly leading: boolean;
  private pending: { value: T } | undefined;
  private quietTimer: ReturnType<typeof setTimeout> | undefined;
  private maxTimer: ReturnType<typeof setTimeout> | undefined;
  private leadingTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the input last had an update (leading mode: whether it has been quiet since). */
  private lastPushAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly onFlush: (value: T) => void,
    options: DebounceOptions<T> = {},
  ) {
    this.quietMs = options.quietMs ?? 100;
    this.maxMs = options.maxMs ?? 1000;
    this.merge = options.merge ?? ((_p, n) => n);
    this.leading = options.leading ?? false;
    if (!(this.quietMs >= 0) || !(this.maxMs >= this.quietMs)) {
      throw new RangeError(
        `debounce: need 0 <= quietMs <= maxMs, got quietMs=${this.quietMs} maxMs=${this.maxMs}`,
      );
    }
  }

  /** Adds an update; restarts the quiet period (or, after one, flushes on a 0 ms timer when leading). */
  push(value: T): void {
    const now = Date.now();
    const quietBefore = now - this.lastPushAt >= this.quietMs;
    this.lastPushAt = now;
    this.pending = this.pending ? { value: this.merge(this.pending.value, value) } : { value };
    if (this.leadingTimer) return; // already going out on this turn
    if (this.leading && quietBefore && !this.quietTimer) {
      // A timer, not setImmediate: the write that made the change answers its caller first.
      this.leadingTimer = setTimeout(() => this.flush(), 0);
      return;
    }
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.flush(), this.quietMs);
    this.maxTimer ??= setTimeout(() => this.flush(), this.maxMs);
  }

  /** Runs the callback now if anything is pending. */
  flush(): void {
    this.clearTimers();
    const p = this.pending;
    this.pending = undefined;
    if (p) this.onFlush(p.value);
  }

  /** Drops whatever is pending. */
  cancel(): void {
    this.clearTimers();
    this.pending = undefined;
  }

  get hasPending(): boolean {
    return this.pending !== undefined;
  }

  private clearTimers(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    if (this.maxTimer) clearTimeout(this.maxTimer);
    if (this.leadingTimer) clearTimeout(this.leadingTimer);
    this.quietTimer = undefined;
    this.maxTimer = undefined;
    this.leadingTimer = undefined;
  }
}

/** One {@link Debouncer} per key (e.g. per proxy group), created on first use. */
export class KeyedDebouncer<K, T> {
  private readonly byKey = new Map<K, Debouncer<T>>();

  constructor(
    private readonly onFlush: (key: K, value: T) => void,
    private readonly options: DebounceOptions<T> = {},
  ) {}

  push(key: K, value: T): void {
    let d = this.byKey.get(key);
    if (!d) {
      d = new Debouncer<T>((v) => {
        this.byKey.delete(key);
        this.onFlush(key, v);
      }, this.options);
      this.byKey.set(key, d);
    }
    d.push(value);
  }

  flushAll(): void {
    for (const d of [...this.byKey.values()]) d.flush();
  }

  cancelAll(): void {
    for (const d of this.byKey.values()) d.cancel();
    this.byKey.clear();
  }

  get pendingKeys(): K[] {
    return [...this.byKey.keys()];
  }
}
