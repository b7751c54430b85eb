/**
 * ClusterIR → Envoy Cluster. An IR cluster shared between groups (or kept by the
 * Translator across runs) is one object, so its Envoy cluster is one object too, and
 * its bytes are encoded once (shared.ts).
 */
import { EXT, typedConfig } from '../../proto/index.js';
import type { ClusterIR, InlineEndpointIR } from '../ir/types.js';
import { FILTER } from '../names.js';
import type { Cluster, HttpProtocolOptions, LbEndpoint } from '../types.js';
import { durationFromMillis } from '../duration.js';
import { circuitBreakers } from './circuit-breakers.js';
import { healthCheck } from './health-check.js';
import { outlierDetection } from './outlier.js';
import { transportSocket } from './tls.js';
import { emitShared } from './shared.js';
import { aggregateStats } from '../aggregate-stats.js';

const ADS_EDS = { eds_config: { ads: {}, resource_api_version: 'V3' as const } };
const HTTP2: HttpProtocolOptions = { explicit_http_config: { http2_protocol_options: {} } };
const HTTP2_OPTIONS = { [FILTER.httpProtocolOptions]: typedConfig(EXT.httpProtocolOptions, HTTP2) };

export function cluster(ir: ClusterIR): Cluster {
  return emitShared(ir, build);
}

function build(ir: ClusterIR): Cluster {
  const d = ir.discovery;
  const out: Cluster = {
    name: ir.name,
    type: d.type,
    connect_timeout: durationFromMillis(ir.connectTimeout),
  };
  if (ir.lbPolicy) out.lb_policy = ir.lbPolicy;
  if (ir.limits) out.circuit_breakers = circuitBreakers(ir.limits);
  switch (d.type) {
    case 'STATIC':
      out.load_assignment = {
        cluster_name: ir.name,
        endpoints: d.endpoints.length > 0 ? [{ lb_endpoints: d.endpoints.map(inlineEndpoint) }] : [],
      };
      break;
    case 'LOGICAL_DNS':
    case 'STRICT_DNS':
      if (d.dnsLookupFamily) out.dns_lookup_family = d.dnsLookupFamily;
      out.load_assignment = {
        cluster_name: ir.name,
        endpoints: [
          {
            lb_endpoints: [
              inlineEndpoint({
                address: d.hostname,
                port: d.port,
                ...(d.healthCheckPort !== undefined ? { healthCheckPort: d.healthCheckPort } : {}),
              }),
            ],
          },
        ],
      };
      break;
    case 'EDS':
      out.eds_cluster_config = ADS_EDS;
      break;
    case 'ORIGINAL_DST':
      break;
  }
  if (ir.outlierDetection) out.outlier_detection = outlierDetection(ir.outlierDetection);
  if (ir.healthChecks) out.health_checks = ir.healthChecks.map(healthCheck);
  if (ir.http2) out.typed_extension_protocol_options = HTTP2_OPTIONS;
  if (ir.tls) out.transport_socket = transportSocket(ir.tls);
  if (ir.statsTags) out.metadata = aggregateStats(ir.statsTags);
  return out;
}

function inlineEndpoint(e: InlineEndpointIR): LbEndpoint {
  if ('pipe' in e) return { endpoint: { address: { pipe: { path: e.pipe } } } };
  return {
    endpoint: {
      address: { socket_address: { address: e.address, port_value: e.port } },
      ...(e.healthCheckPort !== undefined ? { health_check_config: { port_value: e.healthCheckPort } } : {}),
    },
  };
}
