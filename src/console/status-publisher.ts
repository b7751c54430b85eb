/**
 * Publishes this replica's proxy-status rows for the other replicas (status-record.ts):
 * told that something may have changed (a proxy connected, left, was sent a version,
 * ACKed or NACKed), it writes at most once per `minIntervalMs` (longer after a big
 * write, `bytesPerSecond`), and only the records that differ from the last ones
 * written, so a quiet mesh costs no write at all.
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
  /**
   * Bytes per second the writes may average (default 256 KiB/s): after a big write the
   * next one waits longer than `minIntervalMs`, so 10,000 proxies all changing at once
   * (a push to every one, ~8 MiB of records) cost etcd one write of it every ~30 s,
   * not one a second.
   */
  bytesPerSecond?: number;
}

export class StatusPublisher {
  private last = new Map<string, string>();
  /** Earliest time of the next write. */
  private nextAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Times the records were handed to the writer (something had changed). */
  publishes = 0;
  /** JSON bytes of the records that changed in the last publish. */
  lastBytes = 0;

  constructor(private readonly options: StatusPublisherOptions) {}

  /** Something may have changed: publish now, or once the interval since the last publish has passed. */
  changed = (): void => {
    if (this.closed || this.timer) return;
    const wait = Math.max(0, this.nextAt - Date.now());
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
    let bytes = 0;
    for (const [k, t] of texts) if (this.last.get(k) !== t) bytes += t.length;
    if (bytes === 0 && [...this.last.keys()].every((k) => texts.has(k))) return;
    this.last = texts;
    const budget = this.options.bytesPerSecond ?? 256 * 1024;
    this.nextAt = Date.now() + Math.max(this.options.minIntervalMs ?? 1_000, (bytes / budget) * 1000);
    this.lastBytes = bytes;
    this.publishes++;
    this.options.writer.set(texts);
  }
}
