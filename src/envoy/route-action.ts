/**
 * Route actions: weighted targets as `weighted_clusters` with App Mesh's total of 100,
 * per-request timeout (15 s unless set; 0 disables) and idle timeout, retries.
 */
import type { Duration as AppMeshDuration, GRPCRetryPolicy, HTTPRetryPolicy } from '../model/index.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, toMillis } from './duration.js';
import { defaultRetryPolicy } from './default-retry.js';
import { retryPolicy } from './route-retry.js';
import type { ProxyFlavour } from './context.js';
import type { RouteActionIR, WeightedClusterIR } from './ir/types.js';

export interface ClusterWeight {
  cluster: string;
  weight: number;
}

export interface HttpTimeouts {
  perRequest?: AppMeshDuration;
  idle?: AppMeshDuration;
}

/**
 * App Mesh weights are relative (1 and 1 is 50/50). Scales them to a total of 100
 * with largest remainders (ties to the earlier target); undefined when all are 0.
 */
export function normalizeWeights(weights: ReadonlyArray<number>): number[] | undefined {
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return undefined;
  const exact = weights.map((w) => (w * 100) / total);
  const out = exact.map(Math.floor);
  let left = 100 - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    out[i] = (out[i] as number) + 1;
    left--;
  }
  return out;
}

export function weightedClusters(targets: ReadonlyArray<ClusterWeight>): WeightedClusterIR[] | undefined {
  const weights = normalizeWeights(targets.map((t) => t.weight));
  if (!weights) return undefined;
  // Envoy's total_weight is deprecated: weights scaled to sum to 100 carry App Mesh's total of 100.
  return targets.map((t, i) => ({ name: t.cluster, weight: weights[i] as number }));
}

export interface ActionSpec {
  targets: ReadonlyArray<ClusterWeight>;
  timeout?: HttpTimeouts;
  retry?: HTTPRetryPolicy | GRPCRetryPolicy;
  /** No `retry` of its own on an HTTP-family route: App Mesh's default policy applies. */
  defaultRetry?: boolean;
}

/** The route action, or undefined when no target carries weight (the caller answers 503 instead). */
export function routeAction(spec: ActionSpec, flavour: ProxyFlavour): RouteActionIR | undefined {
  const wc = weightedClusters(spec.targets);
  if (!wc) return undefined;
  const action: RouteActionIR = { weightedClusters: wc };
  const perRequest = spec.timeout?.perRequest
    ? toMillis(spec.timeout.perRequest)
    : DEFAULT_REQUEST_TIMEOUT_MS;
  if (flavour === 'grpc') {
    // gRPC clients read the deadline from max_stream_duration (gRFC A31), not `timeout`.
    action.maxStreamDuration = perRequest;
  } else {
    action.timeout = perRequest;
    if (spec.timeout?.idle) action.idleTimeout = toMillis(spec.timeout.idle);
  }
  const retry = spec.retry
    ? retryPolicy(spec.retry, flavour)
    : spec.defaultRetry
      ? defaultRetryPolicy(flavour)
      : undefined;
  if (retry) action.retry = retry;
  return action;
}
