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

import { status } from '@grpc/grpc-js';
import { arnOf, type ArnContext } from '../model/index.js';

export type ProxyKind = 'virtualNode' | 'virtualGateway';
export type ProxyFlavour = 'envoy' | 'grpc';

/** What `node.id` claims, read without judging it. */
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

/**
 * The one resource a stream stands for, after {@link resolveIdentity}: what is
 * authorised (`arn`) is exactly what is served (`shortId`, the group key's base).
 */
export interface ProxyIdentity {
  /** `node.id` exactly as sent. */
  readonly nodeId: string;
  readonly mesh: string;
  readonly kind: ProxyKind;
  readonly name: string;
  /** `mesh/<mesh>/<kind>/<name>`. */
  readonly shortId: string;
  /** This server's ARN of that resource (its partition and region, the mesh owner's account). */
  readonly arn: string;
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

export type ParseResult = { ok: true; claim: ClaimedIdentity } | { ok: false; message: string };

// App Mesh names: 1-255 characters; we refuse separators and whitespace so a
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

/** Reads `node.id` in the forms App Mesh accepts; says nothing about whether it is served here. */
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

export type IdentityResult =
  | { ok: true; identity: ProxyIdentity }
  | { ok: false; code: status.INVALID_ARGUMENT | status.PERMISSION_DENIED; message: string };

/** Owner account of a mesh this server serves, when it is not the server's own (a shared mesh's `meshOwner`). */
export type MeshOwnerOf = (mesh: string) => string | undefined;

/**
 * Canonicalises what `node.id` claims to the one resource this server would
 * serve for it, or refuses it. This server holds one partition, one region and,
 * per mesh, one owner account (its own, or a shared mesh's `meshOwner`): an ARN
 * of another partition, region or account, or `<mesh>@<owner>` with another
 * owner, names a resource that is not here, so it is refused (PERMISSION_DENIED,
 * what App Mesh answers for a resource the caller may not stream) rather than
 * served as the local mesh of the same name.
 */
export function resolveIdentity(
  nodeId: string,
  ctx: ArnContext,
  ownerOf: MeshOwnerOf = () => undefined,
): IdentityResult {
  const parsed = parseNodeId(nodeId);
  if (!parsed.ok) return { ok: false, code: status.INVALID_ARGUMENT, message: parsed.message };
  const c = parsed.claim;
  const shown = shownNodeId(nodeId);
  if (c.account !== undefined && c.meshOwner !== undefined && c.account !== c.meshOwner)
    return {
      ok: false,
      code: status.INVALID_ARGUMENT,
      message: `node.id "${shown}" names account ${c.account} and mesh owner ${c.meshOwner}; a mesh's resources are in its owner's account, so they must be the same`,
    };
  const partition = ctx.partition ?? 'aws';
  const notHere = (what: string): IdentityResult => ({
    ok: false,
    code: status.PERMISSION_DENIED,
    message: `node.id "${shown}" names ${what}; it is not a resource of this control plane`,
  });
  if (c.partition !== undefined && c.partition !== partition)
    return notHere(`partition ${c.partition}, but this server serves partition ${partition}`);
  if (c.region !== undefined && c.region !== ctx.region)
    return notHere(`region ${c.region}, but this server serves region ${ctx.region} (--region)`);
  const owner = ownerOf(c.mesh) ?? ctx.account;
  const claimedOwner = c.meshOwner ?? c.account;
  if (claimedOwner !== undefined && claimedOwner !== owner)
    return notHere(
      `account ${claimedOwner}, but mesh ${c.mesh} here belongs to account ${owner}` +
        (owner === ctx.account ? ' (--account-id)' : ' (its meshOwner)'),
    );
  if (claimedOwner === undefined && owner !== ctx.account)
    return notHere(
      `mesh ${c.mesh} of this account, but mesh ${c.mesh} here is shared by account ${owner}: use mesh/${c.mesh}@${owner}/${c.kind}/${c.name}`,
    );
  const shortId = `mesh/${c.mesh}/${c.kind}/${c.name}`;
  return {
    ok: true,
    identity: {
      nodeId,
      mesh: c.mesh,
      kind: c.kind,
      name: c.name,
      shortId,
      arn: arnOf(shortId, { ...ctx, account: owner, partition }),
    },
  };
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
