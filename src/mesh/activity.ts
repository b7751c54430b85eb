/**
 * Which resources App Mesh would have Active (appmesh.md §2.1): a resource is
 * inactive when it is invalid, over a quota, without a mesh, in an inactive mesh,
 * or waiting for something inactive (VirtualService → provider, VirtualRouter →
 * target nodes, GatewayRoute → gateway and target service; VirtualNodes wait for
 * nothing but their mesh). Reasons name the first cause, so a status condition
 * tells the user where to look.
 */
import type { Kind } from '../model/index.js';
import { describeId, type BuildContext, type ResourceEntry } from './context.js';
import type { Inactive } from './graph.js';

/** Dependencies point backwards in this order, so one pass settles everything. */
const ORDER: readonly Kind[] = [
  'Mesh',
  'BackendGroup',
  'VirtualNode',
  'VirtualRouter',
  'VirtualService',
  'VirtualGateway',
  'GatewayRoute',
];

export function settleActivity(ctx: BuildContext): void {
  for (const kind of ORDER) {
    for (const e of ctx.entries) {
      if (e.kind !== kind) continue;
      e.cause = e.invalid ?? e.blocked ?? waitingOn(e);
      e.inactive = verdict(e);
    }
  }
}

function verdict(e: ResourceEntry): Inactive | undefined {
  if (e.invalid) return e.invalid;
  if (e.blocked) return e.blocked;
  if (e.kind === 'Mesh') return undefined;
  if (!e.mesh) {
    const noMesh = e.noMesh ?? { reason: 'MeshNotFound', message: 'the resource belongs to no mesh' };
    return e.cause
      ? { reason: noMesh.reason, message: `${noMesh.message}; it also ${e.cause.message}` }
      : noMesh;
  }
  if (e.mesh.inactive)
    return {
      reason: 'MeshNotActive',
      message: `Mesh ${e.mesh.id.name} is not active: ${e.mesh.inactive.message}`,
    };
  return e.cause ?? fallbackWait(e);
}

/** The first dependency inactive for a reason other than its mesh: that is the cause worth naming. */
function waitingOn(e: ResourceEntry): Inactive | undefined {
  for (const dep of e.waitsFor) {
    if ('invalidInput' in dep) {
      return {
        reason: 'DependencyNotActive',
        message: `waits for ${describeId(dep.invalidInput)}, which is invalid`,
      };
    }
    // Entries of a later kind (not settled yet) cannot be dependencies; see ORDER.
    if (dep.entry === e || !dep.entry.cause) continue;
    return {
      reason: 'DependencyNotActive',
      message: `waits for ${describeId(dep.entry.id)}, which is not active (${dep.entry.cause.reason}: ${dep.entry.cause.message})`,
    };
  }
  return undefined;
}

/** A dependency inactive only because of its mesh (e.g. another mesh's member). */
function fallbackWait(e: ResourceEntry): Inactive | undefined {
  for (const dep of e.waitsFor) {
    if ('entry' in dep && dep.entry !== e && dep.entry.inactive) {
      return {
        reason: 'DependencyNotActive',
        message: `waits for ${describeId(dep.entry.id)}, which is not active (${dep.entry.inactive.reason}: ${dep.entry.inactive.message})`,
      };
    }
  }
  return undefined;
}
