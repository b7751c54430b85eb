/**
 * App Mesh's default retry policy. From 2020-07-29 App Mesh gave every HTTP, HTTP/2 and
 * gRPC route that defines no `retryPolicy` two retries on a refused or failed connection,
 * an `unavailable` gRPC status or a 503, on another host each time (aws-app-mesh-roadmap
 * #229; user guide "Envoy defaults set by App Mesh"). A route's own policy replaces it.
 *
 * Beyond App Mesh, one Mesh-level switch turns it off, as an annotation on the Mesh
 * (Kubernetes, YAML) or a tag of the same key and value (REST API: `aws appmesh
 * tag-resource`): `amime.io/default-retry-policy: disabled` (default `enabled`).
 */
import type { ResolvedMesh } from '../mesh/index.js';
import type { ProxyFlavour } from './context.js';
import { meshSetting } from './mesh-setting.js';
import { PREVIOUS_HOSTS_ATTEMPTS } from './route-retry.js';
import type { RetryIR } from './ir/types.js';

export const DEFAULT_RETRY_ANNOTATION = 'amime.io/default-retry-policy';

export interface DefaultRetrySetting {
  enabled: boolean;
  /** Set when the value is not understood (the default policy then stays on, as App Mesh's). */
  problem?: string;
}

export function defaultRetrySetting(mesh: ResolvedMesh): DefaultRetrySetting {
  const raw = meshSetting(mesh, DEFAULT_RETRY_ANNOTATION);
  const value = raw?.trim().toLowerCase() ?? 'enabled';
  if (value === 'enabled') return { enabled: true };
  if (value === 'disabled') return { enabled: false };
  return {
    enabled: true,
    problem: `Mesh ${mesh.awsName}: ${DEFAULT_RETRY_ANNOTATION} "${raw}" is not enabled or disabled; App Mesh's default retry policy stays on`,
  };
}

/** The policy App Mesh sent (roadmap #229, verbatim in Envoy terms). */
export function defaultRetryPolicy(flavour: ProxyFlavour): RetryIR {
  // Proxyless gRPC clients act on gRPC status codes only.
  if (flavour === 'grpc') return GRPC_DEFAULT;
  return ENVOY_DEFAULT;
}

const GRPC_DEFAULT: RetryIR = { retryOn: ['unavailable'], numRetries: 2 };
const ENVOY_DEFAULT: RetryIR = {
  retryOn: ['unavailable', 'connect-failure', 'refused-stream', 'retriable-status-codes'],
  numRetries: 2,
  retriableStatusCodes: [503],
  previousHostsAttempts: PREVIOUS_HOSTS_ATTEMPTS,
};
