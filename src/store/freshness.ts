/**
 * Whether this process's view of a shared store is current, within a bound. A mirror
 * fed by a watch cannot tell "nothing changed" from "cut off": a replica partitioned
 * from etcd keeps its last view and its watch just waits. So every `intervalMs` the
 * store's current revision is read (on etcd a linearizable read, which a member cut off
 * from its quorum cannot answer) and the mirror must reach it; the time of the last
 * read that it reached is when the view was last known current. Past `boundMs` the
 * view is stale: readiness goes red and new xDS streams are refused, and it comes back
 * by itself with the next probe that succeeds.
 */
import type { StoreMirror } from './mirror.js';
import type { ResourceStore } from './types.js';
import { bounded } from './internal.js';

export interface FreshnessOptions {
  /** How old the last confirmation may be before the view counts as stale. */
  boundMs: number;
  /** Time between probes. Default a quarter of the bound, at most 1 s. */
  intervalMs?: number;
  /** Told when the view turns stale or fresh again (for logs). */
  onChange?: (status: FreshnessStatus) => void;
  now?: () => number;
}

export interface FreshnessStatus {
  fresh: boolean;
  /** When the view was last confirmed current (ISO 8601). */
  confirmedAt: string;
  /** How long ago that was. */
  ageMs: number;
  boundMs: number;
  /** Why the last probe failed, while it is failing. */
  lastError?: string;
}

export class StoreFreshness {
  private confirmedAt: number;
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private closed = false;
  private wasFresh = true;
  private readonly now: () => number;
  private readonly intervalMs: number;

  constructor(
    private readonly store: Pick<ResourceStore, 'revision'>,
    private readonly mirror: Pick<StoreMirror, 'waitFor'>,
    private readonly options: FreshnessOptions,
  ) {
    if (!(options.boundMs > 0)) throw new Error('store staleness bound must be > 0 ms');
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? Math.min(1000, Math.max(10, Math.floor(options.boundMs / 4)));
    // The mirror has just listed the store.
    this.confirmedAt = this.now();
  }

  start(): this {
    this.schedule();
    // Reading the status tells a turn nobody has looked at yet: a hanging probe is no reason to tell late.
    this.watchdog = setInterval(() => this.status(), this.intervalMs);
    this.watchdog.unref();
    return this;
  }

  /**
   * The view's freshness now. A turn is told to `onChange` by the first to see it, so
   * whoever read "stale" (readiness, a refused stream) finds the turn logged, even if
   * the view is current again before the watchdog's next tick.
   */
  status(): FreshnessStatus {
    const ageMs = Math.max(0, this.now() - this.confirmedAt);
    const status: FreshnessStatus = {
      fresh: ageMs <= this.options.boundMs,
      confirmedAt: new Date(this.confirmedAt).toISOString(),
      ageMs,
      boundMs: this.options.boundMs,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
    if (status.fresh !== this.wasFresh) {
      this.wasFresh = status.fresh;
      this.options.onChange?.(status);
    }
    return status;
  }

  /**
   * Reads the store's current revision and waits (within the bound) until the mirror has
   * it; resolves to that revision, rejects when either step fails or takes too long.
   */
  async catchUp(): Promise<number> {
    const bound = this.options.boundMs;
    const revision = await bounded(this.store.revision(), bound, 'reading the store revision');
    if (!(await this.mirror.waitFor(revision, bound)))
      throw new Error(`the store watch did not deliver revision ${revision} within ${bound} ms`);
    return revision;
  }

  /** One probe (tests call it directly). */
  async probe(): Promise<void> {
    const started = this.now();
    try {
      await this.catchUp();
      this.confirmedAt = Math.max(this.confirmedAt, started);
      this.lastError = undefined;
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.watchdog);
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      void this.probe().then(() => {
        this.status();
        this.schedule();
      });
    }, this.intervalMs);
    this.timer.unref();
  }
}
