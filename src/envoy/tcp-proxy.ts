/** tcp_proxy filters: ingress to the local app, egress over a TCP route's weighted targets, passthroughs. */
import type { Duration as AppMeshDuration } from '../model/index.js';
import { typedConfig, EXT } from '../proto/index.js';
import { FILTER } from './names.js';
import { fromAppMesh } from './duration.js';
import { normalizeWeights, type ClusterWeight } from './route-action.js';
import type { AccessLog, Filter, TcpProxy } from './types.js';

export interface TcpProxySpec {
  statPrefix: string;
  targets: ReadonlyArray<ClusterWeight>;
  idle?: AppMeshDuration | undefined;
  accessLogs?: AccessLog[];
}

/** The filter, or undefined when no target carries weight. Weight-0 targets are left out (tcp_proxy needs ≥ 1). */
export function tcpProxyFilter(spec: TcpProxySpec): Filter | undefined {
  const weights = normalizeWeights(spec.targets.map((t) => t.weight));
  if (!weights) return undefined;
  const live = spec.targets
    .map((t, i) => ({ name: t.cluster, weight: weights[i] as number }))
    .filter((c) => c.weight > 0);
  const config: TcpProxy = { stat_prefix: spec.statPrefix };
  if (live.length === 1) config.cluster = (live[0] as { name: string }).name;
  else config.weighted_clusters = { clusters: live };
  if (spec.idle) config.idle_timeout = fromAppMesh(spec.idle);
  if (spec.accessLogs && spec.accessLogs.length > 0) config.access_log = spec.accessLogs;
  return { name: FILTER.tcpProxy, typed_config: typedConfig(EXT.tcpProxy, config) };
}
