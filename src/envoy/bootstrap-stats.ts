/**
 * Stats as the App Mesh agent configured them (aws/amazon-ecs-service-connect-agent@1ba8235
 * agent/envoy_bootstrap/envoy_bootstrap.go l.84-86, 1133-1259 and
 * metric_filter/metric_filter.go l.44-88):
 *
 * - tags: with ENABLE_ENVOY_STATS_TAGS, `appmesh.mesh` and `appmesh.virtual_node` /
 *   `appmesh.virtual_gateway` as fixed values (the dimensions AWS's own dashboards
 *   query, appmesh-observed.md S20); with APPMESH_METRIC_EXTENSION_VERSION=1 the metrics
 *   extension's `TargetVirtualNode`, `TargetVirtualService`, `Mesh`, `VirtualNode` /
 *   `VirtualGateway`; always the `appmesh.listener_protocol`, `appmesh.listener_port`
 *   and `envoy_rds_route_config` regexes for multi-listener stat prefixes (S3). None of
 *   it when ENVOY_STATS_CONFIG_FILE supplies the stats config instead.
 * - `stats_flush_interval` from ENVOY_STATS_FLUSH_INTERVAL (a Go duration).
 * - a DogStatsD sink with ENABLE_ENVOY_DOG_STATSD (UDP STATSD_ADDRESS:STATSD_PORT, default
 *   127.0.0.1:8125, or the Unix socket STATSD_SOCKET_PATH), unless
 *   ENVOY_STATS_SINKS_CFG_FILE supplies the sinks.
 */
import { isIP } from 'node:net';
import { typedConfig, type PlainAny } from '../proto/index.js';
import { BootstrapEnvError, parseGoDuration, type EnvReader } from './bootstrap-env.js';
import type { Duration } from './types.js';

/** The parts of a node id the agent reads (getMeshResourceFromNodeId, l.181-197). */
export interface MeshResource {
  mesh: string;
  kind: 'virtualNode' | 'virtualGateway';
  name: string;
}

export type TagSpecifier = { tag_name: string; regex: string } | { tag_name: string; fixed_value: string };

const LISTENER_PROTOCOL_REGEX = '.*?\\.ingress\\.((\\w+?)\\.)[0-9]+?\\.(.+?)$';
const LISTENER_PORT_REGEX = '.*?\\.ingress\\.\\w+?\\.(([0-9]+?)\\.)(.+?)$';
const RDS_ROUTE_CONFIG_REGEX = '.*?\\.ingress\\.\\w+?\\.[0-9]+?\\.rds\\.((.*?)\\.)(.+?)$';
const TARGET_VIRTUAL_NODE_REGEX =
  '^appmesh(?:\\..+?\\..+?)*(\\.TargetVirtualNode\\.(.+?))(?:\\..+?\\..+?)*\\.(?:.+)$';
const TARGET_VIRTUAL_SERVICE_REGEX =
  '^appmesh(?:\\..+?\\..+?)*(\\.TargetVirtualService\\.([^MVT]+))(?:\\..+?\\..+?)*\\.(?:.+)$';

const SNAKE: Record<MeshResource['kind'], string> = {
  virtualNode: 'virtual_node',
  virtualGateway: 'virtual_gateway',
};
const UPPER_CAMEL: Record<MeshResource['kind'], string> = {
  virtualNode: 'VirtualNode',
  virtualGateway: 'VirtualGateway',
};

/** Whether the metrics extension's level-1 tags and node metadata are on. */
export function metricExtensionOn(env: EnvReader): boolean {
  return env.or('APPMESH_METRIC_EXTENSION_VERSION', '0') === '1';
}

export function statsConfig(env: EnvReader, res: MeshResource): { stats_tags: TagSpecifier[] } | undefined {
  if (env.get('ENVOY_STATS_CONFIG_FILE') !== '') return undefined;
  const tags: TagSpecifier[] = [];
  if (env.truthy('ENABLE_ENVOY_STATS_TAGS')) {
    tags.push(
      { tag_name: 'appmesh.mesh', fixed_value: res.mesh },
      { tag_name: `appmesh.${SNAKE[res.kind]}`, fixed_value: res.name },
    );
  }
  if (metricExtensionOn(env)) {
    // TargetVirtualService's regex is greedy: it must stay after TargetVirtualNode.
    tags.push(
      { tag_name: 'TargetVirtualNode', regex: TARGET_VIRTUAL_NODE_REGEX },
      { tag_name: 'TargetVirtualService', regex: TARGET_VIRTUAL_SERVICE_REGEX },
      { tag_name: 'Mesh', fixed_value: res.mesh },
      { tag_name: UPPER_CAMEL[res.kind], fixed_value: res.name },
    );
  }
  tags.push(
    { tag_name: 'appmesh.listener_protocol', regex: LISTENER_PROTOCOL_REGEX },
    { tag_name: 'appmesh.listener_port', regex: LISTENER_PORT_REGEX },
    { tag_name: 'envoy_rds_route_config', regex: RDS_ROUTE_CONFIG_REGEX },
  );
  return { stats_tags: tags };
}

/** Envoy's own bounds on stats_flush_interval (bootstrap.proto: gte 1ms, lt 300s). */
export function statsFlushInterval(env: EnvReader): Duration | undefined {
  const v = env.get('ENVOY_STATS_FLUSH_INTERVAL');
  if (v === '') return undefined;
  const ns = parseGoDuration(v);
  if (ns === undefined)
    throw new BootstrapEnvError(
      'ENVOY_STATS_FLUSH_INTERVAL',
      `ENVOY_STATS_FLUSH_INTERVAL environment variable ("${v}") must be a duration such as 5s, 500ms or 1m.`,
    );
  if (ns < 1e6 || ns >= 300e9)
    throw new BootstrapEnvError(
      'ENVOY_STATS_FLUSH_INTERVAL',
      `ENVOY_STATS_FLUSH_INTERVAL environment variable ("${v}") must be at least 1ms and less than 300s (Envoy's limits).`,
    );
  const seconds = Math.floor(ns / 1e9);
  const nanos = Math.round(ns - seconds * 1e9);
  return nanos === 0 ? { seconds } : { seconds, nanos };
}

export interface StatsSink {
  name: string;
  typed_config: PlainAny;
}

export const DOG_STATSD_SINK = 'envoy.config.metrics.v3.DogStatsdSink';

export function statsSinks(env: EnvReader): StatsSink[] {
  if (env.get('ENVOY_STATS_SINKS_CFG_FILE') !== '' || !env.truthy('ENABLE_ENVOY_DOG_STATSD')) return [];
  const socket = env.get('STATSD_SOCKET_PATH');
  let address: object;
  if (socket !== '') address = { pipe: { path: socket } };
  else {
    const host = env.or('STATSD_ADDRESS', '127.0.0.1');
    // Envoy takes no host name for a UDP sink address.
    if (isIP(host) === 0)
      throw new BootstrapEnvError(
        'STATSD_ADDRESS',
        `STATSD_ADDRESS environment variable ("${host}") must be an IPv4 or IPv6 address such as "127.0.0.1".`,
      );
    address = {
      socket_address: { protocol: 'UDP', address: host, port_value: env.port('STATSD_PORT', 8125) },
    };
  }
  return [{ name: 'envoy.stat_sinks.dog_statsd', typed_config: typedConfig(DOG_STATSD_SINK, { address }) }];
}
