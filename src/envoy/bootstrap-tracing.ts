/**
 * The tracer the App Mesh agent put in the bootstrap: at most one of X-Ray, Datadog or
 * Jaeger (Zipkin protocol), chosen by ENABLE_ENVOY_{XRAY,DATADOG,JAEGER}_TRACING, none
 * when ENVOY_TRACING_CFG_FILE supplies the tracing config
 * (aws/amazon-ecs-service-connect-agent@1ba8235 agent/envoy_bootstrap/envoy_bootstrap.go
 * l.707-875 X-Ray, l.905-969 Datadog, l.971-1035 Jaeger, l.1107-1131 the choice; the
 * variables and defaults are also in the App Mesh user guide "Envoy configuration
 * variables", appmesh-observed.md S14).
 *
 * One difference on purpose: for XRAY_SAMPLING_RATE the agent wrote
 * `/tmp/sampling-rules.json` inside the container and pointed Envoy at it; the same
 * manifest is given to Envoy inline here, since `amime bootstrap` and the injector
 * do not run where Envoy runs.
 */
import { isIP } from 'node:net';
import { typedConfig, type PlainAny } from '../proto/index.js';
import { durationFromSeconds } from './duration.js';
import { BootstrapEnvError, type EnvReader } from './bootstrap-env.js';
import type { MeshResource } from './bootstrap-stats.js';
import { toProtoStruct } from './bootstrap-struct.js';
import type { Cluster } from './types.js';

export const XRAY_CONFIG = 'envoy.config.trace.v3.XRayConfig';
export const DATADOG_CONFIG = 'envoy.config.trace.v3.DatadogConfig';
export const ZIPKIN_CONFIG = 'envoy.config.trace.v3.ZipkinConfig';

export interface Tracing {
  http: { name: string; typed_config: PlainAny };
}

export interface TracingPart {
  tracing: Tracing;
  /** The collector's static cluster (Datadog, Jaeger). */
  clusters: Cluster[];
}

/** Reads a file the configuration names; absent when the files are not where Envoy runs (injector). */
export type FileReader = (path: string) => string;

export function tracing(
  env: EnvReader,
  res: MeshResource | undefined,
  cluster: string,
  readFile?: FileReader,
): TracingPart | undefined {
  if (env.get('ENVOY_TRACING_CFG_FILE') !== '') return undefined;
  const xray = env.truthy('ENABLE_ENVOY_XRAY_TRACING');
  const datadog = env.truthy('ENABLE_ENVOY_DATADOG_TRACING');
  const jaeger = env.truthy('ENABLE_ENVOY_JAEGER_TRACING');
  if (Number(xray) + Number(datadog) + Number(jaeger) > 1)
    throw new BootstrapEnvError(
      'ENABLE_ENVOY_XRAY_TRACING',
      'Only a single envoy trace driver can be configured; please enable only one of ENABLE_ENVOY_XRAY_TRACING, ENABLE_ENVOY_DATADOG_TRACING or ENABLE_ENVOY_JAEGER_TRACING.',
    );
  if (xray) return xrayTracing(env, res, cluster, readFile);
  if (datadog) return datadogTracing(env, res);
  if (jaeger) return jaegerTracing(env);
  return undefined;
}

function xrayTracing(
  env: EnvReader,
  res: MeshResource | undefined,
  cluster: string,
  readFile?: FileReader,
): TracingPart {
  const { address, port } = xrayDaemon(env);
  const manifest = samplingRuleManifest(env, readFile);
  const config = {
    segment_name: res ? env.or('XRAY_SEGMENT_NAME', `${res.mesh}/${res.name}`) : cluster,
    daemon_endpoint: { protocol: 'UDP', address, port_value: port },
    ...(manifest ? { sampling_rule_manifest: manifest } : {}),
    segment_fields: {
      origin: 'AWS::AppMesh::Proxy',
      // The agent always says virtual_node_name, for gateways too (l.837-848).
      ...(res
        ? { aws: toProtoStruct({ app_mesh: { mesh_name: res.mesh, virtual_node_name: res.name } }) }
        : {}),
    },
  };
  return {
    tracing: { http: { name: 'envoy.tracers.xray', typed_config: typedConfig(XRAY_CONFIG, config) } },
    clusters: [],
  };
}

/** XRAY_DAEMON_PORT, or AWS_XRAY_DAEMON_ADDRESS (`ip` or `ip:port`, which wins); an IP, as the X-Ray tracer requires. */
function xrayDaemon(env: EnvReader): { address: string; port: number } {
  let port = env.port('XRAY_DAEMON_PORT', 2000);
  let address = '127.0.0.1';
  const v = env.get('AWS_XRAY_DAEMON_ADDRESS');
  if (v !== '') {
    const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(v) ?? /^([^:]+):(\d{1,5})$/.exec(v);
    address = m ? (m[1] as string) : v;
    if (m) port = Number(m[2]);
    if (isIP(address) === 0 || port < 1 || port > 65535)
      throw new BootstrapEnvError(
        'AWS_XRAY_DAEMON_ADDRESS',
        `AWS_XRAY_DAEMON_ADDRESS ("${v}") must be a static IPv4 or IPv6 address such as "127.0.0.1", optionally with a port.`,
      );
  }
  return { address, port };
}

