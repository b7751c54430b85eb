/**
 * What every Amime-managed Envoy container gets, sidecar or gateway: App Mesh's
 * controller-managed environment (appmesh.md §3.3), a start command that writes the
 * bootstrap (with the pod's current projected token) and then runs Envoy — `envoy -c`
 * for upstream images, App Mesh's agent with ENVOY_CONFIG_FILE for the App Mesh image
 * — the token and bootstrap volumes, and App Mesh's readiness probe.
 */
import type { Container, EnvVar } from '../objects.js';
import type { PodSettings } from './annotations.js';
import { envoyBootstrap, TOKEN_PLACEHOLDER } from './bootstrap.js';
import type { InjectorConfig, SidecarFlavour } from './config.js';

export type ProxyKind = 'virtualNode' | 'virtualGateway';

export interface ProxyTarget {
  kind: ProxyKind;
  /** `<mesh>` or `<mesh>@<owner>`. */
  meshName: string;
  awsName: string;
}

export const TOKEN_VOLUME = 'amime-xds-token';
export const TOKEN_DIR = '/var/run/secrets/amime/xds';
export const CONFIG_VOLUME = 'amime-envoy-config';
export const CONFIG_DIR = '/etc/amime/envoy';
export const BOOTSTRAP_FILE = `${CONFIG_DIR}/bootstrap.json`;
export const BOOTSTRAP_ENV = 'AMIME_ENVOY_BOOTSTRAP';

export function nodeIdOf(t: ProxyTarget): string {
  return `mesh/${t.meshName}/${t.kind}/${t.awsName}`;
}

const bool01 = (b: boolean) => (b ? '1' : '0');

/** App Mesh's controller-managed Envoy env for a virtual node sidecar, in a fixed order. */
export function virtualNodeEnv(
  config: InjectorConfig,
  target: ProxyTarget,
  settings: PodSettings,
): Array<[string, string]> {
  const id = nodeIdOf(target);
  const env: Array<[string, string]> = [
    ['APPMESH_RESOURCE_ARN', id],
    ['APPMESH_VIRTUAL_NODE_NAME', id],
    ['AWS_REGION', config.region],
    ['ENVOY_LOG_LEVEL', config.logLevel],
    ['APPMESH_PREVIEW', bool01(settings.preview ?? config.preview)],
    ['APPMESH_DUALSTACK_ENDPOINT', bool01(config.dualStackEndpoint)],
    ['APPMESH_FIPS_ENDPOINT', bool01(config.fipsEndpoint)],
    ['ENVOY_ADMIN_ACCESS_ENABLE_IPV6', String(config.adminAccessEnableIpv6)],
    ['ENVOY_ADMIN_ACCESS_PORT', String(config.adminPort)],
    ['ENVOY_ADMIN_ACCESS_LOG_FILE', config.adminAccessLogFile],
    ['APPMESH_PLATFORM_K8S_VERSION', config.k8sVersion],
    ['APPMESH_PLATFORM_APP_MESH_CONTROLLER_VERSION', config.controllerVersion],
    ['APPNET_AGENT_ADMIN_MODE', 'uds'],
    ['APPNET_AGENT_ADMIN_UDS_PATH', '/tmp/agent.sock'],
  ];
  if (config.xray) {
    const custom = settings.env.find(([k]) => k === 'XRAY_SAMPLING_RATE')?.[1];
    env.push(
      ['ENABLE_ENVOY_XRAY_TRACING', '1'],
      ['XRAY_DAEMON_PORT', String(config.xray.port)],
      ['XRAY_SAMPLING_RATE', custom ?? config.xray.samplingRate],
    );
  }
  return env;
}

/** App Mesh's env for a virtual gateway's Envoy. */
export function virtualGatewayEnv(
  config: InjectorConfig,
  target: ProxyTarget,
  settings: PodSettings,
): Array<[string, string]> {
  return [
    ['APPMESH_VIRTUAL_NODE_NAME', nodeIdOf(target)],
    ['APPMESH_PREVIEW', bool01(settings.preview ?? config.preview)],
    ['ENVOY_LOG_LEVEL', config.logLevel],
    ['ENVOY_ADMIN_ACCESS_PORT', String(config.adminPort)],
    ['ENVOY_ADMIN_ACCESS_LOG_FILE', config.adminAccessLogFile],
    ['AWS_REGION', config.region],
  ];
}

/**
 * The env Amime adds to run Envoy against its xDS service: the bootstrap, built from
 * `agentEnv`, the App Mesh variables the container gets (managed and the pod's own).
 */
