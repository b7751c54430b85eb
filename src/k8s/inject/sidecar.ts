/**
 * A virtual node pod as App Mesh's injector leaves it (appmesh.md §3.3): the
 * `proxyinit` iptables init container (or, in App Mesh CNI mode, the annotations the
 * CNI plugin reads), the `envoy` sidecar, optional X-Ray daemon, fsGroup and image
 * pull secret — each skipped when the pod already has it.
 */
import type { VirtualNode } from '../../model/index.js';
import type { Container, EnvVar, Pod } from '../objects.js';
import { A, type PodSettings } from './annotations.js';
import {
  DEFAULT_EGRESS_IGNORED_PORTS,
  flavourOf,
  PROXY_EGRESS_PORT,
  PROXY_INGRESS_PORT,
  PROXY_UID,
  type InjectorConfig,
} from './config.js';
import {
  amimeEnv,
  amimeMounts,
  amimeVolumes,
  podUidEnv,
  readinessProbe,
  resources,
  startCommand,
  virtualNodeEnv,
  type ProxyTarget,
} from './envoy-container.js';

function appPorts(node: VirtualNode, s: PodSettings): string {
  if (s.ports !== undefined) return s.ports;
  const ports = (node.spec.listeners ?? []).map((l) => String(l.portMapping.port));
  return ports.length > 0 ? ports.join(',') : '0';
}

function proxyInit(config: InjectorConfig, node: VirtualNode, s: PodSettings): Container {
  return {
    name: 'proxyinit',
    image: config.initImage,
    securityContext: { capabilities: { add: ['NET_ADMIN'] } },
    env: [
      { name: 'APPMESH_START_ENABLED', value: '1' },
      { name: 'APPMESH_IGNORE_UID', value: String(PROXY_UID) },
      { name: 'APPMESH_ENVOY_INGRESS_PORT', value: String(PROXY_INGRESS_PORT) },
      { name: 'APPMESH_ENVOY_EGRESS_PORT', value: String(PROXY_EGRESS_PORT) },
      { name: 'APPMESH_APP_PORTS', value: appPorts(node, s) },
      { name: 'APPMESH_EGRESS_IGNORED_IP', value: s.egressIgnoredIPs ?? config.ignoredIPs },
      { name: 'APPMESH_EGRESS_IGNORED_PORTS', value: s.egressIgnoredPorts ?? DEFAULT_EGRESS_IGNORED_PORTS },
      { name: 'APPMESH_ENABLE_IPV6', value: s.ipv6Disabled ? '0' : '1' },
    ],
    resources: {
      requests: {
        ...(config.cpuRequest ? { cpu: config.cpuRequest } : {}),
        ...(config.memoryRequest ? { memory: config.memoryRequest } : {}),
      },
    },
  };
}

/** The annotations App Mesh CNI reads instead of an init container; the pod's own values win. */
function cniAnnotations(
  config: InjectorConfig,
  node: VirtualNode,
  s: PodSettings,
  existing: Record<string, string>,
): Record<string, string> {
  return {
    [A.ports]: appPorts(node, s),
    [A.egressIgnoredIPs]: s.egressIgnoredIPs ?? config.ignoredIPs,
    [A.egressIgnoredPorts]: s.egressIgnoredPorts ?? DEFAULT_EGRESS_IGNORED_PORTS,
    [A.proxyEgressPort]: String(PROXY_EGRESS_PORT),
    [A.proxyIngressPort]: String(PROXY_INGRESS_PORT),
    [A.ignoredUID]: String(PROXY_UID),
    [A.sidecarInjectorWebhook]: 'enabled',
    ...existing,
  };
}

