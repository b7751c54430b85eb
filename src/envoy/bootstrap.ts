/**
 * The Envoy bootstrap of a proxy served by Amime: what the agent inside the App Mesh
 * Envoy image wrote (aws/amazon-ecs-service-connect-agent@1ba8235
 * agent/envoy_bootstrap/envoy_bootstrap.go `bootstrap`, l.1499-1608), driven by the same
 * environment variables with the same defaults, pointed at Amime instead of the
 * regional App Mesh endpoint. One feature per file beside this one: the variables
 * (`bootstrap-env.ts`), runtime layer, stats, tracing, node metadata, the ADS channel,
 * and the user's config files merged last (`bootstrap-custom.ts`).
 *
 * Works with upstream Envoy (`envoy -c`), and with the App Mesh Envoy image through
 * `ENVOY_CONFIG_FILE` (which replaces the image's generated bootstrap).
 */
import { isIP } from 'node:net';
import { checkMessage } from './check/index.js';
import { encodePlain } from './encode-plain.js';
import { parseGroupKey } from './groups.js';
import { typedConfig, type PlainAny, toJsonView, type JsonObject, EXT } from '../proto/index.js';
import { FILTER } from './names.js';
import { EnvReader, type AgentEnvironment } from './bootstrap-env.js';
import {
  adsConfigSource,
  adsGrpcService,
  type AdsConfigSource,
  type GoogleGrpcService,
  type XdsAddress,
  type XdsTransport,
} from './bootstrap-ads.js';
import { layeredRuntime, runtimeValues, type LayeredRuntime } from './bootstrap-runtime.js';
import {
  statsConfig,
  statsFlushInterval,
  statsSinks,
  type MeshResource,
  type StatsSink,
  type TagSpecifier,
} from './bootstrap-stats.js';
import { tracing, type FileReader, type Tracing } from './bootstrap-tracing.js';
import { nodeMetadata } from './bootstrap-node.js';
import type { ProtoStruct } from './bootstrap-struct.js';
import type { Address, Cluster, Duration, FileAccessLog } from './types.js';

export type { XdsAddress, XdsTls, XdsTransport } from './bootstrap-ads.js';
export type { AgentEnvironment } from './bootstrap-env.js';
export { BootstrapEnvError } from './bootstrap-env.js';
export type { FileReader } from './bootstrap-tracing.js';

export const BOOTSTRAP_TYPE = 'envoy.config.bootstrap.v3.Bootstrap';
export const ADMIN_PORT = 9901;
/** App Mesh's admin access log (`{tmp}/envoy_admin_access.log`). */
export const ADMIN_ACCESS_LOG = '/tmp/envoy_admin_access.log';
/** The agent's admin socket with ENVOY_ADMIN_MODE=uds, mode 0600 (agent/config/agent_config.go l.60-62). */
export const ADMIN_SOCKET = '/tmp/envoy_admin.sock';

/** envoy.config.bootstrap.v3.Bootstrap (the fields Amime writes). */
export interface Bootstrap {
  node: { id: string; cluster: string; metadata: ProtoStruct };
  admin: { access_log: Array<{ name: string; typed_config: PlainAny }>; address: Address };
  static_resources?: { clusters: Cluster[] };
  dynamic_resources: {
    ads_config: { api_type: 'GRPC'; transport_api_version: 'V3'; grpc_services: GoogleGrpcService[] };
    cds_config: AdsConfigSource;
    lds_config: AdsConfigSource;
  };
  cluster_manager: { outlier_detection: { event_log_path: string } };
  layered_runtime: LayeredRuntime;
  stats_config?: { stats_tags: TagSpecifier[] };
  stats_flush_interval?: Duration;
  stats_sinks?: StatsSink[];
  tracing?: Tracing;
}

export interface BootstrapOptions {
  /** Node id: `mesh/<mesh>/virtualNode/<name>`, `…/virtualGateway/<name>` or the full ARN. */
  nodeId: string;
  /** `node.cluster`; else APPMESH_RESOURCE_CLUSTER, APPMESH_VIRTUAL_NODE_CLUSTER, the node id (as the agent). */
  cluster?: string;
  xds: XdsAddress;
  transport?: XdsTransport;
  /** Admin port; else ENVOY_ADMIN_ACCESS_PORT, else 9901. */
  adminPort?: number;
  /** Admin access log; else ENVOY_ADMIN_ACCESS_LOG_FILE, else App Mesh's. */
  adminAccessLogPath?: string;
  /** The App Mesh image's variables (ENABLE_ENVOY_STATS_TAGS, XRAY_*, …); none = App Mesh's defaults. */
  env?: AgentEnvironment;
  /** Reads files the variables name (XRAY_SAMPLING_RULE_MANIFEST), to check them; omit where Envoy's files are not. */
  readFile?: FileReader;
  /** The Envoy is the App Mesh image's: keep the runtime guards upstream Envoy removed (bootstrap-runtime.ts). */
  appMeshImage?: boolean;
}

