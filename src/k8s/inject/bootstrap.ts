/**
 * The Envoy bootstrap an injected proxy starts with, as Envoy's JSON: src/envoy's
 * bootstrap (node id = App Mesh's `mesh/<mesh>/virtualNode|virtualGateway/<name>`, one
 * ADS stream to Amime), driven by the Envoy container's own environment — App Mesh's
 * controller-managed variables plus the pod's `sidecarEnv` — so stats tags, tracing,
 * DogStatsD and admin settings mean what they meant under App Mesh. When proxies
 * authenticate, `authorization: Bearer <token>` goes on the ADS stream: the token is a
 * placeholder the container's start script replaces with the pod's projected
 * service-account token, read afresh at every container start.
 */
import { bootstrap, bootstrapJson, bootstrapProblems, CUSTOM_CONFIG_VARIABLES } from '../../envoy/index.js';
import type { JsonObject } from '../../proto/index.js';

export const TOKEN_PLACEHOLDER = '@@AMIME_XDS_TOKEN@@';

export interface BootstrapOptions {
  nodeId: string;
  xdsHost: string;
  xdsPort: number;
  adminPort: number;
  adminAccessLogFile: string;
  /** Send `authorization: Bearer <token>` on the ADS stream. */
  tokenAuth: boolean;
  /** The Envoy container's literal environment (values from Secrets or fields are not known here). */
  env: ReadonlyArray<readonly [string, string]>;
  /** The container runs the App Mesh Envoy image. */
  appMeshImage: boolean;
}

/** Throws BootstrapEnvError (naming the variable) when the container's environment has a bad value. */
export function envoyBootstrap(o: BootstrapOptions): JsonObject {
  const config = bootstrap({
    nodeId: o.nodeId,
    xds: { host: o.xdsHost, port: o.xdsPort },
    adminPort: o.adminPort,
    adminAccessLogPath: o.adminAccessLogFile,
    env: Object.fromEntries(o.env),
    appMeshImage: o.appMeshImage,
    ...(o.tokenAuth
      ? { transport: { initialMetadata: [{ key: 'authorization', value: `Bearer ${TOKEN_PLACEHOLDER}` }] } }
      : {}),
  });
  const problems = bootstrapProblems(config);
  if (problems.length > 0) throw new Error(`bootstrap for ${o.nodeId}: ${problems.join('; ')}`);
  return bootstrapJson(config);
}

/**
 * The App Mesh agent merged files these variables name; they are inside the Envoy
 * container, where the webhook cannot read them, so their settings are not in the
 * bootstrap. Said as admission warnings, so `kubectl` shows them.
 */
export function bootstrapWarnings(env: ReadonlyArray<readonly [string, string]>): string[] {
  return env
    .filter(([k, v]) => CUSTOM_CONFIG_VARIABLES.includes(k) && v.trim() !== '')
    .map(
      ([k, v]) =>
        `${k}=${v}: the file is inside the Envoy container, which the injector cannot read; its settings are not in the bootstrap (generate one with "amime bootstrap" where the file is, or use the App Mesh Envoy image with APPMESH_XDS_ENDPOINT)`,
    );
}
