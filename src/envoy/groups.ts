/**
 * Proxy groups: every proxy of one virtual node or virtual gateway gets the same
 * configuration, so translation happens once per group. A group's key is App Mesh's
 * node id (`mesh/<mesh>/virtualNode/<awsName>`, `…/virtualGateway/<awsName>`), and a
 * virtual node has a second, proxyless-gRPC flavour keyed `<node id>#grpc`.
 */
import type { MeshGraph } from '../mesh/index.js';
import { parseArn } from '../model/index.js';
import type { ProxyFlavour } from './context.js';

export type ProxyKind = 'virtualNode' | 'virtualGateway';

export interface ProxyGroup {
  key: string;
  /** App Mesh node id, short form. */
  nodeId: string;
  mesh: string;
  kind: ProxyKind;
  /** awsName of the node or gateway. */
  name: string;
  flavour: ProxyFlavour;
}

export const GRPC_SUFFIX = '#grpc';

export function nodeIdOf(mesh: string, kind: ProxyKind, name: string): string {
  return `mesh/${mesh}/${kind}/${name}`;
}

export function groupKey(nodeId: string, flavour: ProxyFlavour): string {
  return flavour === 'grpc' ? `${nodeId}${GRPC_SUFFIX}` : nodeId;
}

/** Every served group of the graph: active nodes (both flavours) and gateways, of active meshes, in a stable order. */
export function proxyGroups(graph: MeshGraph): ProxyGroup[] {
  const out: ProxyGroup[] = [];
  for (const mesh of [...graph.meshes.keys()].sort()) {
    const view = graph.meshes.get(mesh);
    if (!view || view.mesh.inactive) continue;
    for (const name of [...view.virtualNodes.keys()].sort()) {
      if (view.virtualNodes.get(name)?.inactive) continue;
      const nodeId = nodeIdOf(mesh, 'virtualNode', name);
      out.push({ key: nodeId, nodeId, mesh, kind: 'virtualNode', name, flavour: 'envoy' });
      out.push({ key: groupKey(nodeId, 'grpc'), nodeId, mesh, kind: 'virtualNode', name, flavour: 'grpc' });
    }
    for (const name of [...view.virtualGateways.keys()].sort()) {
      if (view.virtualGateways.get(name)?.inactive) continue;
      const nodeId = nodeIdOf(mesh, 'virtualGateway', name);
      out.push({ key: nodeId, nodeId, mesh, kind: 'virtualGateway', name, flavour: 'envoy' });
    }
  }
  return out;
}

/**
 * The group a key or node id names: the short node id, the full ARN
 * (`arn:aws:appmesh:<region>:<account>:mesh/…`, a shared mesh's `<mesh>@<owner>`
 * included), optionally with `#grpc`. Undefined if it names no node or gateway.
 */
export function parseGroupKey(id: string): (Omit<ProxyGroup, 'key'> & { key: string }) | undefined {
  const grpc = id.endsWith(GRPC_SUFFIX);
  const parsed = parseArn(grpc ? id.slice(0, -GRPC_SUFFIX.length) : id);
  if (!parsed || (parsed.type !== 'virtualNode' && parsed.type !== 'virtualGateway')) return undefined;
  if (grpc && parsed.type !== 'virtualNode') return undefined;
  const kind: ProxyKind = parsed.type;
  const nodeId = nodeIdOf(parsed.mesh, kind, parsed.name);
  const flavour: ProxyFlavour = grpc ? 'grpc' : 'envoy';
  return { key: groupKey(nodeId, flavour), nodeId, mesh: parsed.mesh, kind, name: parsed.name, flavour };
}

/**
 * Which flavour a connecting xDS client needs, from `node.user_agent_name`: gRPC
 * libraries announce themselves as `gRPC …` (e.g. "gRPC Node Pure JS"), Envoy as "envoy".
 */
export function flavourOfUserAgent(userAgentName: string | undefined): ProxyFlavour {
  return userAgentName !== undefined && /^grpc\b/i.test(userAgentName) ? 'grpc' : 'envoy';
}
