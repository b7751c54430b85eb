/** The pod annotations App Mesh's injector honours (appmesh.md §3.2), parsed and checked with App Mesh's messages. */

export const ANNOTATION_PREFIX = 'appmesh.k8s.aws/';
export const A = {
  sidecarInjectorWebhook: `${ANNOTATION_PREFIX}sidecarInjectorWebhook`,
  ports: `${ANNOTATION_PREFIX}ports`,
  egressIgnoredIPs: `${ANNOTATION_PREFIX}egressIgnoredIPs`,
  egressIgnoredPorts: `${ANNOTATION_PREFIX}egressIgnoredPorts`,
  ipv6: `${ANNOTATION_PREFIX}ipv6`,
  appmeshCNI: `${ANNOTATION_PREFIX}appmeshCNI`,
  cpuRequest: `${ANNOTATION_PREFIX}cpuRequest`,
  memoryRequest: `${ANNOTATION_PREFIX}memoryRequest`,
  cpuLimit: `${ANNOTATION_PREFIX}cpuLimit`,
  memoryLimit: `${ANNOTATION_PREFIX}memoryLimit`,
  preview: `${ANNOTATION_PREFIX}preview`,
  sds: `${ANNOTATION_PREFIX}sds`,
  secretMounts: `${ANNOTATION_PREFIX}secretMounts`,
  volumeMounts: `${ANNOTATION_PREFIX}volumeMounts`,
  sidecarEnv: `${ANNOTATION_PREFIX}sidecarEnv`,
  sidecarEnvJson: `${ANNOTATION_PREFIX}sidecarEnvJson`,
  xrayAgentConfigMount: `${ANNOTATION_PREFIX}xrayAgentConfigMount`,
  virtualGatewaySkipImageOverride: `${ANNOTATION_PREFIX}virtualGatewaySkipImageOverride`,
  proxyEgressPort: `${ANNOTATION_PREFIX}proxyEgressPort`,
  proxyIngressPort: `${ANNOTATION_PREFIX}proxyIngressPort`,
  ignoredUID: `${ANNOTATION_PREFIX}ignoredUID`,
} as const;

export const FARGATE_PROFILE_LABEL = 'eks.amazonaws.com/fargate-profile';

export interface PodSettings {
  /** `ports` annotation, verbatim. */
  ports?: string;
  egressIgnoredIPs?: string;
  egressIgnoredPorts?: string;
  ipv6Disabled: boolean;
  cni: boolean;
  cpuRequest?: string;
  memoryRequest?: string;
  cpuLimit?: string;
  memoryLimit?: string;
  /** undefined: the controller default. */
  preview?: boolean;
  sdsDisabled: boolean;
  /** secretName → mountPath, in annotation order. */
  secretMounts: Array<[string, string]>;
  /** volumeName → mountPath. */
  volumeMounts: Array<[string, string]>;
  /** sidecarEnv merged with sidecarEnvJson (JSON wins). */
  env: Array<[string, string]>;
  xrayConfigMount?: [string, string];
  skipGatewayImageOverride: boolean;
}

export type ParseResult = { ok: true; settings: PodSettings } | { ok: false; message: string };

// Kubernetes' resource.ParseQuantity grammar.
const QUANTITY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;

function pairs(
  annotations: Readonly<Record<string, string>>,
  key: string,
  sep: string,
  format: string,
): Array<[string, string]> | string {
  const v = annotations[key];
  if (v === undefined) return [];
  const out: Array<[string, string]> = [];
  for (const segment of v.split(',')) {
    const pair = segment.split(sep);
    if (pair.length !== 2) return `malformed annotation ${key}, expected format: ${format}`;
    out.push([pair[0]!.trim(), pair[1]!.trim()]);
  }
  return out;
}

