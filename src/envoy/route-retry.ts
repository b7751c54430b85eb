/**
 * Route retry policies (appmesh.md §4.4 event mapping):
 * server-error → `5xx`, gateway-error → `gateway-error`, client-error → 409 through
 * `retriable-status-codes`, stream-error → `refused-stream`, connection-error →
 * `connect-failure`, gRPC events → Envoy's gRPC names (the same words). Retries avoid
 * the hosts already tried (`previous_hosts`, 5 selection attempts), as App Mesh did.
 */
import type { GRPCRetryPolicy, HTTPRetryPolicy } from '../model/index.js';
import { toMillis } from './duration.js';
import type { ProxyFlavour } from './context.js';
import type { RetryIR } from './ir/types.js';

const HTTP_EVENTS: Readonly<Record<string, string>> = {
  'server-error': '5xx',
  'gateway-error': 'gateway-error',
  'client-error': 'retriable-status-codes',
  'stream-error': 'refused-stream',
};
const CLIENT_ERROR_CODES = [409];
/** Host selection attempts when retries avoid the hosts already tried. */
export const PREVIOUS_HOSTS_ATTEMPTS = 5;

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
 * The retry policy, or undefined when the policy retries nothing. Proxyless gRPC
 * clients read only gRPC status events and need at least one retry; other fields
 * they ignore are left out for them.
 */
export function retryPolicy(
  policy: HTTPRetryPolicy | GRPCRetryPolicy | undefined,
  flavour: ProxyFlavour,
): RetryIR | undefined {
  if (!policy) return undefined;
  const { on, codes } = retryOn(policy);
  if (flavour === 'grpc') {
    const grpcOn = on.filter((e) =>
      ['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'].includes(e),
    );
    if (grpcOn.length === 0 || policy.maxRetries < 1) return undefined;
    return { retryOn: grpcOn, numRetries: policy.maxRetries };
  }
  if (on.length === 0) return undefined;
  return {
    retryOn: on,
    numRetries: policy.maxRetries,
    perTryTimeout: toMillis(policy.perRetryTimeout),
    ...(codes.length > 0 ? { retriableStatusCodes: codes } : {}),
    previousHostsAttempts: PREVIOUS_HOSTS_ATTEMPTS,
  };
}
