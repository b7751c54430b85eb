/**
 * ListenerIR → Envoy Listener: socket listeners with their filter chains (HTTP
 * connection manager or tcp_proxy, TLS), and proxyless clients' api_listeners. Chains
 * and access logs shared between groups in the IR are one Envoy object each, so their
 * typed configs are encoded once (shared.ts).
 */
import { EXT, typedConfig } from '../../proto/index.js';
import { durationFromMillis } from '../duration.js';
import type {
  AccessLogIR,
  FilterChainIR,
  HcmIR,
  ListenerIR,
  NetworkFilterIR,
  SocketListenerIR,
  TcpProxyIR,
} from '../ir/types.js';
import { FILTER } from '../names.js';
import type {
  AccessLog,
  EmptyConfig,
  FileAccessLog,
  Filter,
  FilterChain,
  HttpConnectionManager,
  HttpFilter,
  Listener,
  ListenerFilter,
  TcpProxy,
} from '../types.js';
import { emitShared } from './shared.js';
import { aggregateStats } from '../aggregate-stats.js';
import { transportSocket } from './tls.js';

const LISTENER_FILTERS: Record<'original_dst' | 'tls_inspector', ListenerFilter> = {
  original_dst: {
    name: FILTER.originalDst,
    typed_config: typedConfig(EXT.originalDst, {} satisfies EmptyConfig),
  },
  tls_inspector: {
    name: FILTER.tlsInspector,
    typed_config: typedConfig(EXT.tlsInspector, {} satisfies EmptyConfig),
  },
};
const ROUTER_FILTER: HttpFilter = {
  name: FILTER.router,
  typed_config: typedConfig(EXT.router, {} satisfies EmptyConfig),
};
const ADS = { ads: {}, resource_api_version: 'V3' as const };

export function listener(ir: ListenerIR): Listener {
  return emitShared(ir, (l) =>
    'apiListener' in l
      ? { name: l.name, api_listener: { api_listener: hcmConfig(l.apiListener) } }
      : socket(l),
  );
}

function socket(l: SocketListenerIR): Listener {
  const out: Listener = {
    name: l.name,
    address: { socket_address: { address: l.address, port_value: l.port } },
    traffic_direction: l.direction,
  };
  if (l.listenerFilters) out.listener_filters = l.listenerFilters.map((f) => LISTENER_FILTERS[f]);
  out.filter_chains = l.filterChains.map(filterChain);
  if (l.defaultFilterChain) out.default_filter_chain = filterChain(l.defaultFilterChain);
  if (l.statsTags) out.metadata = aggregateStats(l.statsTags);
  return out;
}

function filterChain(ir: FilterChainIR): FilterChain {
  return emitShared(ir, (c) => {
    const out: FilterChain = {};
    if (c.name !== undefined) out.name = c.name;
    if (c.match) {
      const m = c.match;
      out.filter_chain_match = {
        ...(m.destinationPort !== undefined ? { destination_port: { value: m.destinationPort } } : {}),
        ...(m.serverNames ? { server_names: m.serverNames } : {}),
        ...(m.transportProtocol ? { transport_protocol: m.transportProtocol } : {}),
      };
    }
    out.filters = c.filters.map(networkFilter);
    if (c.tls) out.transport_socket = transportSocket(c.tls);
    return out;
  });
}

function networkFilter(f: NetworkFilterIR): Filter {
  if ('httpConnectionManager' in f)
    return { name: FILTER.httpConnectionManager, typed_config: hcmConfig(f.httpConnectionManager) };
  return { name: FILTER.tcpProxy, typed_config: typedConfig(EXT.tcpProxy, tcpProxy(f.tcpProxy)) };
}

/** The connection manager as a typed config (a proxyless client's shared HCM: one Any, encoded once). */
function hcmConfig(ir: HcmIR): ReturnType<typeof typedConfig> {
  return emitShared(ir, (h) => typedConfig(EXT.httpConnectionManager, hcm(h)));
}

function hcm(h: HcmIR): HttpConnectionManager {
  const out: HttpConnectionManager = {
    stat_prefix: h.statPrefix,
    rds: { config_source: ADS, route_config_name: h.routeConfigName },
    http_filters: [ROUTER_FILTER],
  };
  if (h.accessLogs && h.accessLogs.length > 0) out.access_log = h.accessLogs.map(accessLog);
  if (h.websocket) out.upgrade_configs = [{ upgrade_type: 'websocket' }];
  if (h.normalizePath) out.normalize_path = { value: true };
  if (h.mergeSlashes) out.merge_slashes = true;
  if (h.tracing) out.tracing = {};
  return out;
}

function tcpProxy(t: TcpProxyIR): TcpProxy {
  const out: TcpProxy = { stat_prefix: t.statPrefix };
  const only = t.clusters.length === 1 ? t.clusters[0] : undefined;
  if (only) out.cluster = only.name;
  else out.weighted_clusters = { clusters: t.clusters.map((c) => ({ name: c.name, weight: c.weight })) };
  if (t.idleTimeout !== undefined) out.idle_timeout = durationFromMillis(t.idleTimeout);
  if (t.accessLogs && t.accessLogs.length > 0) out.access_log = t.accessLogs.map(accessLog);
  return out;
}

function accessLog(ir: AccessLogIR): AccessLog {
  return emitShared(ir, (a) => {
    const config: FileAccessLog = { path: a.path };
    const f = a.format;
    if (f && 'text' in f) config.log_format = { text_format_source: { inline_string: f.text } };
    else if (f) {
      const fields: Record<string, { stringValue: string }> = {};
      for (const { key, value } of f.json) fields[key] = { stringValue: value };
      config.log_format = { json_format: { fields } };
    }
    return { name: FILTER.fileAccessLog, typed_config: typedConfig(EXT.fileAccessLog, config) };
  });
}
