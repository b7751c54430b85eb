/**
 * Proxy groups: every proxy of one virtual node or virtual gateway gets the same
 * configuration, so translation happens once per group. A group's key is App Mesh's
 * node id (`mesh/<mesh>/virtualNode/<awsName>`, `…/virtualGateway/<awsName>`), and a
 * virtual node has a second, proxyless-gRPC flavour keyed `<node id>#grpc`.
 */
import type { MeshGraph } from '../mesh/index.js';
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

/** What `node.id` claims, read without judging it (the xDS server decides whether it is served here). */
export interface ClaimedIdentity {
  readonly mesh: string;
  /** `<mesh>@<owner>`. */
  readonly meshOwner?: string;
  readonly kind: ProxyKind;
  readonly name: string;
  /** Present when node.id was a full ARN. */
  readonly partition?: string;
  readonly region?: string;
  readonly account?: string;
}

export type ParseResult = { ok: true; claim: ClaimedIdentity } | { ok: false; message: string };

// App Mesh names: 1-255 characters; separators and whitespace are refused so a
// name can never smuggle in another path segment, and `@` so a mesh part always
// reads as `<mesh>@<owner>` (as App Mesh reads it), never as a mesh named so.
const NAME = '[^/\\s@:]{1,255}';
const SHORT_RE = new RegExp(`^mesh/(${NAME})(?:@(\\d{12}))?/(virtualNode|virtualGateway)/(${NAME})$`);
const ARN_RE = new RegExp(
  `^arn:(aws[a-z-]*):appmesh:([a-z0-9-]+):(\\d{12}):mesh/(${NAME})(?:@(\\d{12}))?/(virtualNode|virtualGateway)/(${NAME})$`,
);

const EXPECTED =
  'expected mesh/<mesh>/virtualNode/<name>, mesh/<mesh>/virtualGateway/<name> ' +
  'or arn:aws:appmesh:<region>:<account>:mesh/<mesh>/virtualNode/<name>';

/** Shown in messages: a node id is client input of any length. */
export function shownNodeId(nodeId: string): string {
  return nodeId.length > 200 ? `${nodeId.slice(0, 200)}...` : nodeId;
}

/**
 * The one reader of App Mesh node ids: `mesh/<mesh>[@<owner>]/virtualNode|virtualGateway/<name>`
 * or the full ARN of APPMESH_RESOURCE_ARN.
 */
export function parseNodeId(nodeId: string): ParseResult {
  if (nodeId === '') return { ok: false, message: `node.id is empty; ${EXPECTED}` };
  const s = SHORT_RE.exec(nodeId);
  if (s) {
    const [, mesh, owner, kind, name] = s;
    return {
      ok: true,
      claim: { mesh: mesh!, ...(owner ? { meshOwner: owner } : {}), kind: kind as ProxyKind, name: name! },
    };
  }
  const a = ARN_RE.exec(nodeId);
  if (a) {
    const [, partition, region, account, mesh, owner, kind, name] = a;
    return {
      ok: true,
      claim: {
        mesh: mesh!,
        ...(owner ? { meshOwner: owner } : {}),
        kind: kind as ProxyKind,
        name: name!,
        partition: partition!,
        region: region!,
        account: account!,
      },
    };
  }
  return { ok: false, message: `node.id "${shownNodeId(nodeId)}" is not an App Mesh resource; ${EXPECTED}` };
}

/**
 * The group a key or node id names: the short node id, the full ARN
 * (`arn:aws:appmesh:<region>:<account>:mesh/…`, a shared mesh's `<mesh>@<owner>`
 * included), optionally with `#grpc`. Undefined if it names no node or gateway.
 */
export function parseGroupKey(id: string): (Omit<ProxyGroup, 'key'> & { key: string }) | undefined {
  const grpc = id.endsWith(GRPC_SUFFIX);
  const parsed = parseNodeId(grpc ? id.slice(0, -GRPC_SUFFIX.length) : id);
  if (!parsed.ok || (grpc && parsed.claim.kind !== 'virtualNode')) return undefined;
  const { mesh, kind, name } = parsed.claim;
  const nodeId = nodeIdOf(mesh, kind, name);
  const flavour: ProxyFlavour = grpc ? 'grpc' : 'envoy';
  return { key: groupKey(nodeId, flavour), nodeId, mesh, kind, name, flavour };
}

/** The parts of a connecting xDS client's `node` that say which flavour it is. */
export interface FlavourHints {
  readonly userAgentName: string;
  readonly clientFeatures: readonly string[];
}

/**
 * Which flavour a connecting xDS client needs. Proxyless gRPC clients say so in
 * `user_agent_name` ("gRPC Node Pure JS", "grpc-go", "grpc-java", "gRPC C-core"...);
 * Envoy says "envoy". A client that sends neither but advertises
 * `xds.config.resource-in-sotw` (a gRPC-only client feature) is taken for gRPC too.
 */
export function flavourOf(node: FlavourHints): ProxyFlavour {
  const ua = node.userAgentName.toLowerCase();
  if (ua === 'envoy') return 'envoy';
  if (/^grpc([\s-]|$)/.test(ua)) return 'grpc';
  if (node.clientFeatures.includes('xds.config.resource-in-sotw')) return 'grpc';
  return 'envoy';
}
