/**
 * The HTTP connection manager App Mesh put on every HTTP listener: routes over RDS
 * (ADS), the router filter, websocket upgrades, path normalisation and merged slashes
 * (appmesh.md §4.2), the node's access log, and `tracing: {}` (present on every HTTP
 * connection manager of a real App Mesh config_dump, S1 of appmesh-observed.md: Envoy
 * traces requests when the bootstrap names a tracer, as ENABLE_ENVOY_XRAY_TRACING and
 * the like make `amime bootstrap` do). Proxyless gRPC clients get the subset they accept
 * (rds + router).
 */
import { typedConfig, EXT } from '../proto/index.js';
import { FILTER } from './names.js';
import type { ProxyFlavour } from './context.js';
import type { AccessLog, EmptyConfig, Filter, HttpConnectionManager, HttpFilter } from './types.js';

export interface HcmSpec {
  statPrefix: string;
  routeConfigName: string;
  accessLogs?: AccessLog[];
  flavour?: ProxyFlavour;
}

export const ROUTER_FILTER: HttpFilter = {
  name: FILTER.router,
  typed_config: typedConfig(EXT.router, {} satisfies EmptyConfig),
};

export function httpConnectionManager(spec: HcmSpec): HttpConnectionManager {
  const hcm: HttpConnectionManager = {
    stat_prefix: spec.statPrefix,
    rds: { config_source: { ads: {}, resource_api_version: 'V3' }, route_config_name: spec.routeConfigName },
    http_filters: [ROUTER_FILTER],
  };
  if (spec.flavour === 'grpc') return hcm;
  if (spec.accessLogs && spec.accessLogs.length > 0) hcm.access_log = spec.accessLogs;
  hcm.upgrade_configs = [{ upgrade_type: 'websocket' }];
  hcm.normalize_path = { value: true };
  hcm.merge_slashes = true;
  hcm.tracing = {};
  return hcm;
}

export function httpConnectionManagerFilter(spec: HcmSpec): Filter {
  return {
    name: FILTER.httpConnectionManager,
    typed_config: typedConfig(EXT.httpConnectionManager, httpConnectionManager(spec)),
  };
}
