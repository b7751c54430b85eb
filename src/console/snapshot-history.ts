/**
 * The last few snapshots of every proxy group, so that `proxy-config --acked` can show
 * what a proxy holds after it rejected a newer version (its ACKed content is then no
 * longer in the cache). Snapshots are immutable and share their unchanged resources,
 * so a few per group cost little.
 */
import type { SnapshotCache, Snapshot } from '../xds/index.js';

const KEEP = 4;

export class SnapshotHistory {
  private readonly byGroup = new Map<string, Snapshot[]>();
  private readonly unsubscribe: () => void;

  constructor(private readonly cache: SnapshotCache) {
    for (const g of cache.groups()) this.record(g);
    this.unsubscribe = cache.subscribeAll((change) => {
      if (change.removed) this.byGroup.delete(change.group);
      else this.record(change.group);
    });
  }

  private record(group: string): void {
    const s = this.cache.getSnapshot(group);
    if (!s) return;
    const list = this.byGroup.get(group) ?? [];
    if (list[0] === s) return;
    list.unshift(s);
    list.length = Math.min(list.length, KEEP);
    this.byGroup.set(group, list);
  }

  /** Newest first; the first is the current one. */
  snapshots(group: string): readonly Snapshot[] {
    return this.byGroup.get(group) ?? [];
  }

  close(): void {
    this.unsubscribe();
  }
}
