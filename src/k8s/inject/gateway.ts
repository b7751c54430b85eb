/**
 * A virtual gateway pod (appmesh.md §3.3): no init container; its existing Envoy
 * container is pointed at Amime — image overridden unless
 * `virtualGatewaySkipImageOverride: enabled`, App Mesh's gateway env set, a readiness
 * probe added only if it has none. App Mesh configures the container named `envoy`;
 * Amime also recognises, in this order, a container whose env already names this
 * gateway (the seed blog's `gateway` container sets APPMESH_RESOURCE_ARN itself) and
 * the only container of a pod whose image is an Envoy image, so such pods need no edit.
 */
import type { Container, Pod } from '../objects.js';
import type { PodSettings } from './annotations.js';
import { flavourOf, PROXY_UID, type InjectorConfig } from './config.js';
import {
  amimeEnv,
  amimeMounts,
  amimeVolumes,
  mergeEnv,
  readinessProbe,
  startCommand,
  virtualGatewayEnv,
  type ProxyTarget,
} from './envoy-container.js';

const IDENTITY_ENV = ['APPMESH_RESOURCE_ARN', 'APPMESH_VIRTUAL_NODE_NAME', 'APPMESH_RESOURCE_NAME'];

/** Index of the gateway's Envoy container, or -1. */
export function gatewayContainerIndex(containers: ReadonlyArray<Container>, target: ProxyTarget): number {
  const named = containers.findIndex((c) => c.name === 'envoy');
  if (named >= 0) return named;
  const suffix = `/virtualGateway/${target.awsName}`;
  const byEnv = containers.findIndex((c) =>
    (c.env ?? []).some(
      (e) => IDENTITY_ENV.includes(e.name) && typeof e.value === 'string' && e.value.endsWith(suffix),
    ),
  );
  if (byEnv >= 0) return byEnv;
  return containers.length === 1 && /envoy/i.test(containers[0]!.image ?? '') ? 0 : -1;
}

export interface GatewayResult {
  pod: Pod;
  warnings: string[];
}

export function configureVirtualGateway(
  pod: Pod,
  config: InjectorConfig,
  target: ProxyTarget,
  s: PodSettings,
): GatewayResult {
  const out = structuredClone(pod);
  const spec = (out.spec ??= { containers: [] });
  const i = gatewayContainerIndex(spec.containers, target);
  if (i < 0) {
    return {
      pod: out,
      warnings: [
        `pod matches VirtualGateway ${target.awsName} but has no container named "envoy" (nor one whose APPMESH_RESOURCE_ARN names the gateway, nor a single Envoy container); it was left unchanged`,
      ],
    };
  }
  const c = { ...spec.containers[i]! };
  if (!s.skipGatewayImageOverride) c.image = config.sidecarImage;
  const flavour = flavourOf(
    c.image ?? '',
    c.image === config.sidecarImage ? config.sidecarFlavour : undefined,
  );
  const withAppMesh = mergeEnv(c.env ?? [], virtualGatewayEnv(config, target, s));
  const literal = withAppMesh.flatMap((e): Array<[string, string]> =>
    e.value !== undefined ? [[e.name, e.value]] : [],
  );
  c.env = mergeEnv(withAppMesh, amimeEnv(config, target, flavour, literal));
  c.command = startCommand(config, flavour);
  if (c.readinessProbe === undefined) c.readinessProbe = readinessProbe(config, flavour);
  const mounts = amimeMounts(config);
  c.volumeMounts = [
    ...(c.volumeMounts ?? []).filter((m) => !mounts.some((x) => x.name === m.name)),
    ...mounts,
  ];
  spec.containers = spec.containers.map((x, j) => (j === i ? c : x));
  const names = new Set((spec.volumes ?? []).map((v) => v.name));
  const added = amimeVolumes(config).filter((v) => !names.has(v.name));
  if (added.length > 0) spec.volumes = [...(spec.volumes ?? []), ...added];
  if (config.enableIamForServiceAccounts && spec.securityContext?.fsGroup === undefined)
    spec.securityContext = { ...(spec.securityContext ?? {}), fsGroup: PROXY_UID };
  return { pod: out, warnings: [] };
}
