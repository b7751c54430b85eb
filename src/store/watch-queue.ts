import { WatchOverflowError } from './errors.js';
import type { WatchEvent, WatchStream } from './types.js';

export const DEFAULT_MAX_BUFFERED_EVENTS = 100_000;

type Pending<T> = { resolve: (r: IteratorResult<WatchEvent<T>>) => void; reject: (e: unknown) => void };

/**
 * Push-to-pull bridge behind every back end's watch: producers `push` synchronously,
 * one consumer pulls with `for await`. The buffer is bounded so a stalled consumer
 * fails with `WatchOverflowError` instead of growing memory without limit.
 */
export class WatchQueue<T = unknown> implements WatchStream<T>, AsyncIterator<WatchEvent<T>> {
  readonly startRevision: number;
  private buffer: WatchEvent<T>[] = [];
  private head = 0;
  private pending: Pending<T> | undefined;
  private failure: unknown;
  private finished = false;
  private closed = false;
  private lastDelivered: number;

  constructor(
    startRevision: number,
    private readonly maxBuffered: number,
    private readonly onClose: () => void,
  ) {
    this.startRevision = startRevision;
    this.lastDelivered = startRevision;
  }

  get isDone(): boolean {
    return this.finished;
  }

  push(event: WatchEvent<T>): void {
    if (this.finished) return;
    if (this.pending !== undefined) {
      const p = this.pending;
      this.pending = undefined;
      this.lastDelivered = event.revision;
      p.resolve({ value: event, done: false });
      return;
    }
    if (this.buffer.length - this.head >= this.maxBuffered) {
      this.buffer = [];
      this.head = 0;
      this.fail(new WatchOverflowError(this.maxBuffered, this.lastDelivered));
      this.release();
      return;
    }
    this.buffer.push(event);
  }

  /** Ends the stream with an error after the buffered events are consumed (the producer cleans up itself). */
  fail(error: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = error;
    this.settlePending();
  }

  /** Ends the stream normally after the buffered events are consumed. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.settlePending();
  }

  close(): void {
    this.buffer = [];
    this.head = 0;
    this.end();
    this.release();
  }

  next(): Promise<IteratorResult<WatchEvent<T>>> {
    if (this.head < this.buffer.length) {
      const event = this.buffer[this.head] as WatchEvent<T>;
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.buffer.length) {
        this.buffer = this.buffer.slice(this.head);
        this.head = 0;
      }
      this.lastDelivered = event.revision;
      return Promise.resolve({ value: event, done: false });
    }
    if (this.finished) return this.takeFinal();
    if (this.pending !== undefined)
      return Promise.reject(new Error('watch stream supports one pending next() at a time'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<WatchEvent<T>>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    return this;
  }

  private settlePending(): void {
    if (this.pending === undefined || this.head < this.buffer.length) return;
    const p = this.pending;
    this.pending = undefined;
    const failure = this.failure;
    this.failure = undefined;
    if (failure !== undefined) p.reject(failure);
    else p.resolve({ value: undefined, done: true });
  }

  /** The error is reported once; later calls see a finished stream. */
  private takeFinal(): Promise<IteratorResult<WatchEvent<T>>> {
    const failure = this.failure;
    this.failure = undefined;
    if (failure !== undefined) return Promise.reject(failure);
    return Promise.resolve({ value: undefined, done: true });
  }

  private release(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}
