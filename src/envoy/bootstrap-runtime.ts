/**
 * The runtime the App Mesh agent gave Envoy: a static layer that opts into the
 * behaviour App Mesh's configuration relies on — above all
 * `re2.max_program_size.error_level: 1000`, without which Envoy refuses route regexes
 * longer than its default limit of 100 (appmesh-observed.md S23) — and an empty admin
 * layer (aws/amazon-ecs-service-connect-agent@1ba8235
 * agent/envoy_bootstrap/envoy_bootstrap.go l.116-179, 516-550). The same map is sent as
 * node metadata `aws.appmesh.static_runtime` (l.1436-1440).
 */
import type { EnvReader } from './bootstrap-env.js';
import { toProtoStruct, type ProtoStruct } from './bootstrap-struct.js';

export type RuntimeValues = Record<string, boolean | number>;

/**
 * Runtime guards the agent set that Envoy has since removed, their behaviour made
 * permanent: upstream Envoy 1.40 ignores them but logs an "envoy bug" with a stack
 * trace for each at every start and announces it will refuse them. Written only for
 * the App Mesh Envoy image, whose older Envoy still reads them.
 */
export const REMOVED_UPSTREAM_GUARDS: readonly string[] = [
  'envoy.reloadable_features.http_set_tracing_decision_in_request_id',
  'envoy.reloadable_features.no_extension_lookup_by_name',
  'envoy.reloadable_features.use_http_client_to_fetch_aws_credentials',
];

/** `appMeshImage`: the Envoy is the App Mesh image's (keep the guards upstream Envoy removed). */
export function runtimeValues(env: EnvReader, appMeshImage: boolean): RuntimeValues {
  const values: RuntimeValues = {
    'envoy.features.enable_all_deprecated_features': true,
    're2.max_program_size.error_level': 1000,
    'envoy.reloadable_features.http_set_tracing_decision_in_request_id': env.truthy(
      'APPMESH_SET_TRACING_DECISION',
      true,
    ),
    'envoy.reloadable_features.no_extension_lookup_by_name': env.truthy(
      'ENVOY_NO_EXTENSION_LOOKUP_BY_NAME',
      true,
    ),
    'envoy.reloadable_features.use_http_client_to_fetch_aws_credentials': env.truthy(
      'ENVOY_USE_HTTP_CLIENT_TO_FETCH_AWS_CREDENTIALS',
      false,
    ),
  };
  const perIoCycle = env.int('MAX_REQUESTS_PER_IO_CYCLE', -1);
  if (perIoCycle > 0) values['http.max_requests_per_io_cycle'] = perIoCycle;
  if (!appMeshImage) for (const k of REMOVED_UPSTREAM_GUARDS) delete values[k];
  return values;
}

export interface LayeredRuntime {
  layers: Array<
    { name: 'static_layer_0'; static_layer: ProtoStruct } | { name: 'admin_layer'; admin_layer: object }
  >;
}

export function layeredRuntime(values: RuntimeValues): LayeredRuntime {
  return {
    layers: [
      { name: 'static_layer_0', static_layer: toProtoStruct(values) },
      { name: 'admin_layer', admin_layer: {} },
    ],
  };
}
