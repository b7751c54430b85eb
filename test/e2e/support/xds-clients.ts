/**
 * Proxyless gRPC clients (`@grpc/grpc-js-xds`) with a per-channel bootstrap, so
 * each channel is its own xDS node (platform.md §4).
 */
import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';

let registered = false;

export function xdsClient(adsPort: number, nodeId: string, listener: string): grpc.Client {
  if (!registered) {
    grpcXds.register();
    registered = true;
  }
  const bootstrap = {
    xds_servers: [
      {
        server_uri: `127.0.0.1:${adsPort}`,
        channel_creds: [{ type: 'insecure' }],
        server_features: ['xds_v3'],
      },
    ],
    node: { id: nodeId, cluster: nodeId.split('/').pop(), locality: {} },
  };
  return new grpc.Client(`xds:///${listener}`, grpc.credentials.createInsecure(), {
    'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': JSON.stringify(bootstrap),
  });
}
