/**
 * Hand-built Envoy resources for the xDS tests, encoded with protobufjs from the
 * project's Envoy root: the proxyless gRPC subset (api_listener HCM → RDS → EDS
 * clusters → ClusterLoadAssignments).
 */
import { messageType } from '../../../src/proto/root.js';
import { TYPE_URL } from '../../../src/xds/type-urls.js';

function encode(typeName: string, obj: Record<string, unknown>): Uint8Array {
  const t = messageType(typeName);
  return t.encode(t.fromObject(obj)).finish();
}

function any(typeName: string, obj: Record<string, unknown>): { type_url: string; value: Uint8Array } {
  return { type_url: `type.googleapis.com/${typeName}`, value: encode(typeName, obj) };
}

export function apiListener(name: string, routeConfigName: string): Uint8Array {
  const hcm = any('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', {
    rds: { config_source: { ads: {}, resource_api_version: 'V3' }, route_config_name: routeConfigName },
    http_filters: [
      { name: 'router', typed_config: any('envoy.extensions.filters.http.router.v3.Router', {}) },
    ],
  });
  return encode('envoy.config.listener.v3.Listener', { name, api_listener: { api_listener: hcm } });
}

export function weightedRoute(name: string, domain: string, weights: Record<string, number>): Uint8Array {
  return encode('envoy.config.route.v3.RouteConfiguration', {
    name,
    virtual_hosts: [
      {
        name: `vh-${name}`,
        domains: [domain],
        routes: [
          {
            match: { prefix: '' },
            route: {
              weighted_clusters: {
                clusters: Object.entries(weights).map(([cluster, weight]) => ({
                  name: cluster,
                  weight: { value: weight },
                })),
              },
            },
          },
        ],
      },
    ],
  });
}

export function edsCluster(
  name: string,
  serviceName = name,
  extra: Record<string, unknown> = {},
): Uint8Array {
  return encode('envoy.config.cluster.v3.Cluster', {
    name,
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: serviceName },
    lb_policy: 'ROUND_ROBIN',
    ...extra,
  });
}

export function loadAssignment(
  clusterName: string,
  ports: readonly number[],
  host = '127.0.0.1',
): Uint8Array {
  return encode('envoy.config.endpoint.v3.ClusterLoadAssignment', {
    cluster_name: clusterName,
    endpoints: [
      {
        locality: { region: 'local' },
        load_balancing_weight: { value: 1 },
        lb_endpoints: ports.map((port) => ({
          endpoint: { address: { socket_address: { address: host, port_value: port } } },
          health_status: 'HEALTHY',
        })),
      },
    ],
  });
}

export interface SplitConfig {
  /** Target name: `xds:///<listener>`. */
  listener: string;
  route: string;
  /** cluster name → backend port. */
  backends: Record<string, number>;
  weights: Record<string, number>;
}

/** The full snapshot input for one proxyless client. */
export function splitSnapshot(c: SplitConfig): Record<string, Record<string, Uint8Array>> {
  const clusters: Record<string, Uint8Array> = {};
  const endpoints: Record<string, Uint8Array> = {};
  for (const [cluster, port] of Object.entries(c.backends)) {
    clusters[cluster] = edsCluster(cluster, `eds-${cluster}`);
    endpoints[`eds-${cluster}`] = loadAssignment(`eds-${cluster}`, [port]);
  }
  return {
    [TYPE_URL.Listener]: { [c.listener]: apiListener(c.listener, c.route) },
    [TYPE_URL.RouteConfiguration]: { [c.route]: weightedRoute(c.route, c.listener, c.weights) },
    [TYPE_URL.Cluster]: clusters,
    [TYPE_URL.ClusterLoadAssignment]: endpoints,
  };
}
