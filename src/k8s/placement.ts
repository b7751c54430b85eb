/** Where each App Mesh object ended up in a MeshGraph: its mesh, App Mesh name, and why it is inactive. */
import type { Inactive, MeshGraph } from '../mesh/index.js';
import type { AnyResource, Diagnostic, ResourceId } from '../model/index.js';
import { idKey } from './graph-input.js';

export interface Placement {
  id: ResourceId;
  resource: AnyResource;
  awsName: string;
  /** Mesh awsName, when membership succeeded. */
  mesh?: string;
  /** GatewayRoute: awsName of the VirtualGateway it attached to. */
  gateway?: string;
  inactive?: Inactive;
}

/** Every resource of the graph by idKey. */
export function placements(graph: MeshGraph): Map<string, Placement> {
  const out = new Map<string, Placement>();
  const put = (p: Placement) => out.set(idKey(p.id.kind, p.id.namespace, p.id.name), p);
  const of = (
    r: { id: ResourceId; resource: AnyResource; awsName: string; mesh: string; inactive?: Inactive },
    extra: Partial<Placement> = {},
  ) =>
    put({
      id: r.id,
      resource: r.resource,
      awsName: r.awsName,
      mesh: r.mesh,
      ...(r.inactive ? { inactive: r.inactive } : {}),
      ...extra,
    });
  for (const view of graph.meshes.values()) {
    of(view.mesh);
    for (const n of view.virtualNodes.values()) of(n);
    for (const s of view.virtualServices.values()) of(s);
    for (const r of view.virtualRouters.values()) of(r);
    for (const g of view.virtualGateways.values()) {
      of(g);
      for (const gr of g.routes) of(gr, { gateway: gr.gateway });
    }
  }
  for (const u of graph.unplaced) {
    put({
      id: u.id,
      resource: u.resource,
      awsName: u.awsName,
      ...(u.mesh ? { mesh: u.mesh } : {}),
      inactive: u.inactive,
    });
  }
  return out;
}

function sameId(a: ResourceId | undefined, b: ResourceId): boolean {
  return !!a && a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');
}

/** Errors reported against the resource itself. */
export function errorsOf(graph: MeshGraph, id: ResourceId): Diagnostic[] {
  return graph.diagnostics.filter((d) => d.severity === 'error' && sameId(d.resource, id));
}

/**
 * Errors reported elsewhere that name the resource as affected (e.g. the Mesh whose
 * selector leaves a namespace without a mesh lists that namespace's resources).
 */
export function rootCausesOf(graph: MeshGraph, id: ResourceId): Diagnostic[] {
  return graph.diagnostics.filter(
    (d) =>
      d.severity === 'error' &&
      !sameId(d.resource, id) &&
      (d.related ?? []).some((r) => sameId(r.resource, id)),
  );
}
