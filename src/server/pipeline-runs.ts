/**
 * The order of `amime serve`'s pipeline work. Runs go one at a time, in time slices
 * (`MeshPipeline.runInSlices`): a run asked for while one is under way is coalesced into
 * the next run, which reads its input when it starts, so it carries every change made
 * meanwhile. Work that must not meet a run half-way (the endpoint fast path, a change of
 * the CA's secrets) waits behind the run under way and goes before the next one; when
 * no run is under way it goes at once, as before runs had slices. A run that waits for
 * its proxies' answers to a fan-out stops waiting as soon as anything else waits for it
 * (a newer request, queued work, a caller of `settled`).
 */
import type { GraphInput } from '../mesh/index.js';
import type { MeshPipeline, PipelineLogger, PipelineRun } from './pipeline.js';

/** A run's input, and the store revision it was read at. */
export interface RunInput {
  input: GraphInput;
  revision: number;
}

export interface PipelineRunsOptions {
  pipeline: Pick<MeshPipeline, 'runInSlices'>;
  /** Reads a run's input when the run starts. */
  read: () => RunInput;
  logger: Pick<PipelineLogger, 'error'>;
}

interface Waiter {
  /** Resolved once every request up to this one has been served by a run that ended. */
  upTo: number;
  resolve: (run: PipelineRun | undefined) => void;
}

export class PipelineRuns {
  /** Requests so far, and how many of them the runs that ended served (a run serves all made before it started). */
  private requested = 0;
  private served = 0;
  private busy = false;
  private closed = false;
  private queued: Array<() => void> = [];
  private waiters: Waiter[] = [];
  private current: Promise<void> | undefined;
  private revision = Number.NEGATIVE_INFINITY;
  /** Callers of `settled` not yet answered. */
  private settling = 0;

  constructor(private readonly options: PipelineRunsOptions) {}

  /**
   * The store revision the served snapshots were translated from: that of the last run
   * that ended (a run under way does not count until it has published every group).
   */
  get translatedRevision(): number {
    return this.revision;
  }

  /**
   * Asks for a run. It starts now when none is under way (its first slice runs before
   * this returns), else after the one under way, together with every other request
   * made meanwhile. Resolves with the run that served it; undefined if that run threw
   * (logged) or the runs were closed first.
   */
  request(): Promise<PipelineRun | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const done = this.waitFor(++this.requested);
    if (!this.busy) this.current = this.loop();
    return done;
  }

  /** Runs `work` now if no run is under way, else right after it (in the order asked). */
  exclusive(work: () => void): void {
    if (this.closed) return;
    if (this.busy) this.queued.push(work);
    else this.safely(work);
  }

  /** Resolves once every run asked for before this call has ended. */
  async settled(): Promise<void> {
    this.settling++;
    try {
      await this.waitFor(this.requested);
    } finally {
      this.settling--;
    }
  }

  /** Starts no more runs and drops queued work; resolves once the run under way (if any) has ended. */
  async close(): Promise<void> {
    this.closed = true;
    this.queued = [];
    await this.current;
    for (const w of this.waiters) w.resolve(undefined);
    this.waiters = [];
  }

  private async loop(): Promise<void> {
    this.busy = true;
    try {
      while (!this.closed && this.served < this.requested) {
        const serves = this.requested;
        let run: PipelineRun | undefined;
        try {
          const { input, revision } = this.options.read();
          run = await this.options.pipeline.runInSlices(input, undefined, () => this.waitedFor(serves));
          this.revision = revision;
        } catch (err) {
          this.options.logger.error({ err }, 'a pipeline run failed; every proxy keeps what it was served');
        }
        this.served = serves;
        this.settle(run);
        // What came during the run, before the next run starts.
        while (this.queued.length > 0 && !this.closed) this.safely(this.queued.shift()!);
      }
    } finally {
      this.busy = false;
    }
  }

  /** Whether anything but the requests a run serves (up to `serves`) waits for it to end. */
  private waitedFor(serves: number): boolean {
    return this.closed || this.queued.length > 0 || this.requested > serves || this.settling > 0;
  }

  private waitFor(upTo: number): Promise<PipelineRun | undefined> {
    if (this.served >= upTo) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push({ upTo, resolve }));
  }

  private settle(run: PipelineRun | undefined): void {
    const [done, waiting] = partition(this.waiters, (w) => w.upTo <= this.served);
    this.waiters = waiting;
    for (const w of done) w.resolve(run);
  }

  private safely(work: () => void): void {
    try {
      work();
    } catch (err) {
      this.options.logger.error({ err }, 'applying an endpoint or secret change failed');
    }
  }
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}
