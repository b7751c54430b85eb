/**
 * The intermediate representation (IR) of what one proxy group is served, between the
 * mesh graph and Envoy: plain data in which every App Mesh decision is already made —
 * names, defaults, discovery type, where health checks and outlier detection go, the
 * limits of a connection pool, which certificate and trust a TLS context uses. The
 * builders (the feature files of `src/envoy`) make it; `src/envoy/emit` turns it into
 * Envoy resources mechanically, deciding nothing.
 *
 * JSON data only (no Maps, no classes, no undefined members), so it round-trips through
 * YAML: `testdata/ir` holds the IR of each `testdata/in` case, and the Envoy goldens in
 * `testdata/out` are what `emit` makes of it. Durations are milliseconds.
 *
 * Every xDS kind goes through it: listeners, route configurations, clusters (with their
 * TLS contexts), the assignments of EDS clusters and the secrets served over ADS.
 */

/** Milliseconds. */
export type Millis = number;

/** The IR of one proxy group. */
export interface GroupIR {
  /** In push order. */
  listeners: ListenerIR[];
  routeConfigs: RouteConfigIR[];
  /** One per name, in the order first reached: a later definition of the same name is dropped. */
  clusters: ClusterIR[];
  /** The endpoints of each EDS cluster, one per cluster name. */
  assignments: AssignmentIR[];
  /** Secrets served over ADS with their material (ACM certificates and trust given to Amime), one per name. */
  secrets: SecretIR[];
}

// ── listeners ───────────────────────────────────────────────────────────────

export type ListenerIR = SocketListenerIR | ApiListenerIR;

export interface SocketListenerIR {
  name: string;
  address: string;
  port: number;
  direction: 'INBOUND' | 'OUTBOUND';
  listenerFilters?: Array<'original_dst' | 'tls_inspector'>;
  filterChains: FilterChainIR[];
  defaultFilterChain?: FilterChainIR;
  /** `aws.appmesh.aggregate_stats` tags: App Mesh wrote an empty list on every listener. */
  statsTags?: StatsTagIR[];
}

/** A proxyless gRPC client's listener: a connection manager, no socket. */
export interface ApiListenerIR {
  name: string;
  apiListener: HcmIR;
}

export interface FilterChainIR {
  name?: string;
  match?: FilterChainMatchIR;
  filters: NetworkFilterIR[];
  tls?: TlsContextIR;
}

export interface FilterChainMatchIR {
  destinationPort?: number;
  serverNames?: string[];
  transportProtocol?: 'tls' | 'raw_buffer';
}

export type NetworkFilterIR = { httpConnectionManager: HcmIR } | { tcpProxy: TcpProxyIR };

export interface HcmIR {
  statPrefix: string;
  /** Routes over RDS (ADS) under this name; the router filter is the only HTTP filter. */
  routeConfigName: string;
  accessLogs?: AccessLogIR[];
  /** App Mesh's knobs, all on for Envoy proxies, all off for proxyless clients (which reject them). */
  websocket?: boolean;
  normalizePath?: boolean;
  mergeSlashes?: boolean;
  tracing?: boolean;
}

export interface TcpProxyIR {
  statPrefix: string;
  /** Weights already scaled to 100, weightless targets left out; one: a plain cluster. */
  clusters: WeightedClusterIR[];
  idleTimeout?: Millis;
  accessLogs?: AccessLogIR[];
}

export interface AccessLogIR {
  path: string;
  /** A text line (ending in a newline) or JSON fields in order; neither: Envoy's default line. */
  format?: { text: string } | { json: Array<{ key: string; value: string }> };
}

// ── routes ──────────────────────────────────────────────────────────────────

export interface RouteConfigIR {
  name: string;
  virtualHosts: VirtualHostIR[];
}

export interface VirtualHostIR {
  name: string;
  domains: string[];
  /** In match order. */
  routes: RouteIR[];
  responseHeadersToRemove?: string[];
  /**
   * The virtual service every route here leads to, for App Mesh's `TargetVirtualService`
   * stats tag (aggregate-stats.ts): the routes stay shared by all services behind one
   * router, the tag is the virtual host's. A route's own `targetService` wins.
   */
  targetService?: string;
}

/**
 * Where a matched request goes: a route action, or an answer without an upstream
 * (503: no target carries weight; 404: a gateway target without routes).
 */
export type RouteIR =
  | {
      name: string;
      match: MatchIR;
      route: RouteActionIR;
      requestHeadersToSet?: HeaderValueIR[];
      targetService?: string;
    }
  | { name: string; match: MatchIR; directResponse: { status: number }; targetService?: string };

/** A request header set on the way (overwritten if present, else added). */
export interface HeaderValueIR {
  name: string;
  value: string;
}

/** A path condition plus header and query conditions (App Mesh's match vocabulary). */
export interface MatchIR {
  path: PathCond;
  headers: HeaderCond[];
  query: QueryCond[];
}

export interface PathCond {
  kind: 'prefix' | 'exact' | 'regex';
  value: string;
}

export interface HeaderCond {
  /** Lower case; method, scheme and authority as their pseudo-headers. */
  name: string;
  /** Absent: the header must be present. */
  match?: HeaderValueMatch;
  invert?: boolean;
}

/** One member, as App Mesh's `match` (ranges are [start, end), as Envoy's). */
export interface HeaderValueMatch {
  exact?: string;
  prefix?: string;
  suffix?: string;
  regex?: string;
  range?: { start: number; end: number };
}

export interface QueryCond {
  name: string;
  /** Absent: the parameter must be present. */
  exact?: string;
}

