/**
 * Whether and as what a new pod joins the mesh (appmesh.md §3.1), decided by the mesh
 * graph: its pod rules (src/mesh/pods.ts) give App Mesh's refusals — several nodes,
 * several gateways, a node and a gateway, "enabled" without a match — and its
 * podSelector matching and membership give the node or gateway and its mesh.
 */
import {
  buildMeshGraph,
  injectionMode,
  selectorMatches,
  selectorProblems,
  type GraphOptions,
  type MeshGraph,
} from '../../mesh/index.js';
import type { Mesh, VirtualGateway, VirtualNode } from '../../model/index.js';
import { toGraphInput, type InputObjects } from '../graph-input.js';
import type { Pod } from '../objects.js';
import { placements, type Placement } from '../placement.js';
import { A } from './annotations.js';

export { injectionMode, type InjectionMode } from '../../mesh/index.js';

export interface MeshMember {
  /** `<mesh>` or `<mesh>@<owner>` as it appears in the proxy's node id. */
  meshName: string;
  awsName: string;
  placement: Placement;
}

export type InjectionDecision =
  | { kind: 'skip'; reason: string }
  | { kind: 'refuse'; message: string }
  | ({ kind: 'virtualNode'; node: VirtualNode } & MeshMember)
  | ({ kind: 'virtualGateway'; gateway: VirtualGateway } & MeshMember);

export interface DecideInput {
  objects: InputObjects;
  pod: Pod;
  /** The name the pod is known by (generateName for pods created by controllers). */
  podName: string;
  namespace: string;
  accountId: string;
  graphOptions?: GraphOptions;
}

function meshNameOf(graph: MeshGraph, meshAwsName: string, accountId: string): string {
  const mesh: Mesh | undefined = graph.meshes.get(meshAwsName)?.mesh.resource;
  const owner = mesh?.spec.meshOwner;
  return owner && owner !== accountId ? `${meshAwsName}@${owner}` : meshAwsName;
}

export function decideInjection(input: DecideInput): InjectionDecision {
  const { namespace, podName } = input;
  const pod: Pod = { ...input.pod, metadata: { ...input.pod.metadata, name: podName, namespace } };
  const ns = input.objects.namespaces.find((n) => n.metadata.name === namespace);
  const nsValue = ns?.metadata.labels?.[A.sidecarInjectorWebhook];
  // App Mesh's webhook configuration only sends pods of labelled namespaces.
  if (ns && nsValue !== 'enabled' && nsValue !== 'disabled')
    return { kind: 'skip', reason: `namespace ${namespace} is not labelled ${A.sidecarInjectorWebhook}` };
  const mode = injectionMode(ns?.metadata.labels ?? {}, pod.metadata.annotations ?? {});
  if (mode === 'disabled') return { kind: 'skip', reason: 'sidecar injection is disabled for this pod' };

  const converted = toGraphInput({ ...input.objects, pods: [pod] });
  const graph = buildMeshGraph(converted.input, input.graphOptions);
  const podError = graph.diagnostics.find(
    (d) =>
      d.severity === 'error' &&
      d.resource?.kind === 'Pod' &&
      d.resource.namespace === namespace &&
      d.resource.name === podName &&
      d.code.startsWith('pod.'),
  );
  if (podError) return { kind: 'refuse', message: podError.message };

  const labels = pod.metadata.labels ?? {};
  const candidates = [...placements(graph).values()].filter((p) => {
    if ((p.id.kind !== 'VirtualNode' && p.id.kind !== 'VirtualGateway') || p.id.namespace !== namespace)
      return false;
    const sel = (p.resource as VirtualNode | VirtualGateway).spec.podSelector;
    return selectorProblems(sel).length === 0 && selectorMatches(sel, labels, 'none');
  });
  const match = candidates[0];
  if (!match || candidates.length > 1)
    return { kind: 'skip', reason: 'no VirtualNode or VirtualGateway selects this pod' };
  if (!match.mesh) {
    const why = match.inactive ? `: ${match.inactive.message}` : '';
    return {
      kind: 'refuse',
      message: `${match.id.kind} ${namespace}/${match.id.name} selects this pod but belongs to no mesh${why}`,
    };
  }
  const member = {
    meshName: meshNameOf(graph, match.mesh, input.accountId),
    awsName: match.awsName,
    placement: match,
  };
  return match.id.kind === 'VirtualNode'
    ? { kind: 'virtualNode', node: match.resource as VirtualNode, ...member }
    : { kind: 'virtualGateway', gateway: match.resource as VirtualGateway, ...member };
}
