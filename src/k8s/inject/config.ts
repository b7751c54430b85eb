/**
 * Sidecar injector settings: App Mesh's controller flags (appmesh.md §3.4) where they
 * exist, plus where Amime's xDS service is and how proxies authenticate to it.
 */

/** `envoy`: upstream Envoy image, started with our bootstrap. `appmesh`: the App Mesh image, whose agent reads it from ENVOY_CONFIG_FILE. */
export type SidecarFlavour = 'envoy' | 'appmesh';

export interface InjectorConfig {
  /** `--sidecar-image`: default upstream Envoy. */
  sidecarImage: string;
  /** Detected from the image name when absent (`aws-appmesh-envoy` → appmesh). */
  sidecarFlavour?: SidecarFlavour;
  /** `--init-image`: the iptables init container (App Mesh's proxy route manager's contract; deploy/proxy-init). */
  initImage: string;
  region: string;
  /** Account of the cluster's meshes; a Mesh with another `meshOwner` is named `<mesh>@<owner>`. */
  accountId: string;
  logLevel: string;
  cpuRequest: string;
  memoryRequest: string;
  cpuLimit: string;
  memoryLimit: string;
  adminPort: number;
  adminAccessLogFile: string;
  adminAccessEnableIpv6: boolean;
  /** `--ignored-ips`. */
  ignoredIPs: string;
  preStopDelay: string;
  readinessProbeInitialDelay: number;
  readinessProbePeriod: number;
  preview: boolean;
  dualStackEndpoint: boolean;
  fipsEndpoint: boolean;
  /** `--enable-iam-for-service-accounts`: set pod fsGroup 1337 when unset, so Envoy (uid 1337) can read projected tokens. */
  enableIamForServiceAccounts: boolean;
  /** `--enable-ecr-secret`: add imagePullSecret `appmesh-ecr-secret`. */
  enableEcrSecret: boolean;
  /** `--wait-until-proxy-ready`: put Envoy first and hold the app until Envoy is LIVE. */
  waitUntilProxyReady: boolean;
  k8sVersion: string;
  controllerVersion: string;
  /** Amime's xDS service as Envoy reaches it. */
  xdsHost: string;
  xdsPort: number;
  /** Send the pod's projected service-account token (audience below) as the xDS bearer token. */
  xdsTokenAuth: boolean;
  tokenAudience: string;
  tokenExpirationSeconds: number;
  /** X-Ray daemon sidecar (`--enable-xray-tracing`); off by default. */
  xray?: { image: string; port: number; logLevel: string; samplingRate: string; configRoleArn?: string };
}

export const DEFAULT_INJECTOR_CONFIG: Readonly<InjectorConfig> = {
  // The Envoy release the project's tests run (test/support/system-programs.ts, ENVOY).
  sidecarImage: 'envoyproxy/envoy:v1.40.0',
  // App Mesh's proxy route manager lives in App Mesh's registry; this one is built from
  // this repository (docker build --target proxy-init), the name a local build gets.
  initImage: 'amime-proxy-init:0.1.0',
  region: 'us-west-2',
  accountId: '000000000000',
  logLevel: 'info',
  cpuRequest: '10m',
  memoryRequest: '32Mi',
  cpuLimit: '',
  memoryLimit: '',
  adminPort: 9901,
  adminAccessLogFile: '/tmp/envoy_admin_access.log',
  adminAccessEnableIpv6: false,
  ignoredIPs: '169.254.169.254',
  preStopDelay: '20',
  readinessProbeInitialDelay: 1,
  readinessProbePeriod: 10,
  preview: false,
  dualStackEndpoint: false,
  fipsEndpoint: false,
  enableIamForServiceAccounts: true,
  enableEcrSecret: false,
  waitUntilProxyReady: false,
  k8sVersion: '',
  controllerVersion: 'amime',
  xdsHost: 'amime-xds.amime-system.svc',
  xdsPort: 15010,
  xdsTokenAuth: true,
  tokenAudience: 'amime',
  tokenExpirationSeconds: 86400,
};

export function flavourOf(image: string, configured?: SidecarFlavour): SidecarFlavour {
  if (configured) return configured;
  return /aws-app?mesh-envoy/.test(image) ? 'appmesh' : 'envoy';
}

/** Proxy constants of App Mesh's init-container mode (not configurable there either). */
export const PROXY_UID = 1337;
export const PROXY_INGRESS_PORT = 15000;
export const PROXY_EGRESS_PORT = 15001;
export const DEFAULT_EGRESS_IGNORED_PORTS = '22';
