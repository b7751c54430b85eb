/**
 * The status App Mesh's controller writes (appmesh.md §1.0), computed from the graph:
 * `status.<kind>ARN`, `observedGeneration`, one `<Kind>Active` condition, and
 * `routeARNs` on VirtualRouters. Active=False carries the graph's reason and the
 * validator's message. Pure: the writer decides whether anything changed.
 */
import type { MeshGraph } from '../mesh/index.js';
import {
  arnOf,
  KIND_INFO,
  resourcePath,
  type ArnContext,
  type Diagnostic,
  type Kind,
  type ResourceId,
  isKind,
} from '../model/index.js';
import type { KubeObject } from './objects.js';
import { rootCausesOf, type Placement } from './placement.js';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export type AppMeshStatus = Record<string, unknown> & {
  observedGeneration?: number;
  conditions?: Condition[];
  routeARNs?: Record<string, string>;
};

export interface StatusInputs {
  graph: MeshGraph;
  placement?: Placement;
  /** Schema errors when the object could not enter the graph. */
  schemaProblems?: ReadonlyArray<Diagnostic>;
  arn: ArnContext;
  /** RFC 3339 time for a new lastTransitionTime. */
  now: string;
}

function describe(d: Diagnostic): string {
  return d.path ? `${d.path}: ${d.message}` : d.message;
}

function arnFor(kind: Kind, p: Placement, ctx: ArnContext): string | undefined {
  if (!p.mesh) return undefined;
  if (kind === 'GatewayRoute')
    return p.gateway ? arnOf(resourcePath(kind, p.mesh, p.awsName, p.gateway), ctx) : undefined;
  return arnOf(resourcePath(kind, p.mesh, p.awsName), ctx);
}

/** Undefined for kinds without status (BackendGroup). */
export function desiredStatus(obj: KubeObject, inputs: StatusInputs): AppMeshStatus | undefined {
  const kind = obj.kind;
  if (!isKind(kind)) return undefined;
  const info = KIND_INFO[kind];
  if (!info.conditionType || !info.arnStatusField) return undefined;
  const current = ((obj as { status?: AppMeshStatus }).status ?? {}) as AppMeshStatus;
  const id: ResourceId = {
    kind,
    name: obj.metadata.name,
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
  };
  const out: AppMeshStatus = {};
  const p = inputs.placement;

  let condition: Condition;
  if (inputs.schemaProblems && inputs.schemaProblems.length > 0) {
    condition = {
      type: info.conditionType,
      status: 'False',
      reason: 'ValidationFailed',
      message: inputs.schemaProblems.map(describe).join('; '),
    };
  } else if (!p) {
    condition = {
      type: info.conditionType,
      status: 'False',
      reason: 'NotPlaced',
      message: 'the resource is not in the mesh graph',
    };
  } else if (p.inactive && !p.mesh && kind !== 'Mesh') {
    // Without a mesh nothing else matters (App Mesh refuses the object outright): lead with why, then any other problem.
    const root = rootCausesOf(inputs.graph, id)[0];
    const own = p.inactive.reason === 'MeshNotFound' ? undefined : p.inactive.message;
    const message = root ? [describe(root), ...(own ? [own] : [])].join('; also: ') : p.inactive.message;
    condition = { type: info.conditionType, status: 'False', reason: 'MeshNotFound', message };
  } else if (p.inactive) {
    condition = {
      type: info.conditionType,
      status: 'False',
      reason: p.inactive.reason,
      message: p.inactive.message,
    };
  } else {
    condition = { type: info.conditionType, status: 'True' };
  }
  const previous = (current.conditions ?? []).find((c) => c.type === info.conditionType);
  condition.lastTransitionTime =
    previous && previous.status === condition.status && previous.lastTransitionTime
      ? previous.lastTransitionTime
      : inputs.now;

  const arn = p ? arnFor(kind, p, inputs.arn) : undefined;
  if (arn) out[info.arnStatusField] = arn;
  if (kind === 'VirtualRouter' && p?.mesh) {
    const routes = (p.resource.spec as { routes?: Array<{ name?: string }> }).routes ?? [];
    const routeARNs: Record<string, string> = {};
    for (const r of routes)
      if (r.name) routeARNs[r.name] = arnOf(resourcePath('Route', p.mesh, r.name, p.awsName), inputs.arn);
    if (Object.keys(routeARNs).length > 0) out.routeARNs = routeARNs;
  }
  if (obj.metadata.generation !== undefined) out.observedGeneration = obj.metadata.generation;
  out.conditions = [condition];
  return out;
}

/** A merge patch turning `current` into `desired` (null removes what desired dropped). */
export function statusMergePatch(
  current: Record<string, unknown> | undefined,
  desired: AppMeshStatus,
): { status: Record<string, unknown> } {
  const status: Record<string, unknown> = { ...desired };
  for (const k of Object.keys(current ?? {})) if (!(k in desired)) status[k] = null;
  return { status };
}
