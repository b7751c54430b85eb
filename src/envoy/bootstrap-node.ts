/**
 * `node.metadata` as the App Mesh agent sent it, for the parts that can be known where
 * the bootstrap is written (aws/amazon-ecs-service-connect-agent@1ba8235
 * agent/envoy_bootstrap/envoy_bootstrap.go l.1433-1497):
 * `aws.appmesh.static_runtime` (the runtime layer's values), `aws.appmesh.metric_filter`
 * (`{level: "1"}` with APPMESH_METRIC_EXTENSION_VERSION=1, metric_filter.go l.126-140)
 * and `aws.appmesh.platformInfo` from the platform variables
 * (platforminfo/platform_info_collector.go l.88-200). The agent also sent the
 * container's network interfaces, `uname` and ECS task metadata, which only a process
 * inside the Envoy container can see; the App Mesh image's own agent still sends them
 * when it writes the bootstrap (APPMESH_XDS_ENDPOINT), and Amime accepts them.
 */
import type { EnvReader } from './bootstrap-env.js';
import type { RuntimeValues } from './bootstrap-runtime.js';
import { metricExtensionOn } from './bootstrap-stats.js';
import { toProtoStruct, type JsonLike, type ProtoStruct } from './bootstrap-struct.js';

export function nodeMetadata(env: EnvReader, runtime: RuntimeValues): ProtoStruct {
  const metadata: Record<string, JsonLike> = { 'aws.appmesh.static_runtime': runtime };
  if (metricExtensionOn(env)) metadata['aws.appmesh.metric_filter'] = { level: '1' };
  const platform = platformInfo(env);
  if (Object.keys(platform).length > 0) metadata['aws.appmesh.platformInfo'] = platform;
  return toProtoStruct(metadata);
}

function platformInfo(env: EnvReader): Record<string, JsonLike> {
  const out: Record<string, JsonLike> = {};
  const k8sVersion = env.get('APPMESH_PLATFORM_K8S_VERSION');
  const podUid = env.get('APPMESH_PLATFORM_K8S_POD_UID');
  const controller = env.get('APPMESH_PLATFORM_APP_MESH_CONTROLLER_VERSION');
  if (k8sVersion && podUid && controller)
    out.k8sPlatformInfo = { k8sVersion, podUid, appMeshControllerVersion: controller };
  const launchType = env.get('AWS_EXECUTION_ENV');
  if (launchType) {
    const instance = env.get('ECS_CONTAINER_INSTANCE_ARN');
    out.ecsPlatformInfo = {
      ecsLaunchType: launchType,
      ...(instance ? { ecsContainerInstanceArn: instance } : {}),
    };
  }
  if (env.truthy('APPNET_FIPS_MODE_ENABLED')) out.fipsModeEnabled = true;
  return out;
}
