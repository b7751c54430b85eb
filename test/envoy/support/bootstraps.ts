/** `amime bootstrap`'s output for a test Envoy, state of the world or delta. */
import {
  bootstrap,
  bootstrapJson,
  parseXdsAddress,
  type AgentEnvironment,
} from '../../../src/envoy/bootstrap.js';
import type { JsonObject } from './static-bootstrap.js';

export interface TestBootstrapOptions {
  /** Delta xDS (`api_type: DELTA_GRPC`); `amime bootstrap` writes state of the world. */
  readonly delta?: boolean;
  /** The App Mesh image's variables. */
  readonly env?: AgentEnvironment;
}

export function amimeBootstrap(nodeId: string, xds: string, options: TestBootstrapOptions = {}): JsonObject {
  const address = parseXdsAddress(xds);
  if (!address) throw new Error(`bad xDS address ${xds}`);
  const b = bootstrapJson(
    bootstrap({
      nodeId,
      xds: address,
      env: options.env ?? {},
      readFile: (f) => {
        throw new Error(`the test bootstrap reads no file (${f})`);
      },
    }),
  ) as JsonObject;
  if (!options.delta) return b;
  const dynamic = b.dynamic_resources as JsonObject;
  return {
    ...b,
    dynamic_resources: {
      ...dynamic,
      ads_config: { ...(dynamic.ads_config as JsonObject), api_type: 'DELTA_GRPC' },
    },
  };
}
