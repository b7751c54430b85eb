/**
 * An Envoy bootstrap for a proxy served by Amime: node id and cluster as App Mesh set
 * them (appmesh.md §4.1b), everything dynamic over one ADS stream to Amime, admin on
 * 9901 with App Mesh's admin access log, and a static HTTP/2 cluster for the xDS
 * server. Works with upstream Envoy, and with the App Mesh Envoy image through
 * `ENVOY_CONFIG_FILE` (which replaces the image's generated bootstrap).
 */
import { isIP } from 'node:net';
import { typedConfig } from './proto/codec.js';
import { EXT } from './proto/types.js';
import { FILTER } from './names.js';
import { durationFromMillis } from './duration.js';
import { parseGroupKey } from './groups.js';
import type { Bootstrap, Cluster, FileAccessLog, HttpProtocolOptions } from './types.js';

export const BOOTSTRAP_TYPE = 'envoy.config.bootstrap.v3.Bootstrap';
export const XDS_CLUSTER = 'amime-xds';
export const ADMIN_PORT = 9901;
/** App Mesh's admin access log (`{tmp}/envoy_admin_access.log`). */
export const ADMIN_ACCESS_LOG = '/tmp/envoy_admin_access.log';

export type XdsAddress = { host: string; port: number } | { pipe: string };

export interface BootstrapOptions {
  /** Node id: `mesh/<mesh>/virtualNode/<name>`, `…/virtualGateway/<name>` or the full ARN. */
  nodeId: string;
  /** `node.cluster` (APPMESH_RESOURCE_CLUSTER); defaults to the node id, as App Mesh. */
  cluster?: string;
  xds: XdsAddress;
  adminPort?: number;
  adminAccessLogPath?: string;
}

/** `host:port`, `[v6]:port` or `unix:///path`. */
export function parseXdsAddress(text: string): XdsAddress | undefined {
  if (text.startsWith('unix://')) {
    const pipe = text.slice('unix://'.length);
    return pipe.startsWith('/') ? { pipe } : undefined;
  }
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

function xdsCluster(xds: XdsAddress): Cluster {
  const h2: HttpProtocolOptions = { explicit_http_config: { http2_protocol_options: {} } };
  const address =
    'pipe' in xds
      ? { pipe: { path: xds.pipe } }
      : { socket_address: { address: xds.host, port_value: xds.port } };
  return {
    name: XDS_CLUSTER,
    type: 'pipe' in xds || isIP(xds.host) !== 0 ? 'STATIC' : 'STRICT_DNS',
    connect_timeout: durationFromMillis(1000),
    load_assignment: {
      cluster_name: XDS_CLUSTER,
      endpoints: [{ lb_endpoints: [{ endpoint: { address } }] }],
    },
    typed_extension_protocol_options: {
      [FILTER.httpProtocolOptions]: typedConfig(EXT.httpProtocolOptions, h2),
    },
  };
}

export function bootstrap(opts: BootstrapOptions): Bootstrap {
  if (!parseGroupKey(opts.nodeId))
    throw new Error(
      `${opts.nodeId} is not a virtual node or virtual gateway id (mesh/<mesh>/virtualNode/<name>, …/virtualGateway/<name>, or the ARN)`,
    );
  const adminLog: FileAccessLog = { path: opts.adminAccessLogPath ?? ADMIN_ACCESS_LOG };
  const ads = { ads: {}, resource_api_version: 'V3' as const };
  return {
    node: { id: opts.nodeId, cluster: opts.cluster ?? opts.nodeId },
    admin: {
      access_log: [{ name: FILTER.fileAccessLog, typed_config: typedConfig(EXT.fileAccessLog, adminLog) }],
      address: { socket_address: { address: '0.0.0.0', port_value: opts.adminPort ?? ADMIN_PORT } },
    },
    static_resources: { clusters: [xdsCluster(opts.xds)] },
    dynamic_resources: {
      ads_config: {
        api_type: 'GRPC',
        transport_api_version: 'V3',
        grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER } }],
        set_node_on_first_message_only: true,
      },
      cds_config: ads,
      lds_config: ads,
    },
  };
}
