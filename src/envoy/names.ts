/**
 * Envoy resource names, exactly as App Mesh named them (appmesh.md §4.2): users'
 * stats, dashboards and alerts are keyed on them, so they are part of Amime's
 * interface. Every name the translation emits is made here.
 */

/** Port of the sidecar's inbound listener (iptables redirects app ports here). */
export const INGRESS_PORT = 15000;
/** Port of the sidecar's outbound listener (iptables redirects app egress here). */
export const EGRESS_PORT = 15001;

export type Direction = 'ingress' | 'egress';

/** `lds_ingress_0.0.0.0_15000`, `lds_egress_0.0.0.0_15001`, a gateway's `lds_ingress_0.0.0.0_8088`. */
export function listenerName(direction: Direction, port: number): string {
  return `lds_${direction}_0.0.0.0_${port}`;
}

/** `rds_ingress_http_8080`, `rds_egress_http_80`. */
export function routeConfigName(direction: Direction, protocol: string, port: number): string {
  return `rds_${direction}_${protocol}_${port}`;
}

/** `cds_ingress_<mesh>_<vn>_<protocol>_<port>` (the local app) or `cds_egress_…` (a target node). */
export function nodeClusterName(
  direction: Direction,
  mesh: string,
  node: string,
  protocol: string,
  port: number,
): string {
  return `cds_${direction}_${mesh}_${node}_${protocol}_${port}`;
}

/** `cds_egress_<mesh>_amazonaws`: AWS APIs, always allowed out (appmesh.md §4.3). */
export function amazonawsClusterName(mesh: string): string {
  return `cds_egress_${mesh}_amazonaws`;
}

/** `cds_egress_<mesh>_mesh-allow-all`: the ALLOW_ALL passthrough to the original destination. */
export function allowAllClusterName(mesh: string): string {
  return `cds_egress_${mesh}_mesh-allow-all`;
}

/** The local SDS agent (SPIRE) cluster App Mesh's Envoy reaches SDS secrets through. */
export const SDS_CLUSTER = 'static_cluster_sds_unix_socket';

/**
 * SDS secrets served from Amime's CA over ADS (no App Mesh name: App Mesh delivered
 * ACM material its own way). A proxy group's certificate is named after the group, so
 * a proxy can only ever name its own; the trust bundle is the same for every proxy.
 */
export const CA_CERTIFICATE_SECRET_PREFIX = 'amime-ca-certificate:';
export function caCertificateSecretName(groupKey: string): string {
  return `${CA_CERTIFICATE_SECRET_PREFIX}${groupKey}`;
}
export const CA_TRUST_BUNDLE_SECRET = 'amime-ca-trust-bundle';

/**
 * The cluster through which a virtual gateway sends a request back into its own egress
 * listener (127.0.0.1:15001): `cds_ingress_<mesh>_<vg>_self_redirect_<protocol>_15001`,
 * or `…_self_redirect_<port>_<protocol>_15001` when the gateway has several listeners
 * (S1, S2, S12 of appmesh-observed.md).
 */
export function selfRedirectClusterName(
  mesh: string,
  gateway: string,
  protocol: string,
  port: number,
  multiListener: boolean,
): string {
  const which = multiListener ? `${port}_${protocol}` : protocol;
  return `cds_ingress_${mesh}_${gateway}_self_redirect_${which}_${EGRESS_PORT}`;
}

/** The header a gateway route that keeps the request's host routes by (S1). */
export const VIRTUAL_SERVICE_HEADER = 'x-app-mesh-virtual-service';
/** The gateway egress hop's catch-all virtual host that routes by that header (S1). */
export const GATEWAY_DEFAULT_BACKEND = 'default_backend';

/** The gateway's single virtual host (observed App Mesh name). */
export const GATEWAY_VIRTUAL_HOST = 'self_redirect';

/** Egress virtual host for everything not modelled, under ALLOW_ALL. */
export const ALLOW_ALL_VIRTUAL_HOST = 'mesh-allow-all';
/** Egress virtual host for `*.amazonaws.com` under DROP_ALL. */
export const AMAZONAWS_VIRTUAL_HOST = 'amazonaws';
/** The SNI pattern App Mesh always lets out (appmesh.md §4.3). */
export const AMAZONAWS_DOMAIN = '*.amazonaws.com';

/**
 * HCM / tcp_proxy stat prefix: `ingress` when the proxy has one listener, else
 * `ingress.<protocol>.<port>` (App Mesh multi-listener stats, appmesh.md §4.2).
 */
export function statPrefix(
  direction: Direction,
  protocol: string,
  port: number,
  multiListener: boolean,
): string {
  return multiListener ? `${direction}.${protocol}.${port}` : direction;
}

/** Envoy's names for the filters and extensions the translation uses. */
export const FILTER = {
  httpConnectionManager: 'envoy.filters.network.http_connection_manager',
  tcpProxy: 'envoy.filters.network.tcp_proxy',
  router: 'envoy.filters.http.router',
  tlsInspector: 'envoy.filters.listener.tls_inspector',
  originalDst: 'envoy.filters.listener.original_dst',
  tlsTransport: 'envoy.transport_sockets.tls',
  fileAccessLog: 'envoy.access_loggers.file',
  previousHosts: 'envoy.retry_host_predicates.previous_hosts',
  httpProtocolOptions: 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
} as const;