/** `host:port`, `[v6]:port` or `unix:///path`. */
export function parseXdsAddress(text: string): XdsAddress | undefined {
  if (text.startsWith('unix://')) {
    const pipe = text.slice('unix://'.length);
    return pipe.startsWith('/') ? { pipe } : undefined;
  }
  if (text.includes(',')) {
    // Several replicas: IP literals of one family (gRPC's ipv4:/ipv6: targets); a DNS name
    // that resolves to every replica is the other way to give them.
    const replicas = text.split(',').map(hostPort);
    const family = replicas[0] ? isIP(replicas[0].host) : 0;
    if (family === 0 || replicas.some((r) => r === undefined || isIP(r.host) !== family)) return undefined;
    return { replicas: replicas as Array<{ host: string; port: number }> };
  }
  return hostPort(text);
}

function hostPort(text: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

/** Envoy deprecated `Bootstrap.tracing` in favour of each HCM's; App Mesh's agent set it, and Envoy still takes it. */
const CHECK_OPTIONS = { allowDeprecated: ['envoy.config.bootstrap.v3.Bootstrap.tracing'] };

/** Proto and protoc-gen-validate problems of a built bootstrap, one line each (none: Envoy can load it). */
export function bootstrapProblems(b: Bootstrap): string[] {
  return checkMessage(BOOTSTRAP_TYPE, b, CHECK_OPTIONS).problems.map(
    (p) => `${p.path || '(message)'}: ${p.message} [${p.rule}]`,
  );
}

/** The bootstrap as Envoy's JSON (snake_case, `@type` on typed configs), as `amime bootstrap` prints it. */
export function bootstrapJson(b: Bootstrap): JsonObject {
  return toJsonView(BOOTSTRAP_TYPE, encodePlain(BOOTSTRAP_TYPE, b));
}

/** Mesh, kind and name of a node id, as the agent split it. */
export function meshResourceOf(nodeId: string): MeshResource | undefined {
  const key = parseGroupKey(nodeId);
  if (!key || key.flavour !== 'envoy') return undefined;
  return { mesh: key.mesh, kind: key.kind, name: key.name };
}

function admin(env: EnvReader, opts: BootstrapOptions): Bootstrap['admin'] {
  const log: FileAccessLog = {
    path: opts.adminAccessLogPath ?? env.or('ENVOY_ADMIN_ACCESS_LOG_FILE', ADMIN_ACCESS_LOG),
  };
  const access_log = [{ name: FILTER.fileAccessLog, typed_config: typedConfig(EXT.fileAccessLog, log) }];
  if (env.get('ENVOY_ADMIN_MODE').toLowerCase() === 'uds')
    return { access_log, address: { pipe: { path: ADMIN_SOCKET, mode: 0o600 } } };
  const ipv6 = env.truthy('ENVOY_ADMIN_ACCESS_ENABLE_IPV6');
  const port = opts.adminPort ?? env.port('ENVOY_ADMIN_ACCESS_PORT', ADMIN_PORT);
  const address = {
    address: ipv6 ? '::' : '0.0.0.0',
    port_value: port,
    ...(ipv6 ? { ipv4_compat: true } : {}),
  };
  return { access_log, address: { socket_address: address } };
}

/**
 * Builds the bootstrap. Throws BootstrapEnvError (naming the variable) for a bad
 * variable, and Error for an id that names no proxy or an impossible transport.
 */
export function bootstrap(opts: BootstrapOptions): Bootstrap {
  const res = meshResourceOf(opts.nodeId);
  if (!res)
    throw new Error(
      `${opts.nodeId} is not a virtual node or virtual gateway id (mesh/<mesh>/virtualNode/<name>, …/virtualGateway/<name>, or the ARN)`,
    );
  const env = new EnvReader(opts.env ?? {});
  const cluster =
    opts.cluster ?? env.or('APPMESH_RESOURCE_CLUSTER', env.or('APPMESH_VIRTUAL_NODE_CLUSTER', opts.nodeId));
  const runtime = runtimeValues(env, opts.appMeshImage ?? false);
  const source = adsConfigSource(env);
  const trace = tracing(env, res, cluster, opts.readFile);
  const stats = statsConfig(env, res);
  const flush = statsFlushInterval(env);
  const sinks = statsSinks(env);
  return {
    node: { id: opts.nodeId, cluster, metadata: nodeMetadata(env, runtime) },
    admin: admin(env, opts),
    ...(trace && trace.clusters.length > 0 ? { static_resources: { clusters: trace.clusters } } : {}),
    dynamic_resources: {
      ads_config: {
        api_type: 'GRPC',
        transport_api_version: 'V3',
        grpc_services: [adsGrpcService(opts.xds, opts.transport)],
      },
      cds_config: source,
      lds_config: source,
    },
    cluster_manager: {
      outlier_detection: { event_log_path: env.or('ENVOY_OUTLIER_DETECTION_EVENT_LOG_PATH', '/dev/stdout') },
    },
    layered_runtime: layeredRuntime(runtime),
    ...(stats ? { stats_config: stats } : {}),
    ...(flush ? { stats_flush_interval: flush } : {}),
    ...(sinks.length > 0 ? { stats_sinks: sinks } : {}),
    ...(trace ? { tracing: trace.tracing } : {}),
  };
}
