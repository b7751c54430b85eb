/**
 * Publishes this replica's proxy-status rows for the other replicas (status-record.ts):
 * told that something may have changed (a proxy connected, left, was sent a version,
 * ACKed or NACKed), it writes at most once per `minIntervalMs`, and only when the
 * records differ from the last ones written, so a quiet mesh costs no write at all.
 */
import type { ProxyStatusRow } from './proxy-status.js';
import { statusRecords } from './status-record.js';

/** Where the records go: keys owned by this replica, deleted when it dies (EtcdLeasedKeys). */
export interface StatusWriter {
  /** Store key → the record's JSON text. */
  set(entries: ReadonlyMap<string, string>): void;
}

export interface StatusPublisherOptions {
  writer: StatusWriter;
  /** This replica's rows, as the console shows them. */
  rows: () => readonly ProxyStatusRow[];
  replica: string;
  instance: string;
  /** Default 1,000 ms. */
  minIntervalMs?: number;
}

export class StatusPublisher {
  private last = new Map<string, string>();
  private lastAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Times the records were handed to the writer (something had changed). */
  publishes = 0;

  constructor(private readonly options: StatusPublisherOptions) {}

  /** Something may have changed: publish now, or once the interval since the last publish has passed. */
  changed = (): void => {
    if (this.closed || this.timer) return;
    const wait = Math.max(0, this.lastAt + (this.options.minIntervalMs ?? 1_000) - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.publish();
    }, wait);
    this.timer.unref();
  };

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private publish(): void {
    if (this.closed) return;
    const records = statusRecords(this.options.rows(), this.options.replica, this.options.instance);
    const texts = new Map([...records].map(([k, v]) => [k, v.text]));
    if (texts.size === this.last.size && [...texts].every(([k, t]) => this.last.get(k) === t)) return;
    this.last = texts;
    this.lastAt = Date.now();
    this.publishes++;
    this.options.writer.set(texts);
  }
}