export function parsePodAnnotations(
  annotations: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): ParseResult {
  const fail = (message: string): ParseResult => ({ ok: false, message });
  for (const key of [A.cpuRequest, A.memoryRequest, A.cpuLimit, A.memoryLimit]) {
    const v = annotations[key];
    if (v !== undefined && !QUANTITY.test(v))
      return fail(
        `annotation ${key}: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$', got ${JSON.stringify(v)}`,
      );
  }
  const secretMounts = pairs(annotations, A.secretMounts, ':', 'secretName:mountPath');
  if (typeof secretMounts === 'string') return fail(secretMounts);
  const volumeMounts = pairs(annotations, A.volumeMounts, ':', 'volumeName:mountPath');
  if (typeof volumeMounts === 'string') return fail(volumeMounts);
  const envPairs = pairs(annotations, A.sidecarEnv, '=', 'EnvVariableKey=EnvVariableValue');
  if (typeof envPairs === 'string') return fail(envPairs);
  const env = new Map<string, string>(envPairs);
  const json = annotations[A.sidecarEnvJson];
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (e) {
      return fail(
        `malformed annotation ${A.sidecarEnvJson}: ${(e as Error).message}; expected format: [{"EnvVariableKey":"EnvVariableValue"}]`,
      );
    }
    const list = Array.isArray(parsed) ? parsed : [parsed];
    for (const item of list) {
      if (
        item === null ||
        typeof item !== 'object' ||
        Array.isArray(item) ||
        Object.values(item as object).some((x) => typeof x !== 'string')
      ) {
        return fail(
          `malformed annotation ${A.sidecarEnvJson}, expected format: [{"EnvVariableKey":"EnvVariableValue"}] (a flat list of string maps)`,
        );
      }
      for (const [k, v] of Object.entries(item as Record<string, string>)) env.set(k, v);
    }
  }
  let xrayConfigMount: [string, string] | undefined;
  if (annotations[A.xrayAgentConfigMount] !== undefined) {
    const m = pairs(annotations, A.xrayAgentConfigMount, ':', 'volumeName:mountPath');
    if (typeof m === 'string' || m.length !== 1)
      return fail(`malformed annotation ${A.xrayAgentConfigMount}, expected format: volumeName:mountPath`);
    xrayConfigMount = m[0];
  }
  const lower = (k: string) => annotations[k]?.toLowerCase();
  const preview = annotations[A.preview] === undefined ? undefined : lower(A.preview) === 'enabled';
  const cni =
    annotations[A.appmeshCNI] !== undefined
      ? lower(A.appmeshCNI) === 'enabled'
      : (labels[FARGATE_PROFILE_LABEL] ?? '') !== '';
  return {
    ok: true,
    settings: {
      ...(annotations[A.ports] !== undefined ? { ports: annotations[A.ports] } : {}),
      ...(annotations[A.egressIgnoredIPs] !== undefined
        ? { egressIgnoredIPs: annotations[A.egressIgnoredIPs] }
        : {}),
      ...(annotations[A.egressIgnoredPorts] !== undefined
        ? { egressIgnoredPorts: annotations[A.egressIgnoredPorts] }
        : {}),
      ipv6Disabled: lower(A.ipv6) === 'disabled',
      cni,
      ...(annotations[A.cpuRequest] !== undefined ? { cpuRequest: annotations[A.cpuRequest] } : {}),
      ...(annotations[A.memoryRequest] !== undefined ? { memoryRequest: annotations[A.memoryRequest] } : {}),
      ...(annotations[A.cpuLimit] !== undefined ? { cpuLimit: annotations[A.cpuLimit] } : {}),
      ...(annotations[A.memoryLimit] !== undefined ? { memoryLimit: annotations[A.memoryLimit] } : {}),
      ...(preview !== undefined ? { preview } : {}),
      sdsDisabled: lower(A.sds) === 'disabled',
      secretMounts,
      volumeMounts,
      env: [...env],
      ...(xrayConfigMount ? { xrayConfigMount } : {}),
      skipGatewayImageOverride: lower(A.virtualGatewaySkipImageOverride) === 'enabled',
    },
  };
}
