/**
 * Route retry policies (appmesh.md §4.4 event mapping):
 * server-error → `5xx`, gateway-error → `gateway-error`, client-error → 409 through
 * `retriable-status-codes`, stream-error → `refused-stream`, connection-error →
 * `connect-failure`, gRPC events → Envoy's gRPC names (the same words). Retries avoid
 * the hosts already tried (`previous_hosts`, 5 selection attempts), as App Mesh did.
 */
import type { GRPCRetryPolicy, HTTPRetryPolicy } from '../model/index.js';
import { typedConfig, EXT } from '../proto/index.js';
import { fromAppMesh } from './duration.js';
import { FILTER } from './names.js';
import type { ProxyFlavour } from './context.js';
import type { EmptyConfig, RetryPolicy } from './types.js';

const HTTP_EVENTS: Readonly<Record<string, string>> = {
  'server-error': '5xx',
  'gateway-error': 'gateway-error',
  'client-error': 'retriable-status-codes',
  'stream-error': 'refused-stream',
};
const CLIENT_ERROR_CODES = [409];
export const PREVIOUS_HOSTS = {
  name: FILTER.previousHosts,
  typed_config: typedConfig(EXT.previousHosts, {} satisfies EmptyConfig),
};

export function retryOn(policy: HTTPRetryPolicy | GRPCRetryPolicy): { on: string[]; codes: number[] } {
  const on: string[] = [];
  const codes: number[] = [];
  const add = (v: string): void => {
    if (!on.includes(v)) on.push(v);
  };
  for (const e of policy.httpRetryEvents ?? []) {
    const v = HTTP_EVENTS[e];
    if (v) add(v);
    if (e === 'client-error') codes.push(...CLIENT_ERROR_CODES);
  }
  for (const e of policy.tcpRetryEvents ?? []) if (e === 'connection-error') add('connect-failure');
  for (const e of ('grpcRetryEvents' in policy ? policy.grpcRetryEvents : undefined) ?? []) add(e);
  return { on, codes };
}

/**
 * The Envoy RetryPolicy, or undefined when the policy retries nothing. Proxyless gRPC
 * clients read only gRPC status events and need at least one retry; other fields
 * they ignore are left out for them.
 */
export function retryPolicy(
  policy: HTTPRetryPolicy | GRPCRetryPolicy | undefined,
  flavour: ProxyFlavour,
): RetryPolicy | undefined {
  if (!policy) return undefined;
  const { on, codes } = retryOn(policy);
  if (flavour === 'grpc') {
    const grpcOn = on.filter((e) =>
      ['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'].includes(e),
    );
    if (grpcOn.length === 0 || policy.maxRetries < 1) return undefined;
    return { retry_on: grpcOn.join(','), num_retries: { value: policy.maxRetries } };
  }
  if (on.length === 0) return undefined;
  const out: RetryPolicy = {
    retry_on: on.join(','),
    num_retries: { value: policy.maxRetries },
    per_try_timeout: fromAppMesh(policy.perRetryTimeout),
    retry_host_predicate: [PREVIOUS_HOSTS],
    host_selection_retry_max_attempts: 5,
  };
  if (codes.length > 0) out.retriable_status_codes = codes;
  return out;
}