export function amimeEnv(
  config: InjectorConfig,
  target: ProxyTarget,
  flavour: SidecarFlavour,
  agentEnv: ReadonlyArray<readonly [string, string]>,
): Array<[string, string]> {
  const bootstrap = envoyBootstrap({
    nodeId: nodeIdOf(target),
    xdsHost: config.xdsHost,
    xdsPort: config.xdsPort,
    adminPort: config.adminPort,
    adminAccessLogFile: config.adminAccessLogFile,
    tokenAuth: config.xdsTokenAuth,
    env: agentEnv,
    appMeshImage: flavour === 'appmesh',
  });
  const env: Array<[string, string]> = [[BOOTSTRAP_ENV, JSON.stringify(bootstrap)]];
  if (flavour === 'appmesh') env.push(['ENVOY_CONFIG_FILE', BOOTSTRAP_FILE]);
  return env;
}

/** `sh -c` that writes the bootstrap with the current token, then execs the proxy. */
export function startCommand(config: InjectorConfig, flavour: SidecarFlavour): string[] {
  const token = config.xdsTokenAuth ? `token=$(cat ${TOKEN_DIR}/token)` : 'token=';
  const launch =
    flavour === 'appmesh' ? '/usr/bin/agent' : `envoy -c ${BOOTSTRAP_FILE} -l "\${ENVOY_LOG_LEVEL:-info}"`;
  return [
    'sh',
    '-c',
    `set -e; ${token}; printf '%s' "$${BOOTSTRAP_ENV}" | sed "s|${TOKEN_PLACEHOLDER}|$token|" > ${BOOTSTRAP_FILE}; exec ${launch}`,
  ];
}

export function podUidEnv(): EnvVar {
  return { name: 'APPMESH_PLATFORM_K8S_POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } };
}

/** Sets `pairs` on `env`: existing names get the new value in place, new names are appended. */
export function mergeEnv(env: ReadonlyArray<EnvVar>, pairs: ReadonlyArray<[string, string]>): EnvVar[] {
  const out = env.map((e) => ({ ...e }));
  for (const [name, value] of pairs) {
    const i = out.findIndex((e) => e.name === name);
    if (i >= 0) out[i] = { name, value };
    else out.push({ name, value });
  }
  return out;
}

export function readinessProbe(config: InjectorConfig, flavour: SidecarFlavour): Record<string, unknown> {
  const timing = {
    initialDelaySeconds: config.readinessProbeInitialDelay,
    timeoutSeconds: 1,
    periodSeconds: config.readinessProbePeriod,
    successThreshold: 1,
    failureThreshold: 3,
  };
  if (flavour === 'appmesh') {
    return {
      exec: {
        command: [
          'sh',
          '-c',
          `curl -s http://localhost:${config.adminPort}/server_info | grep state | grep -q LIVE`,
        ],
      },
      ...timing,
    };
  }
  // Upstream images have no curl; Envoy's /ready answers 200 exactly when server_info's state is LIVE.
  return { httpGet: { path: '/ready', port: config.adminPort }, ...timing };
}

export function resources(config: InjectorConfig, s: PodSettings): NonNullable<Container['resources']> {
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  const cpu = s.cpuRequest ?? config.cpuRequest;
  const mem = s.memoryRequest ?? config.memoryRequest;
  const cpuL = s.cpuLimit ?? config.cpuLimit;
  const memL = s.memoryLimit ?? config.memoryLimit;
  if (cpu) requests.cpu = cpu;
  if (mem) requests.memory = mem;
  if (cpuL) limits.cpu = cpuL;
  if (memL) limits.memory = memL;
  return {
    ...(Object.keys(requests).length ? { requests } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
  };
}

export function amimeVolumes(config: InjectorConfig): Array<{ name: string; [k: string]: unknown }> {
  const vols: Array<{ name: string; [k: string]: unknown }> = [{ name: CONFIG_VOLUME, emptyDir: {} }];
  if (config.xdsTokenAuth) {
    vols.push({
      name: TOKEN_VOLUME,
      projected: {
        sources: [
          {
            serviceAccountToken: {
              audience: config.tokenAudience,
              expirationSeconds: config.tokenExpirationSeconds,
              path: 'token',
            },
          },
        ],
      },
    });
  }
  return vols;
}

export function amimeMounts(config: InjectorConfig): NonNullable<Container['volumeMounts']> {
  return [
    { name: CONFIG_VOLUME, mountPath: CONFIG_DIR },
    ...(config.xdsTokenAuth ? [{ name: TOKEN_VOLUME, mountPath: TOKEN_DIR, readOnly: true }] : []),
  ];
}
