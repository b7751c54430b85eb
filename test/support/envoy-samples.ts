/**
 * A small, valid proxy group in App Mesh's naming, written the way translation code
 * writes resources (plain keepCase objects, nested Anys through typedConfig). Tests
 * break one thing at a time in a fresh copy; the bench builds many clusters from it.
 */
import { typedConfig, EXT } from '../../src/proto/index.js';
import type { ResourceSet } from '../../src/envoy/index.js';

type Obj = Record<string, unknown>;

export const ADS = { ads: {}, resource_api_version: 'V3' };

export function sampleHcm(overrides: Obj = {}): Obj {
  return {
    stat_prefix: 'ingress_http_8080',
    codec_type: 'AUTO',
    rds: { config_source: ADS, route_config_name: 'rds_ingress_http_8080' },
    http_filters: [{ name: 'envoy.filters.http.router', typed_config: typedConfig(EXT.router, {}) }],
    access_log: [
      {
        name: 'envoy.access_loggers.file',
        typed_config: typedConfig(EXT.fileAccessLog, {
          path: '/dev/stdout',
          log_format: {
            text_format_source: {
              inline_string:
                '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%" %RESPONSE_CODE%\n',
            },
          },
        }),
      },
    ],
    stream_idle_timeout: { nanos: 500_000_000 },
    max_request_headers_kb: { value: 60 },
    ...overrides,
  };
}

export function sampleListener(hcm: Obj = sampleHcm()): Obj {
  return {
    name: 'lds_ingress_0.0.0.0_15000',
    address: { socket_address: { address: '0.0.0.0', port_value: 15000 } },
    traffic_direction: 'INBOUND',
    filter_chains: [
      {
        filter_chain_match: { destination_port: { value: 8080 } },
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: typedConfig(EXT.httpConnectionManager, hcm),
          },
        ],
      },
    ],
  };
}

export function sampleCluster(name = 'cds_egress_mesh-1_svc-b_http_8080'): Obj {
  return {
    name,
    type: 'EDS',
    eds_cluster_config: { eds_config: ADS },
    connect_timeout: { seconds: 1 },
    lb_policy: 'ROUND_ROBIN',
    circuit_breakers: {
      thresholds: [
        {
          priority: 'DEFAULT',
          max_connections: { value: 1024 },
          max_pending_requests: { value: 1024 },
          max_requests: { value: 1024 },
          max_retries: { value: 3 },
        },
      ],
    },
    outlier_detection: {
      consecutive_5xx: { value: 5 },
      interval: { seconds: 10 },
      base_ejection_time: { seconds: 30 },
      max_ejection_percent: { value: 50 },
    },
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': typedConfig(EXT.httpProtocolOptions, {
        explicit_http_config: { http_protocol_options: {} },
        common_http_protocol_options: { idle_timeout: { seconds: 300 } },
      }),
    },
    metadata: { filter_metadata: { 'amime.io': { fields: { mesh: { stringValue: 'mesh-1' } } } } },
  };
}

export function sampleRoutes(): Obj {
  return {
    name: 'rds_ingress_http_8080',
    virtual_hosts: [
      {
        name: 'svc-b',
        domains: ['svc-b.apps.svc.cluster.local', 'svc-b.apps.svc.cluster.local:8080'],
        routes: [
          {
            match: { prefix: '/' },
            route: {
              weighted_clusters: {
                clusters: [
                  { name: 'cds_egress_mesh-1_svc-b_http_8080', weight: { value: 90 } },
                  { name: 'cds_egress_mesh-1_svc-b-v2_http_8080', weight: { value: 10 } },
                ],
              },
              timeout: { seconds: 15 },
              retry_policy: {
                retry_on: '5xx,reset',
                num_retries: { value: 2 },
                per_try_timeout: { nanos: 250_000_000 },
              },
            },
          },
        ],
      },
    ],
    validate_clusters: { value: false },
  };
}

export function sampleEndpoints(clusterName = 'cds_egress_mesh-1_svc-b_http_8080', ip = '10.0.0.1'): Obj {
  return {
    cluster_name: clusterName,
    endpoints: [
      {
        locality: { zone: 'us-west-2a' },
        lb_endpoints: [
          {
            endpoint: { address: { socket_address: { address: ip, port_value: 8080 } } },
            health_status: 'HEALTHY',
            load_balancing_weight: { value: 1 },
          },
        ],
      },
    ],
  };
}

/** A fresh, valid, self-consistent proxy group. */
export function sampleSet(): ResourceSet & {
  listeners: Obj[];
  routes: Obj[];
  clusters: Obj[];
  endpoints: Obj[];
  secrets: Obj[];
} {
  return {
    listeners: [sampleListener()],
    routes: [sampleRoutes()],
    clusters: [sampleCluster(), sampleCluster('cds_egress_mesh-1_svc-b-v2_http_8080')],
    endpoints: [sampleEndpoints(), sampleEndpoints('cds_egress_mesh-1_svc-b-v2_http_8080', '10.0.0.2')],
    secrets: [],
  };
}