export interface RouteActionIR {
  /** One cluster … */
  cluster?: string;
  /** … or weighted clusters, weights already scaled to a total of 100. */
  weightedClusters?: WeightedClusterIR[];
  timeout?: Millis;
  idleTimeout?: Millis;
  /** Proxyless gRPC clients read the deadline from here (gRFC A31), not from `timeout`. */
  maxStreamDuration?: Millis;
  retry?: RetryIR;
  prefixRewrite?: string;
  regexRewrite?: { pattern: string; substitution: string };
  hostRewriteLiteral?: string;
}

export interface WeightedClusterIR {
  name: string;
  weight: number;
}

export interface RetryIR {
  /** Envoy's retry_on conditions. */
  retryOn: string[];
  numRetries: number;
  perTryTimeout?: Millis;
  retriableStatusCodes?: number[];
  /** Retries avoid the hosts already tried (`previous_hosts`), with this many host selection attempts. */
  previousHostsAttempts?: number;
}

// ── clusters ────────────────────────────────────────────────────────────────

export interface ClusterIR {
  name: string;
  discovery: DiscoveryIR;
  connectTimeout: Millis;
  lbPolicy?: 'ROUND_ROBIN' | 'CLUSTER_PROVIDED';
  /** The DEFAULT-priority limits (2147483647: off); HIGH priority keeps Envoy's defaults, as App Mesh did. */
  limits?: LimitsIR;
  outlierDetection?: OutlierDetectionIR;
  healthChecks?: HealthCheckIR[];
  /** Speak HTTP/2 to the upstream. */
  http2?: boolean;
  tls?: TlsContextIR;
  /** `aws.appmesh.aggregate_stats` tags (the target virtual node of a `cds_egress_…` cluster). */
  statsTags?: StatsTagIR[];
}

export interface StatsTagIR {
  key: 'TargetVirtualNode' | 'TargetVirtualService';
  value: string;
}

export type DiscoveryIR =
  /** Endpoints written in the cluster (the local app, the SDS agent's socket; none: 503). */
  | { type: 'STATIC'; endpoints: InlineEndpointIR[] }
  /** One hostname Envoy resolves itself. */
  | {
      type: 'LOGICAL_DNS' | 'STRICT_DNS';
      hostname: string;
      port: number;
      /** Absent: Envoy's AUTO. */
      dnsLookupFamily?: DnsLookupFamilyIR;
      /** The health check's own port, when it is not `port`. */
      healthCheckPort?: number;
    }
  /** A ClusterLoadAssignment of the same name over ADS. */
  | { type: 'EDS' }
  /** Wherever the connection was going (the egress filter's passthroughs). */
  | { type: 'ORIGINAL_DST' };

export type DnsLookupFamilyIR = 'V4_ONLY' | 'V6_ONLY' | 'V4_PREFERRED';

export type InlineEndpointIR =
  | { address: string; port: number; healthCheckPort?: number }
  /** A Unix socket. */
  | { pipe: string };

export interface LimitsIR {
  maxConnections: number;
  maxPendingRequests: number;
  maxRequests: number;
}

export interface OutlierDetectionIR {
  consecutive5xx: number;
  interval: Millis;
  baseEjectionTime: Millis;
  maxEjectionPercent: number;
  enforcingConsecutive5xx: number;
  enforcingSuccessRate: number;
}

export interface HealthCheckIR {
  timeout: Millis;
  interval: Millis;
  unhealthyThreshold: number;
  healthyThreshold: number;
  check: { http: { path: string; http2?: boolean } } | { grpc: true } | { tcp: true };
}

// ── TLS ─────────────────────────────────────────────────────────────────────

/** A TLS transport socket: a cluster's (with `sni`) or a listener chain's (maybe requiring a client certificate). */
export interface TlsContextIR {
  sni?: string;
  certificate?: CertificateIR;
  validation?: ValidationIR;
  requireClientCertificate?: boolean;
}

/** An SDS secret: from the proxy's local SDS agent (SPIRE, App Mesh's `sds`) or from Amime over ADS. */
export interface SdsSecretIR {
  name: string;
  source: 'local' | 'ads';
}

export type CertificateIR =
  { files: { certificateChain: string; privateKey: string } } | { sds: SdsSecretIR };

export interface ValidationIR {
  trust: { file: string } | { sds: SdsSecretIR };
  subjectAltNames: SanIR[];
}

/** A peer name a certificate must carry: exactly, or (URIs) under a prefix. */
export interface SanIR {
  type: 'DNS' | 'URI';
  exact?: string;
  prefix?: string;
}

// ── endpoints ───────────────────────────────────────────────────────────────

/**
 * The endpoints of an EDS cluster, every decision made: one locality per zone (sorted,
 * the zone-less one first), endpoints sorted and without duplicate address:port (gRPC
 * rejects them), each with its health and the health check's own port if any.
 */
export interface AssignmentIR {
  clusterName: string;
  localities: LocalityIR[];
}

export interface LocalityIR {
  /** Absent: endpoints without a zone. */
  zone?: string;
  endpoints: AssignedEndpointIR[];
}

export interface AssignedEndpointIR {
  address: string;
  port: number;
  health: 'HEALTHY' | 'UNHEALTHY' | 'DRAINING' | 'UNKNOWN';
  healthCheckPort?: number;
}

// ── secrets ─────────────────────────────────────────────────────────────────

/** A secret Amime serves over ADS with its material: a certificate with its key, or a trust bundle. */
export type SecretIR =
  { name: string; certificate: { chain: string; privateKey: string } } | { name: string; trustedCa: string };
