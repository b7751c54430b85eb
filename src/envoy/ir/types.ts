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
 * Covered so far: clusters and TLS contexts. Listeners, routes, assignments and secrets
 * are still built as Envoy objects directly (src/envoy/README.md, "The IR").
 */

/** Milliseconds. */
export type Millis = number;

/** The IR of one proxy group (the parts translated through the IR so far). */
export interface GroupIR {
  /** One per name, in the order first reached: a later definition of the same name is dropped. */
  clusters: ClusterIR[];
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
