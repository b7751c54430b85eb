/**
 * Envoy v3 message types in protobufjs `fromObject` form (snake_case), as the
 * translation writes them. Most come from the types pre-generated in
 * `@grpc/grpc-js-xds`; the few extension messages it does not ship (tcp_proxy, file
 * access log, router, upstream HTTP options, ...) are declared below with
 * only the fields Amime writes, checked against the real protos by `checkResources`.
 */
import type { Duration } from '@grpc/grpc-js-xds/build/src/generated/google/protobuf/Duration.js';
import type { AccessLog } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/accesslog/v3/AccessLog.js';

export type { Duration } from '@grpc/grpc-js-xds/build/src/generated/google/protobuf/Duration.js';
export type { Metadata } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/core/v3/Metadata.js';
export type { Any } from '@grpc/grpc-js-xds/build/src/generated/google/protobuf/Any.js';
export type { Address } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/core/v3/Address.js';
export type { ConfigSource } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/core/v3/ConfigSource.js';
export type { HealthCheck } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/core/v3/HealthCheck.js';
export type { TransportSocket } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/core/v3/TransportSocket.js';
export type { Listener } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/listener/v3/Listener.js';
export type { FilterChain } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/listener/v3/FilterChain.js';
export type { FilterChainMatch } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/listener/v3/FilterChainMatch.js';
export type { Filter } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/listener/v3/Filter.js';
export type { ListenerFilter } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/listener/v3/ListenerFilter.js';
export type { RouteConfiguration } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/route/v3/RouteConfiguration.js';
export type { VirtualHost } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/route/v3/VirtualHost.js';
export type { Route } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/route/v3/Route.js';
export type { RouteMatch } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/route/v3/RouteMatch.js';
export type { RouteAction } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/route/v3/RouteAction.js';
export type { RetryPolicy } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/route/v3/RetryPolicy.js';
export type { HeaderMatcher } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/route/v3/HeaderMatcher.js';
export type { QueryParameterMatcher } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/route/v3/QueryParameterMatcher.js';
export type { WeightedCluster } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/route/v3/WeightedCluster.js';
export type { Cluster } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/cluster/v3/Cluster.js';
export type { CircuitBreakers } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/cluster/v3/CircuitBreakers.js';
export type { OutlierDetection } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/cluster/v3/OutlierDetection.js';
export type { ClusterLoadAssignment } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/endpoint/v3/ClusterLoadAssignment.js';
export type { LocalityLbEndpoints } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/endpoint/v3/LocalityLbEndpoints.js';
export type { LbEndpoint } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/endpoint/v3/LbEndpoint.js';
export type { Secret } from '@grpc/grpc-js-xds/build/src/generated/envoy/extensions/transport_sockets/tls/v3/Secret.js';
export type { DownstreamTlsContext } from '@grpc/grpc-js-xds/build/src/generated/envoy/extensions/transport_sockets/tls/v3/DownstreamTlsContext.js';
export type { UpstreamTlsContext } from '@grpc/grpc-js-xds/build/src/generated/envoy/extensions/transport_sockets/tls/v3/UpstreamTlsContext.js';
export type { CommonTlsContext } from '@grpc/grpc-js-xds/build/src/generated/envoy/extensions/transport_sockets/tls/v3/CommonTlsContext.js';
export type { CertificateValidationContext } from '@grpc/grpc-js-xds/build/src/generated/envoy/extensions/transport_sockets/tls/v3/CertificateValidationContext.js';
export type { SdsSecretConfig } from '@grpc/grpc-js-xds/build/src/generated/envoy/extensions/transport_sockets/tls/v3/SdsSecretConfig.js';
export type { StringMatcher } from '@grpc/grpc-js-xds/build/src/generated/envoy/type/matcher/v3/StringMatcher.js';
export type { HttpConnectionManager } from '@grpc/grpc-js-xds/build/src/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';
export type { HttpFilter } from '@grpc/grpc-js-xds/build/src/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpFilter.js';
export type { AccessLog } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/accesslog/v3/AccessLog.js';
export type { Node } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/core/v3/Node.js';

/**
 * `google.protobuf.Value` as protobufjs' built-in Struct wants it: camelCase member
 * names (`stringValue`), unlike every Envoy message. Only strings are written.
 */
export interface StructStringValue {
  stringValue: string;
}
export interface Struct {
  fields: Record<string, StructStringValue>;
}

/** envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy (fields Amime writes). */
export interface TcpProxy {
  stat_prefix: string;
  cluster?: string;
  weighted_clusters?: { clusters: Array<{ name: string; weight: number }> };
  idle_timeout?: Duration;
  access_log?: AccessLog[];
}

/** envoy.extensions.access_loggers.file.v3.FileAccessLog. */
export interface FileAccessLog {
  path: string;
  log_format?: { text_format_source?: { inline_string: string }; json_format?: Struct };
}

/** envoy.extensions.filters.http.router.v3.Router, envoy.extensions.filters.listener.*: empty configs. */
export type EmptyConfig = Record<string, never>;

/** envoy.extensions.upstreams.http.v3.HttpProtocolOptions (explicit HTTP/2 upstream). */
export interface HttpProtocolOptions {
  explicit_http_config: { http2_protocol_options: EmptyConfig } | { http_protocol_options: EmptyConfig };
}