function envoySidecar(config: InjectorConfig, target: ProxyTarget, s: PodSettings): Container {
  const flavour = flavourOf(config.sidecarImage, config.sidecarFlavour);
  const appMesh = virtualNodeEnv(config, target, s);
  const appMeshNames = new Set(appMesh.map(([k]) => k));
  // Controller-managed keys win over the pod's sidecarEnv/sidecarEnvJson.
  const custom = s.env.filter(([k]) => !appMeshNames.has(k));
  const amime = amimeEnv(config, target, flavour, [...appMesh, ...custom]);
  const amimeNames = new Set(amime.map(([k]) => k));
  const managed = [...appMesh, ...amime];
  const ownCustom = custom.filter(([k]) => !amimeNames.has(k));
  return {
    name: 'envoy',
    image: config.sidecarImage,
    command: startCommand(config, flavour),
    securityContext: { runAsUser: PROXY_UID },
    ports: [{ name: 'stats', containerPort: config.adminPort, protocol: 'TCP' }],
    env: [...[...managed, ...ownCustom].map(([name, value]): EnvVar => ({ name, value })), podUidEnv()],
    resources: resources(config, s),
    readinessProbe: readinessProbe(config, flavour),
    lifecycle: {
      preStop: { exec: { command: ['sh', '-c', `sleep ${config.preStopDelay}`] } },
      ...(config.waitUntilProxyReady && flavour === 'appmesh'
        ? {
            postStart: {
              exec: {
                command: [
                  'sh',
                  '-c',
                  'APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S=180 APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S=5 /usr/bin/agent -envoyReadiness',
                ],
              },
            },
          }
        : {}),
    },
    volumeMounts: [
      ...amimeMounts(config),
      ...s.secretMounts.map(([name, mountPath]) => ({ name, mountPath, readOnly: true })),
      ...s.volumeMounts.map(([name, mountPath]) => ({ name, mountPath, readOnly: true })),
    ],
  };
}

function xrayDaemon(config: NonNullable<InjectorConfig['xray']>, region: string, s: PodSettings): Container {
  const mount = s.xrayConfigMount;
  return {
    name: 'xray-daemon',
    image: config.image,
    securityContext: { runAsUser: PROXY_UID },
    ports: [{ name: 'xray', containerPort: config.port, protocol: 'UDP' }],
    env: [{ name: 'AWS_REGION', value: region }],
    command: [
      '/xray',
      '-b',
      `0.0.0.0:${config.port}`,
      '-t',
      `0.0.0.0:${config.port}`,
      '--log-level',
      config.logLevel,
      ...(config.configRoleArn ? ['--role-arn', config.configRoleArn] : []),
      ...(mount ? ['--config', `${mount[1]}/xray-daemon.yaml`] : []),
    ],
    ...(mount ? { volumeMounts: [{ name: mount[0], mountPath: mount[1], readOnly: true }] } : {}),
  };
}

/** The mutated pod (a copy); `pod` is left alone. */
export function injectVirtualNode(
  pod: Pod,
  config: InjectorConfig,
  target: ProxyTarget,
  node: VirtualNode,
  s: PodSettings,
): Pod {
  const out = structuredClone(pod);
  const spec = (out.spec ??= { containers: [] });
  const meta = out.metadata;
  const has = (list: Container[] | undefined, name: string) => (list ?? []).some((c) => c.name === name);

  if (config.enableIamForServiceAccounts && spec.securityContext?.fsGroup === undefined)
    spec.securityContext = { ...(spec.securityContext ?? {}), fsGroup: PROXY_UID };
  if (config.enableEcrSecret)
    spec.imagePullSecrets = [
      ...((spec.imagePullSecrets as unknown[] | undefined) ?? []),
      { name: 'appmesh-ecr-secret' },
    ];

  if (s.cni) meta.annotations = cniAnnotations(config, node, s, meta.annotations ?? {});
  else if (!has(spec.initContainers, 'proxyinit'))
    spec.initContainers = [...(spec.initContainers ?? []), proxyInit(config, node, s)];

  if (!has(spec.containers, 'envoy')) {
    const envoy = envoySidecar(config, target, s);
    spec.containers = config.waitUntilProxyReady ? [envoy, ...spec.containers] : [...spec.containers, envoy];
    const names = new Set((spec.volumes ?? []).map((v) => v.name));
    const added = [
      ...amimeVolumes(config),
      ...s.secretMounts.map(([name]) => ({ name, secret: { secretName: name } })),
    ].filter((v) => !names.has(v.name));
    if (added.length > 0) spec.volumes = [...(spec.volumes ?? []), ...added];
  }
  if (config.xray && !has(spec.containers, 'xray-daemon'))
    spec.containers = [...spec.containers, xrayDaemon(config.xray, config.region, s)];
  return out;
}
