/**
 * Who a connecting proxy is, from its Envoy `node`.
 *
 * App Mesh sets `node.id` from APPMESH_RESOURCE_ARN: the short form
 * `mesh/<mesh>/virtualNode/<name>` (what the Kubernetes controller injects), the
 * same with `virtualGateway`, or a full ARN. A mesh shared through RAM appears as
 * `<mesh>@<ownerAccount>`. Proxies of one virtual node or gateway get identical
 * configuration, so the short form is the group key; proxyless gRPC clients get a
 * different resource set, hence a flavour.
 */

export type ProxyKind = 'virtualNode' | 'virtualGateway';
export type ProxyFlavour = 'envoy' | 'grpc';

export interface ProxyIdentity {
  /** `node.id` exactly as sent. */
  readonly nodeId: string;
  readonly mesh: string;
  /** Owner account of a shared mesh (`<mesh>@<owner>`), or of a full ARN. */
  readonly meshOwner?: string;
  readonly kind: ProxyKind;
  readonly name: string;
  /** Present when node.id was a full ARN. */
  readonly region?: string;
  readonly partition?: string;
  /** `mesh/<mesh>/<kind>/<name>` (owner suffix dropped). */
  readonly shortId: string;
}

/** The parts of an Envoy/gRPC `node` that identity and grouping look at. */
export interface NodeInfo {
  readonly id: string;
  readonly cluster: string;
  readonly userAgentName: string;
  readonly userAgentVersion: string;
  readonly clientFeatures: readonly string[];
}

/** What a group-key function receives. */
export interface GroupKeyInput {
  readonly node: NodeInfo;
  readonly identity: ProxyIdentity;
  readonly flavour: ProxyFlavour;
}

export type GroupKeyFor = (input: GroupKeyInput) => string;

export type ParseResult = { ok: true; identity: ProxyIdentity } | { ok: false; message: string };

// App Mesh names: 1-255 characters; we refuse separators and whitespace so a
// name can never smuggle in another path segment.
const NAME = '[^/\\s@:]{1,255}';
const SHORT_RE = new RegExp(`^mesh/(${NAME})(?:@(\\d{12}))?/(virtualNode|virtualGateway)/(${NAME})$`);
const ARN_RE = new RegExp(
  `^arn:(aws[a-z-]*):appmesh:([a-z0-9-]+):(\\d{12}):mesh/(${NAME})(?:@(\\d{12}))?/(virtualNode|virtualGateway)/(${NAME})$`,
);

const EXPECTED =
  'expected mesh/<mesh>/virtualNode/<name>, mesh/<mesh>/virtualGateway/<name> ' +
  'or arn:aws:appmesh:<region>:<account>:mesh/<mesh>/virtualNode/<name>';

export function parseNodeId(nodeId: string): ParseResult {
  if (nodeId === '') return { ok: false, message: `node.id is empty; ${EXPECTED}` };
  const s = SHORT_RE.exec(nodeId);
  if (s) {
    const [, mesh, owner, kind, name] = s;
    return {
      ok: true,
      identity: {
        nodeId,
        mesh: mesh!,
        ...(owner ? { meshOwner: owner } : {}),
        kind: kind as ProxyKind,
        name: name!,
        shortId: `mesh/${mesh}/${kind}/${name}`,
      },
    };
  }
  const a = ARN_RE.exec(nodeId);
  if (a) {
    const [, partition, region, account, mesh, owner, kind, name] = a;
    return {
      ok: true,
      identity: {
        nodeId,
        mesh: mesh!,
        meshOwner: owner ?? account!,
        kind: kind as ProxyKind,
        name: name!,
        region: region!,
        partition: partition!,
        shortId: `mesh/${mesh}/${kind}/${name}`,
      },
    };
  }
  const shown = nodeId.length > 200 ? `${nodeId.slice(0, 200)}...` : nodeId;
  return { ok: false, message: `node.id "${shown}" is not an App Mesh resource; ${EXPECTED}` };
}

/** Where a proxy's resources live, for authorization. */
export interface ArnContext {
  readonly region: string;
  readonly accountId: string;
  readonly partition?: string;
}

/**
 * The resource ARN a proxy stands for. A full ARN keeps its own region and
 * account; a short id takes them from the server's configuration; a shared mesh's
 * resources belong to the mesh owner's account (as in App Mesh).
 */
export function resourceArn(identity: ProxyIdentity, ctx: ArnContext): string {
  const partition = identity.partition ?? ctx.partition ?? 'aws';
  const region = identity.region ?? ctx.region;
  const account = identity.meshOwner ?? ctx.accountId;
  return `arn:${partition}:appmesh:${region}:${account}:mesh/${identity.mesh}/${identity.kind}/${identity.name}`;
}

/**
 * Proxyless gRPC clients say so in `user_agent_name` ("gRPC Node Pure JS",
 * "grpc-go", "grpc-java", "gRPC C-core"...). Envoy says "envoy". A client that
 * sends neither but advertises `xds.config.resource-in-sotw` (a gRPC-only client
 * feature) is taken for gRPC too.
 */
export function detectFlavour(node: NodeInfo): ProxyFlavour {
  const ua = node.userAgentName.toLowerCase();
  if (ua === 'envoy') return 'envoy';
  if (/^grpc([\s-]|$)/.test(ua)) return 'grpc';
  if (node.clientFeatures.includes('xds.config.resource-in-sotw')) return 'grpc';
  return 'envoy';
}

/** Default grouping: the short id, with `#grpc` for proxyless gRPC clients. */
export const defaultGroupKeyFor: GroupKeyFor = ({ identity, flavour }) =>
  flavour === 'grpc' ? `${identity.shortId}#grpc` : identity.shortId;