type DataSource = { filename: string } | { inline_string: string };

/**
 * XRAY_SAMPLING_RULE_MANIFEST (a file, checked like the X-Ray SDK does when it can be
 * read) or XRAY_SAMPLING_RATE (0 to 1; 0.05, X-Ray's own default, needs no manifest)
 * (envoy_bootstrap.go l.741-803).
 */
function samplingRuleManifest(env: EnvReader, readFile?: FileReader): DataSource | undefined {
  const file = env.get('XRAY_SAMPLING_RULE_MANIFEST');
  if (file !== '') {
    if (readFile) checkSamplingManifest(file, readFile);
    return { filename: file };
  }
  const rate = env.get('XRAY_SAMPLING_RATE');
  if (rate === '') return undefined;
  const n = Number(rate);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(rate) || n < 0 || n > 1)
    throw new BootstrapEnvError(
      'XRAY_SAMPLING_RATE',
      `XRAY_SAMPLING_RATE environment variable ("${rate}") must be a decimal between 0 and 1.00 (100%)`,
    );
  const rounded = Math.round(n * 100) / 100;
  if (rounded === 0.05) return undefined;
  // The JSON the X-Ray SDK's RuleManifest marshals to, as the agent wrote it.
  const property = {
    service_name: '',
    host: '',
    http_method: '',
    url_path: '',
    fixed_target: 1,
    rate: rounded,
  };
  return { inline_string: JSON.stringify({ version: 2, default: property, rules: [] }) };
}

function checkSamplingManifest(file: string, readFile: FileReader): void {
  const fail = (why: string) =>
    new BootstrapEnvError(
      'XRAY_SAMPLING_RULE_MANIFEST',
      `validation failed for file XRAY_SAMPLING_RULE_MANIFEST="${file}": ${why}`,
    );
  let doc: unknown;
  try {
    doc = JSON.parse(readFile(file));
  } catch (e) {
    throw fail((e as Error).message);
  }
  const m = (doc ?? {}) as { version?: unknown; default?: Record<string, unknown>; rules?: unknown };
  if (m.version === 1) throw fail('version 1 is not supported');
  if (m.version !== 2) throw fail(`sampling rule manifest version ${String(m.version)} not supported`);
  const d = m.default;
  if (typeof d !== 'object' || d === null) throw fail('sampling rule manifest must include a default rule');
  if (d.url_path || d.service_name || d.http_method)
    throw fail('the default rule must not specify values for url_path, service_name, or http_method');
  const negative = (r: Record<string, unknown>) => Number(r.fixed_target ?? 0) < 0 || Number(r.rate ?? 0) < 0;
  if (negative(d)) throw fail('the default rule must specify non-negative values for fixed_target and rate');
  for (const r of Array.isArray(m.rules) ? (m.rules as Array<Record<string, unknown>>) : []) {
    if (negative(r)) throw fail('all rules must have non-negative values for fixed_target and rate');
    if (r.service_name || !r.host || !r.http_method || !r.url_path)
      throw fail('all non-default rules must have values for url_path, host, and http_method');
  }
}

/** A collector reached by name: STRICT_DNS, 1 s connect timeout, as the agent wrote it. */
function collectorCluster(name: string, address: string, port: number): Cluster {
  return {
    name,
    connect_timeout: durationFromSeconds(1),
    type: 'STRICT_DNS',
    lb_policy: 'ROUND_ROBIN',
    load_assignment: {
      cluster_name: name,
      endpoints: [
        { lb_endpoints: [{ endpoint: { address: { socket_address: { address, port_value: port } } } }] },
      ],
    },
  };
}

function datadogTracing(env: EnvReader, res: MeshResource | undefined): TracingPart {
  const port = env.port('DATADOG_TRACER_PORT', 8126);
  const address = env.or('DATADOG_TRACER_ADDRESS', '127.0.0.1');
  const service = env.or('DD_SERVICE', res ? `envoy-${res.mesh}/${res.name}` : 'envoy');
  const config = { collector_cluster: 'datadog_agent', service_name: service };
  return {
    tracing: { http: { name: 'envoy.tracers.datadog', typed_config: typedConfig(DATADOG_CONFIG, config) } },
    clusters: [collectorCluster('datadog_agent', address, port)],
  };
}

function jaegerTracing(env: EnvReader): TracingPart {
  const port = env.port('JAEGER_TRACER_PORT', 9411);
  const address = env.or('JAEGER_TRACER_ADDRESS', '127.0.0.1');
  // Zipkin in protobuf unless JAEGER_TRACER_VERSION says json (e.g. for an OTel collector).
  const json = env.get('JAEGER_TRACER_VERSION').toLowerCase().includes('json');
  const config = {
    collector_cluster: 'jaeger',
    collector_endpoint: '/api/v2/spans',
    collector_endpoint_version: json ? 'HTTP_JSON' : 'HTTP_PROTO',
    shared_span_context: { value: false },
  };
  return {
    tracing: { http: { name: 'envoy.tracers.zipkin', typed_config: typedConfig(ZIPKIN_CONFIG, config) } },
    clusters: [collectorCluster('jaeger', address, port)],
  };
}
