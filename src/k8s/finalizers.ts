/**
 * App Mesh's finalizers (appmesh.md §2.3): a Mesh keeps
 * `finalizers.appmesh.k8s.aws/mesh-members` while any resource belongs to it, a
 * VirtualGateway keeps `finalizers.appmesh.k8s.aws/virtualgateway-members` while
 * GatewayRoutes attach to it. App Mesh's `aws-appmesh-resources` finalizer (left on
 * objects created under the App Mesh controller) guards an AWS object that Amime does
 * not have, so Amime releases it on deletion. Pure planning; the controller applies.
 */
import type { Kind } from '../model/index.js';
import { idKey } from './graph-input.js';
import type { KubeObject } from './objects.js';
import type { Placement } from './placement.js';

export const MESH_MEMBERS_FINALIZER = 'finalizers.appmesh.k8s.aws/mesh-members';
export const VIRTUAL_GATEWAY_MEMBERS_FINALIZER = 'finalizers.appmesh.k8s.aws/virtualgateway-members';
export const AWS_RESOURCES_FINALIZER = 'finalizers.appmesh.k8s.aws/aws-appmesh-resources';

export interface FinalizerUpdate {
  kind: Kind;
  namespace?: string;
  name: string;
  /** The object's resourceVersion the plan was made from (precondition for the write). */
  resourceVersion: string;
  finalizers: string[];
  /** Why, for logs and events. */
  reason: string;
}

interface RefLike {
  name?: string;
  namespace?: string;
}

function specRef(o: KubeObject, field: string): RefLike | undefined {
  const v = (o as { spec?: Record<string, unknown> }).spec?.[field];
  return v !== null && typeof v === 'object' ? (v as RefLike) : undefined;
}

export function planFinalizers(
  objects: ReadonlyArray<KubeObject>,
  placement: ReadonlyMap<string, Placement>,
): FinalizerUpdate[] {
  const out: FinalizerUpdate[] = [];
  const placed = (o: KubeObject) =>
    placement.get(idKey(String(o.kind), o.metadata.namespace, o.metadata.name));
  for (const o of objects) {
    const kind = o.kind as Kind;
    const current = o.metadata.finalizers ?? [];
    const deleting = !!o.metadata.deletionTimestamp;
    const guard =
      kind === 'Mesh'
        ? MESH_MEMBERS_FINALIZER
        : kind === 'VirtualGateway'
          ? VIRTUAL_GATEWAY_MEMBERS_FINALIZER
          : undefined;
    let next = current;
    let reason = '';
    if (!deleting && guard && !current.includes(guard)) {
      next = [...current, guard];
      reason = `add ${guard}`;
    }
    if (deleting) {
      if (current.includes(AWS_RESOURCES_FINALIZER)) {
        next = next.filter((f) => f !== AWS_RESOURCES_FINALIZER);
        reason = `release ${AWS_RESOURCES_FINALIZER}: Amime keeps no AWS object`;
      }
      if (guard && current.includes(guard)) {
        const members =
          guard === MESH_MEMBERS_FINALIZER
            ? meshMembers(o, objects, placed)
            : gatewayMembers(o, objects, placed);
        if (members.length === 0) {
          next = next.filter((f) => f !== guard);
          reason = `remove ${guard}: no members remain`;
        }
      }
    }
    if (next !== current && o.metadata.resourceVersion) {
      out.push({
        kind,
        ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
        name: o.metadata.name,
        resourceVersion: o.metadata.resourceVersion,
        finalizers: next,
        reason,
      });
    }
  }
  return out;
}

/** Resources of a Mesh: those whose meshRef names it, or that the graph placed in it. */
export function meshMembers(
  mesh: KubeObject,
  objects: ReadonlyArray<KubeObject>,
  placed: (o: KubeObject) => Placement | undefined,
): KubeObject[] {
  const meshAwsName = placed(mesh)?.awsName;
  return objects.filter((o) => {
    if (o.kind === 'Mesh') return false;
    if (specRef(o, 'meshRef')?.name === mesh.metadata.name) return true;
    const p = placed(o);
    return meshAwsName !== undefined && p?.mesh === meshAwsName;
  });
}

/** GatewayRoutes of a VirtualGateway: by virtualGatewayRef, or attached in the graph. */
export function gatewayMembers(
  gateway: KubeObject,
  objects: ReadonlyArray<KubeObject>,
  placed: (o: KubeObject) => Placement | undefined,
): KubeObject[] {
  const gw = placed(gateway);
  return objects.filter((o) => {
    if (o.kind !== 'GatewayRoute') return false;
    const ref = specRef(o, 'virtualGatewayRef');
    if (
      ref?.name === gateway.metadata.name &&
      (ref.namespace ?? o.metadata.namespace) === gateway.metadata.namespace
    )
      return true;
    const p = placed(o);
    return gw?.mesh !== undefined && p?.mesh === gw.mesh && p.gateway === gw.awsName;
  });
}
