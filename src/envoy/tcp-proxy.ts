/** tcp_proxy filters: ingress to the local app, egress over a TCP route's weighted targets, passthroughs. */
import type { Duration as AppMeshDuration } from '../model/index.js';
import { toMillis } from './duration.js';
import { normalizeWeights, type ClusterWeight } from './route-action.js';
import type { AccessLogIR, NetworkFilterIR, TcpProxyIR } from './ir/types.js';

export interface TcpProxySpec {
  statPrefix: string;
  targets: ReadonlyArray<ClusterWeight>;
  idle?: AppMeshDuration | undefined;
  accessLogs?: AccessLogIR[];
}

/** The filter, or undefined when no target carries weight. Weight-0 targets are left out (tcp_proxy needs ≥ 1). */
export function tcpProxyFilter(spec: TcpProxySpec): NetworkFilterIR | undefined {
  const weights = normalizeWeights(spec.targets.map((t) => t.weight));
  if (!weights) return undefined;
  const clusters = spec.targets
    .map((t, i) => ({ name: t.cluster, weight: weights[i] as number }))
    .filter((c) => c.weight > 0);
  const config: TcpProxyIR = { statPrefix: spec.statPrefix, clusters };
  if (spec.idle) config.idleTimeout = toMillis(spec.idle);
  if (spec.accessLogs && spec.accessLogs.length > 0) config.accessLogs = spec.accessLogs;
  return { tcpProxy: config };
}
