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
import { groupKey, parseNodeId, shownNodeId, type ProxyFlavour, type ProxyKind } from '../envoy/index.js';
import { arnOf, type ArnContext } from '../model/index.js';

export { parseNodeId, shownNodeId, type ClaimedIdentity, type ParseResult } from '../envoy/index.js';
export type { ProxyFlavour, ProxyKind };

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

/** Default grouping: the short id, with `#grpc` for proxyless gRPC clients, as translation names groups. */
export const defaultGroupKeyFor: GroupKeyFor = ({ identity, flavour }) => groupKey(identity.shortId, flavour);
