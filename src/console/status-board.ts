/**
 * The proxies connected to the other replicas, as they publish them (status-record.ts),
 * read from the process's one store mirror: a replica's records appear when it writes
 * them and go when it stops, or when etcd deletes them with its lease after it died.
 * This replica's own records are left out: its live client status is newer.
 */
import type { MirrorChange, StoreMirror, StoredRecord } from '../store/index.js';
import type { ProxyStatusRow } from './proxy-status.js';
import { isProxyStatusKey, type ProxyStatusRecord } from './status-record.js';

export class StatusBoard {
  private readonly records = new Map<string, ProxyStatusRecord>();
  private readonly unsubscribe: () => void;

  /** `onChange`: another replica's proxies changed (the open console pages follow). */
  constructor(
    mirror: Pick<StoreMirror, 'values' | 'subscribe'>,
    private readonly instance: string,
    onChange: () => void = () => undefined,
  ) {
    for (const record of mirror.values()) this.upsert(record);
    this.unsubscribe = mirror.subscribe((change: MirrorChange) => {
      if (!isProxyStatusKey(change.record.key)) return;
      if (change.type === 'put') this.upsert(change.record);
      else this.records.delete(change.record.key);
      onChange();
    });
  }

  /** Every proxy the other replicas report, with its replica and age. */
  rows(now: number): ProxyStatusRow[] {
    const out: ProxyStatusRow[] = [];
    for (const r of this.records.values())
      for (const p of r.proxies)
        out.push({
          ...p,
          replica: r.replica,
          ageSeconds: Math.max(0, Math.round((now - Date.parse(p.connectedSince)) / 1000)),
        });
    return out;
  }

  /** Rows the other replicas left out of their records (too big), for a note. */
  omitted(): number {
    let n = 0;
    for (const r of this.records.values()) n += r.omitted ?? 0;
    return n;
  }

  close(): void {
    this.unsubscribe();
  }

  private upsert(record: StoredRecord): void {
    if (!isProxyStatusKey(record.key)) return;
    const value = record.value as Partial<ProxyStatusRecord> | null;
    // Written by another version of Amime, or by hand: skipped rather than trusted.
    if (!value || typeof value.replica !== 'string' || !Array.isArray(value.proxies)) return;
    if (value.instance === this.instance) return;
    this.records.set(record.key, value as ProxyStatusRecord);
  }
}
