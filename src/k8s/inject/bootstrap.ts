/**
 * The Envoy bootstrap an injected proxy starts with, as Envoy's JSON: src/envoy's
 * bootstrap (node id = App Mesh's `mesh/<mesh>/virtualNode|virtualGateway/<name>`, one
 * ADS stream to Amime, admin on the App Mesh port), proto-checked, plus — when proxies
 * authenticate — `authorization: Bearer <token>` on the ADS stream. The token is a
 * placeholder the container's start script replaces with the pod's projected
 * service-account token, read afresh at every container start.
 */
import { BOOTSTRAP_TYPE, bootstrap } from '../../envoy/bootstrap.js';
import { checkMessage } from '../../envoy/check/index.js';
import { encodePlain } from '../../envoy/encode-plain.js';
import { toJsonView, type JsonObject } from '../../envoy/proto/json.js';

export const TOKEN_PLACEHOLDER = '@@AMIME_XDS_TOKEN@@';

export interface BootstrapOptions {
  nodeId: string;
  xdsHost: string;
  xdsPort: number;
  adminPort: number;
  adminAccessLogFile: string;
  /** Send `authorization: Bearer <token>` on the ADS stream. */
  tokenAuth: boolean;
}

export function envoyBootstrap(o: BootstrapOptions): JsonObject {
  const config = bootstrap({
    nodeId: o.nodeId,
    xds: { host: o.xdsHost, port: o.xdsPort },
    adminPort: o.adminPort,
    adminAccessLogPath: o.adminAccessLogFile,
  });
  if (o.tokenAuth) {
    const ads = config.dynamic_resources.ads_config.grpc_services[0] as {
      envoy_grpc: { cluster_name: string };
      initial_metadata?: Array<{ key: string; value: string }>;
    };
    ads.initial_metadata = [{ key: 'authorization', value: `Bearer ${TOKEN_PLACEHOLDER}` }];
  }
  const { problems } = checkMessage(BOOTSTRAP_TYPE, config);
  if (problems.length > 0)
    throw new Error(
      `bootstrap for ${o.nodeId}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    );
  return toJsonView(BOOTSTRAP_TYPE, encodePlain(BOOTSTRAP_TYPE, config));
}
