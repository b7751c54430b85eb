/**
 * When a replica sharing etcd serves a new xDS stream. Stale (cut off from etcd for
 * longer than the bound): refused, so the proxy goes to another replica. Otherwise
 * first caught up: the mirror reaches etcd's current revision and, if the last
 * translation is older than that, translation runs now and the stream waits for it
 * (and for a run under way, which may have read an older revision) to end. A proxy that moves here from
 * another replica got its configuration from a store revision no newer than etcd's
 * current one, so it is never served an older configuration than it had; and since
 * versions are content hashes, the same configuration is not sent again.
 */
import type { StoreFreshness } from '../store/index.js';

export interface StreamAdmission {
  freshness: Pick<StoreFreshness, 'status' | 'catchUp'>;
  /** Store revision the served snapshots were translated from. */
  translatedRevision: () => number;
  /** Runs the pending translation now; resolves once it (and any run under way) has ended. */
  translateNow: () => Promise<void>;
}

export function admitWhenCurrent(a: StreamAdmission): () => Promise<string | undefined> {
  return async () => {
    const f = a.freshness.status();
    if (!f.fresh)
      return `this Amime replica has not been able to confirm its view of etcd for ${Math.round(f.ageMs / 1000)} s (over --store-staleness-ms ${f.boundMs}); connect to another replica`;
    try {
      const revision = await a.freshness.catchUp();
      if (a.translatedRevision() < revision) await a.translateNow();
    } catch (err) {
      return `this Amime replica could not catch up with etcd (${(err as Error).message}); connect to another replica`;
    }
    return undefined;
  };
}
