/**
 * `aws.appmesh.aggregate_stats` metadata, as App Mesh's control plane wrote it (S1 of
 * docs/reference/appmesh-observed.md): `{"tags":[]}` on listeners, the target virtual
 * node on each `cds_egress_…` cluster (`TargetVirtualNode`), the target virtual service
 * on each route to it (`TargetVirtualService`). The App Mesh metrics extension in the
 * App Mesh Envoy image reads it to aggregate stats per target (walkthrough
 * howto-k8s-metrics-extension), so the extension keeps working against Amime. Proxyless
 * gRPC clients do not read it: their routes go without (their clusters are the same objects
 * Envoys get, tag included).
 */
import { markShared } from './encode-plain.js';
import type { StatsTagIR } from './ir/types.js';
import type { Metadata } from './types.js';

export const AGGREGATE_STATS_KEY = 'aws.appmesh.aggregate_stats';

const built = new Map<string, Metadata>();

/** The metadata for `tags` (one shared object per distinct tag set, so its bytes are encoded once). */
export function aggregateStats(tags: readonly StatsTagIR[] = []): Metadata {
  const config = JSON.stringify({ tags });
  const hit = built.get(config);
  if (hit) return hit;
  const m: Metadata = {
    filter_metadata: { [AGGREGATE_STATS_KEY]: { fields: { config: { stringValue: config } } } },
  };
  if (built.size > 100_000) built.clear();
  markShared(m);
  built.set(config, m);
  return m;
}
