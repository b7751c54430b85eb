/**
 * The xDS resource types Amime serves, and the order in which changes are pushed.
 *
 * The order is make-before-break (xDS protocol, "eventual consistency
 * considerations"): clusters first, then their endpoints, then listeners, then
 * routes, so a route never names a cluster the proxy has not got yet.
 */
export const TYPE_URL = {
  Cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  ClusterLoadAssignment: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  Listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  RouteConfiguration: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  Secret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
} as const;

export type KnownTypeUrl = (typeof TYPE_URL)[keyof typeof TYPE_URL];

/** Push order; type URLs not listed here come after these, sorted by name. */
export const PUSH_ORDER: readonly string[] = [
  TYPE_URL.Cluster,
  TYPE_URL.ClusterLoadAssignment,
  TYPE_URL.Listener,
  TYPE_URL.RouteConfiguration,
  TYPE_URL.Secret,
];

const SERVED = new Set<string>(PUSH_ORDER);

/** Whether Amime serves this type; others are answered as empty and not remembered. */
export function isServedType(typeUrl: string): boolean {
  return SERVED.has(typeUrl);
}

const SHORT: Readonly<Record<string, string>> = {
  [TYPE_URL.Cluster]: 'CDS',
  [TYPE_URL.ClusterLoadAssignment]: 'EDS',
  [TYPE_URL.Listener]: 'LDS',
  [TYPE_URL.RouteConfiguration]: 'RDS',
  [TYPE_URL.Secret]: 'SDS',
};

/** `CDS`, `EDS`, ... for logs and metrics labels; `other` for any type not served, so labels stay few. */
export function shortTypeName(typeUrl: string): string {
  return SHORT[typeUrl] ?? 'other';
}

/** Position in the push order (unknown types last). */
export function pushRank(typeUrl: string): number {
  const i = PUSH_ORDER.indexOf(typeUrl);
  return i === -1 ? PUSH_ORDER.length : i;
}

/** Sorts type URLs into push order, unknown ones last and alphabetically. */
export function sortByPushOrder(typeUrls: Iterable<string>): string[] {
  return [...typeUrls].sort((a, b) => pushRank(a) - pushRank(b) || (a < b ? -1 : a > b ? 1 : 0));
}
