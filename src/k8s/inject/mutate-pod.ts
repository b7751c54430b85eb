/** The pod webhook's whole job: decide, build the injected pod, and express it as a JSON patch. */
import type { GraphOptions } from '../../mesh/index.js';
import type { InputObjects } from '../graph-input.js';
import type { Pod } from '../objects.js';
import { diffAtPaths, type PatchOp } from '../webhook/patch-ops.js';
import { BootstrapEnvError } from '../../envoy/index.js';
import { parsePodAnnotations } from './annotations.js';
import { bootstrapWarnings } from './bootstrap.js';
import { BOOTSTRAP_ENV } from './envoy-container.js';
import type { InjectorConfig } from './config.js';
import { decideInjection, type InjectionDecision } from './decide.js';
import { configureVirtualGateway } from './gateway.js';
import { injectVirtualNode } from './sidecar.js';

export type PodMutation =
  | { allowed: true; patch: PatchOp[]; warnings: string[]; decision: InjectionDecision }
  | { allowed: false; message: string };

/** The paths an injection may change (and so the patch may touch). */
const CHANGED_PATHS: ReadonlyArray<ReadonlyArray<string>> = [
  ['metadata', 'annotations'],
  ['spec', 'securityContext'],
  ['spec', 'imagePullSecrets'],
  ['spec', 'initContainers'],
  ['spec', 'containers'],
  ['spec', 'volumes'],
];

export interface MutatePodInput {
  pod: Pod;
  namespace: string;
  objects: InputObjects;
  config: InjectorConfig;
  graphOptions?: GraphOptions;
}

export function mutatePod(input: MutatePodInput): PodMutation {
  const { pod, namespace, config } = input;
  const podName = pod.metadata.name || (pod.metadata as { generateName?: string }).generateName || '';
  const decision = decideInjection({
    objects: input.objects,
    pod,
    podName,
    namespace,
    accountId: config.accountId,
    ...(input.graphOptions ? { graphOptions: input.graphOptions } : {}),
  });
  if (decision.kind === 'refuse') return { allowed: false, message: decision.message };
  if (decision.kind === 'skip') return { allowed: true, patch: [], warnings: [], decision };
  const parsed = parsePodAnnotations(pod.metadata.annotations ?? {}, pod.metadata.labels ?? {});
  if (!parsed.ok) return { allowed: false, message: parsed.message };
  const target = { kind: decision.kind, meshName: decision.meshName, awsName: decision.awsName };
  let after: Pod;
  let warnings: string[] = [];
  try {
    if (decision.kind === 'virtualNode')
      after = injectVirtualNode(pod, config, target, decision.node, parsed.settings);
    else ({ pod: after, warnings } = configureVirtualGateway(pod, config, target, parsed.settings));
  } catch (e) {
    // A variable the App Mesh agent would have refused at container start: refuse the pod now, naming it.
    if (e instanceof BootstrapEnvError) return { allowed: false, message: `Envoy environment: ${e.message}` };
    throw e;
  }
  const envoyEnv =
    after.spec?.containers.find((c) => c.env?.some((e) => e.name === BOOTSTRAP_ENV))?.env ?? [];
  warnings = [
    ...warnings,
    ...bootstrapWarnings(
      envoyEnv.flatMap((e): Array<[string, string]> => (e.value ? [[e.name, e.value]] : [])),
    ),
  ];
  return { allowed: true, patch: diffAtPaths(pod, after, CHANGED_PATHS), warnings, decision };
}
