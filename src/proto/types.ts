/**
 * Names of the Envoy v3 message types Amime emits, and their `type.googleapis.com/`
 * URLs. Translation code names types through these constants so that a typo is a
 * compile error, not a silently wrong `typed_config`.
 */
import { TYPE_URL_PREFIX } from './root.js';

/** The five xDS resource collections of one proxy group, in the keys `checkResources` takes. */
export type XdsKind = 'listeners' | 'routes' | 'clusters' | 'endpoints' | 'secrets';

/** Make-before-break push order: clusters before their endpoints, listeners before their routes. */
export const XDS_KINDS: readonly XdsKind[] = ['clusters', 'endpoints', 'listeners', 'routes', 'secrets'];

export const LISTENER_TYPE = 'envoy.config.listener.v3.Listener';
export const ROUTE_CONFIGURATION_TYPE = 'envoy.config.route.v3.RouteConfiguration';
export const CLUSTER_TYPE = 'envoy.config.cluster.v3.Cluster';
export const CLUSTER_LOAD_ASSIGNMENT_TYPE = 'envoy.config.endpoint.v3.ClusterLoadAssignment';
export const SECRET_TYPE = 'envoy.extensions.transport_sockets.tls.v3.Secret';

export const LISTENER_TYPE_URL = `${TYPE_URL_PREFIX}${LISTENER_TYPE}`;
export const ROUTE_CONFIGURATION_TYPE_URL = `${TYPE_URL_PREFIX}${ROUTE_CONFIGURATION_TYPE}`;
export const CLUSTER_TYPE_URL = `${TYPE_URL_PREFIX}${CLUSTER_TYPE}`;
export const CLUSTER_LOAD_ASSIGNMENT_TYPE_URL = `${TYPE_URL_PREFIX}${CLUSTER_LOAD_ASSIGNMENT_TYPE}`;
export const SECRET_TYPE_URL = `${TYPE_URL_PREFIX}${SECRET_TYPE}`;

/** Full message type name of each xDS kind. */
export const XDS_TYPE_NAME: Readonly<Record<XdsKind, string>> = {
  listeners: LISTENER_TYPE,
  routes: ROUTE_CONFIGURATION_TYPE,
  clusters: CLUSTER_TYPE,
  endpoints: CLUSTER_LOAD_ASSIGNMENT_TYPE,
  secrets: SECRET_TYPE,
};

/** Type URL of each xDS kind, as sent in `DiscoveryRequest.type_url`. */
export const XDS_TYPE_URL: Readonly<Record<XdsKind, string>> = {
  listeners: LISTENER_TYPE_URL,
  routes: ROUTE_CONFIGURATION_TYPE_URL,
  clusters: CLUSTER_TYPE_URL,
  endpoints: CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  secrets: SECRET_TYPE_URL,
};

/** Short proto name of each kind (`Cluster`), used in problem reports. */
export const XDS_SHORT_NAME: Readonly<Record<XdsKind, string>> = {
  listeners: 'Listener',
  routes: 'RouteConfiguration',
  clusters: 'Cluster',
  endpoints: 'ClusterLoadAssignment',
  secrets: 'Secret',
};

/** The xDS kind whose type URL this is, if any. */
export function xdsKindOfTypeUrl(typeUrl: string): XdsKind | undefined {
  for (const kind of XDS_KINDS) if (XDS_TYPE_URL[kind] === typeUrl) return kind;
  return undefined;
}

/**
 * The name field that identifies a resource of this kind (what Envoy subscribes by):
 * `cluster_name` for a ClusterLoadAssignment, `name` for everything else.
 */
export function resourceNameOf(kind: XdsKind, resource: object): string {
  const r = resource as Record<string, unknown>;
  const v = kind === 'endpoints' ? r['cluster_name'] : r['name'];
  return typeof v === 'string' ? v : '';
}

/** `envoy.config.cluster.v3.Cluster` → `type.googleapis.com/envoy.config.cluster.v3.Cluster`. */
export function typeUrlOf(typeName: string): string {
  const name = typeName.startsWith('.') ? typeName.slice(1) : typeName;
  return name.includes('/') ? name : `${TYPE_URL_PREFIX}${name}`;
}

/**
 * Extension message types that translation nests in `typed_config` Anys. All of them
 * are in the loaded Root (see ENVOY_PROTO_FILES).
 */
export const EXT = {
  httpConnectionManager: 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  tcpProxy: 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
  router: 'envoy.extensions.filters.http.router.v3.Router',
  fault: 'envoy.extensions.filters.http.fault.v3.HTTPFault',
  rbac: 'envoy.extensions.filters.http.rbac.v3.RBAC',
  healthCheck: 'envoy.extensions.filters.http.health_check.v3.HealthCheck',
  tlsInspector: 'envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector',
  originalDst: 'envoy.extensions.filters.listener.original_dst.v3.OriginalDst',
  httpInspector: 'envoy.extensions.filters.listener.http_inspector.v3.HttpInspector',
  upstreamTlsContext: 'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
  downstreamTlsContext: 'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
  rawBuffer: 'envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer',
  fileAccessLog: 'envoy.extensions.access_loggers.file.v3.FileAccessLog',
  stdoutAccessLog: 'envoy.extensions.access_loggers.stream.v3.StdoutAccessLog',
  stderrAccessLog: 'envoy.extensions.access_loggers.stream.v3.StderrAccessLog',
  httpProtocolOptions: 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
  previousHosts: 'envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate',
  aggregateCluster: 'envoy.extensions.clusters.aggregate.v3.ClusterConfig',
  roundRobin: 'envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin',
} as const;
