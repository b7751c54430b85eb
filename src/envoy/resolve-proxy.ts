/**
 * Finds the proxy group a person means: an App Mesh node id or ARN, or the shorter
 * `<mesh>/<kind>/<name>` where kind is virtualNode/virtualGateway (or vn/vg) and name
 * is the awsName, the Kubernetes name, or `namespace/name`; `#grpc` (or the `grpc`
 * flag) picks the proxyless flavour of a virtual node.
 */
import type { MeshGraph } from '../mesh/index.js';
import {
  GRPC_SUFFIX,
  groupKey,
  nodeIdOf,
  parseGroupKey,
  proxyGroups,
  type ProxyGroup,
  type ProxyKind,
} from './groups.js';

export type ProxyLookup = { group: ProxyGroup } | { error: string; available: string[] };

const KINDS: Readonly<Record<string, ProxyKind>> = {
  virtualnode: 'virtualNode',
  vn: 'virtualNode',
  node: 'virtualNode',
  virtualgateway: 'virtualGateway',
  vg: 'virtualGateway',
  gateway: 'virtualGateway',
};

export function resolveProxy(graph: MeshGraph, id: string, grpc = false): ProxyLookup {
  const groups = proxyGroups(graph);
  const available = groups.filter((g) => g.flavour === 'envoy').map((g) => g.key);
  const wantGrpc = grpc || id.endsWith(GRPC_SUFFIX);
  const bare = id.endsWith(GRPC_SUFFIX) ? id.slice(0, -GRPC_SUFFIX.length) : id;
  const byKey = (key: string): ProxyLookup | undefined => {
    const g = groups.find((x) => x.key === key);
    return g ? { group: g } : undefined;
  };

  const parsed = parseGroupKey(bare);
  if (parsed) {
    const hit = byKey(groupKey(parsed.nodeId, wantGrpc ? 'grpc' : 'envoy'));
    if (hit) return hit;
  }
  const parts = bare.replace(/^mesh\//, '').split('/');
  const [mesh, kindText, ...rest] = parts;
  const kind = KINDS[(kindText ?? '').toLowerCase()];
  const view = mesh ? graph.meshes.get(mesh) : undefined;
  if (view && kind && rest.length > 0) {
    const name = rest.join('/');
    const table = kind === 'virtualNode' ? view.virtualNodes : view.virtualGateways;
    const matches = [...table.values()].filter((r) => {
      const m = r.resource.metadata;
      return r.awsName === name || m.name === name || `${m.namespace ?? ''}/${m.name}` === name;
    });
    if (matches.length > 1)
      return { error: `${id} is ambiguous: ${matches.map((m) => m.awsName).join(', ')}`, available };
    const only = matches[0];
    if (only) {
      const key = groupKey(
        nodeIdOf(mesh as string, kind, only.awsName),
        wantGrpc && kind === 'virtualNode' ? 'grpc' : 'envoy',
      );
      const hit = byKey(key);
      if (hit) return hit;
      return {
        error: `${id}: ${only.inactive ? `not active (${only.inactive.message})` : 'no such proxy'}`,
        available,
      };
    }
  }
  if (wantGrpc && parsed?.kind === 'virtualGateway')
    return { error: `${id}: gateways have no proxyless gRPC flavour`, available };
  return { error: `no proxy ${id}`, available };
}
