/**
 * The HTTP connection manager App Mesh put on every HTTP listener: routes over RDS
 * (ADS), the router filter, websocket upgrades, path normalisation and merged slashes
 * (appmesh.md §4.2), the node's access log, and `tracing: {}` (present on every HTTP
 * connection manager of a real App Mesh config_dump, S1 of appmesh-observed.md: Envoy
 * traces requests when the bootstrap names a tracer, as ENABLE_ENVOY_XRAY_TRACING and
 * the like make `amime bootstrap` do). Proxyless gRPC clients get the subset they accept
 * (rds + router).
 */
import type { ProxyFlavour } from './context.js';
import type { AccessLogIR, HcmIR, NetworkFilterIR } from './ir/types.js';

export interface HcmSpec {
  statPrefix: string;
  routeConfigName: string;
  accessLogs?: AccessLogIR[];
  flavour?: ProxyFlavour;
}

export function httpConnectionManager(spec: HcmSpec): HcmIR {
  const hcm: HcmIR = { statPrefix: spec.statPrefix, routeConfigName: spec.routeConfigName };
  if (spec.flavour === 'grpc') return hcm;
  if (spec.accessLogs && spec.accessLogs.length > 0) hcm.accessLogs = spec.accessLogs;
  return { ...hcm, websocket: true, normalizePath: true, mergeSlashes: true, tracing: true };
}

export function httpConnectionManagerFilter(spec: HcmSpec): NetworkFilterIR {
  return { httpConnectionManager: httpConnectionManager(spec) };
}
