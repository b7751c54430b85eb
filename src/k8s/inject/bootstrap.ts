/**
 * The Envoy bootstrap an injected proxy starts with: node id = App Mesh's
 * `mesh/<mesh>/virtualNode|virtualGateway/<name>`, one ADS stream to Amime's xDS
 * service (HTTP/2, state of the world, v3), everything else from xDS, and the admin
 * interface on the App Mesh port. The bearer token is a placeholder that the
 * container's start script replaces with the pod's projected service-account token,
 * read afresh at every container start.
 *
 * TODO(envoy): src/envoy/bootstrap.ts is to own the bootstrap; switch to it when it lands.
 */

export const TOKEN_PLACEHOLDER = '@@AMIME_XDS_TOKEN@@';
export const XDS_CLUSTER = 'amime_xds';

export interface BootstrapOptions {
  nodeId: string;
  /** `node.cluster` (App Mesh: APPMESH_RESOURCE_CLUSTER, default the node id). */
  cluster?: string;
  xdsHost: string;
  xdsPort: number;
  adminPort: number;
  adminAccessLogFile: string;
  /** Send `authorization: Bearer <token>` on the ADS stream. */
  tokenAuth: boolean;
  /** Extra node metadata (pod name/namespace, for CSDS and logs). */
  metadata?: Record<string, string>;
}

export function envoyBootstrap(o: BootstrapOptions): Record<string, unknown> {
  return {
    node: { id: o.nodeId, cluster: o.cluster ?? o.nodeId, ...(o.metadata ? { metadata: o.metadata } : {}) },
    admin: {
      access_log: [{ name: 'envoy.access_loggers.file', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog', path: o.adminAccessLogFile } }],
      address: { socket_address: { address: '0.0.0.0', port_value: o.adminPort } },
    },
    dynamic_resources: {
      ads_config: {
        api_type: 'GRPC',
        transport_api_version: 'V3',
        set_node_on_first_message_only: true,
        grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER }, ...(o.tokenAuth ? { initial_metadata: [{ key: 'authorization', value: `Bearer ${TOKEN_PLACEHOLDER}` }] } : {}) }],
      },
      cds_config: { ads: {}, resource_api_version: 'V3' },
      lds_config: { ads: {}, resource_api_version: 'V3' },
    },
    static_resources: {
      clusters: [
        {
          name: XDS_CLUSTER,
          type: 'STRICT_DNS',
          connect_timeout: '1s',
          typed_extension_protocol_options: {
            'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
              '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
              explicit_http_config: { http2_protocol_options: {} },
            },
          },
          load_assignment: {
            cluster_name: XDS_CLUSTER,
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: o.xdsHost, port_value: o.xdsPort } } } }] }],
          },
        },
      ],
    },
  };
}
