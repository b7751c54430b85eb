/**
 * Splicing a partial build into a graph: the resolved objects of the `affected`
 * resources come from `sub` (a build of their neighbourhood), every other object from
 * `old`. The graph's objects point at each other (a service at its provider, a route at
 * its target nodes, a gateway route at its service; a node names its backends)
 * and graphs are immutable, so every object of `old` that reaches a replaced one through
 * those pointers is copied too, and every pointer of a new object is resolved again by
 * name in the new graph: the result has the shape a full build gives, pointers included.
 *
 * Undefined when the sub-build placed an affected resource differently from `old`
 * (another mesh or slot, placed in one and not the other), or when a gateway or a mesh
 * is affected: the caller then builds in full.
 */
import type { AnyResource, Diagnostic } from '../model/index.js';
import type {
  MeshGraph,
  MeshView,
  ResolvedGatewayRoute,
  ResolvedRoute,
  ResolvedVirtualGateway,
  ResolvedVirtualNode,
  ResolvedVirtualRouter,
  ResolvedVirtualService,
  UnplacedResource,
} from './graph.js';
import { idKey } from './ref-index.js';
import { sortDiagnostics } from './sort.js';

type Slot = 'virtualNodes' | 'virtualServices' | 'virtualRouters';
type Placed = ResolvedVirtualNode | ResolvedVirtualService | ResolvedVirtualRouter;
type Obj = Placed | ResolvedVirtualGateway;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const SLOTS: readonly Slot[] = ['virtualNodes', 'virtualServices', 'virtualRouters'];

/** An object of a graph and where it sits. */
export interface Placement {
  obj: Obj;
  mesh: string;
  slot: Slot | 'virtualGateways';
}

/** The objects of the old graph that point at `to` (a superset is fine: each is checked). */
export type ReadersOf = (to: Obj) => Iterable<Placement>;

/** Thrown inside the splice when a pointer has no target in the new graph; the caller builds in full. */
class Unspliceable extends Error {}

/** The objects `o` points at (always in its own mesh: the build links nothing across meshes). */
function* pointers(o: Obj, slot: Slot | 'virtualGateways'): Generator<Obj> {
  if (slot === 'virtualServices') {
    const p = (o as ResolvedVirtualService).provider;
    if (p) yield p.kind === 'virtualNode' ? p.node : p.router;
  } else if (slot === 'virtualRouters') {
    for (const r of (o as ResolvedVirtualRouter).routes) for (const t of r.targets) yield t.node;
  } else if (slot === 'virtualGateways') {
    for (const r of (o as ResolvedVirtualGateway).routes) yield r.target.service;
  }
  // A node points at nothing: it names its backends.
}

/** Whether `reader` (in `slot`) points at `to`. */
export function pointsAt(reader: Obj, slot: Slot | 'virtualGateways', to: Obj): boolean {
  for (const p of pointers(reader, slot)) if (p === to) return true;
  return false;
}

/** Every reader of every object of `old`, by one walk of the whole graph. */
function allReaders(old: MeshGraph): ReadersOf {
  const readers = new Map<Obj, Placement[]>();
  for (const [mesh, view] of old.meshes) {
    for (const slot of [...SLOTS, 'virtualGateways'] as const)
      for (const obj of view[slot].values()) {
        for (const to of pointers(obj, slot)) {
          const list = readers.get(to);
          if (list) list.push({ obj, mesh, slot });
          else readers.set(to, [{ obj, mesh, slot }]);
        }
      }
  }
  return (to) => readers.get(to) ?? [];
}

/**
 * `readersOf`: who points at a replaced object. By default the whole of `old` is walked
 * once to find out; the pipeline's incremental graph asks its reference index instead.
 */
export function spliceGraph(
  old: MeshGraph,
  sub: MeshGraph,
  affected: ReadonlySet<string>,
  order: ReadonlyMap<AnyResource, number>,
  readersOf: ReadersOf = allReaders(old),
): MeshGraph | undefined {
  // Where the sub-build placed the affected resources.
  const fresh = new Map<string, { mesh: string; slot: Slot; obj: Placed }>();
  const freshRoutes = new Map<string, ResolvedGatewayRoute>();
  for (const [mesh, view] of sub.meshes) {
    if (affected.has(idKey(view.mesh.id))) return undefined;
    for (const slot of SLOTS)
      for (const obj of view[slot].values()) {
        const k = idKey(obj.id);
        if (affected.has(k)) fresh.set(k, { mesh, slot, obj });
      }
    for (const gw of view.virtualGateways.values()) {
      if (affected.has(idKey(gw.id))) return undefined;
      for (const r of gw.routes) if (affected.has(idKey(r.id))) freshRoutes.set(idKey(r.id), r);
    }
  }
  const unplacedBefore = new Set(old.unplaced.map((u) => idKey(u.id)));
  const unplacedAfter = new Set(sub.unplaced.map((u) => idKey(u.id)).filter((k) => affected.has(k)));
  // Seeds: the objects of `old` replaced by fresh ones.
  const seeds: Placement[] = [];
  for (const [k, f] of fresh) {
    const before = old.meshes.get(f.mesh)?.[f.slot].get(f.obj.awsName);
    if (!before || idKey(before.id) !== k) return undefined;
    seeds.push({ obj: before, mesh: f.mesh, slot: f.slot });
  }
  const gatewaysWithFresh = new Map<ResolvedVirtualGateway, Placement>();
  for (const [k, r] of freshRoutes) {
    const before = old.meshes
      .get(r.mesh)
      ?.virtualGateways.get(r.gateway)
      ?.routes.find((x) => x.awsName === r.awsName);
    if (!before || idKey(before.id) !== k) return undefined;
    const gateway = old.meshes.get(r.mesh)!.virtualGateways.get(r.gateway)!;
    gatewaysWithFresh.set(gateway, { obj: gateway, mesh: r.mesh, slot: 'virtualGateways' });
  }
  for (const k of affected) {
    const placedAfter = fresh.has(k) || freshRoutes.has(k);
    if (placedAfter === unplacedBefore.has(k)) return undefined; // placed in one graph only
    if (!placedAfter && !unplacedAfter.has(k)) return undefined; // in neither: not a resource the sub-build saw
  }

  // Every object of `old` that reaches a replaced one: copied, with its pointers resolved again.
  const copied = new Map<Obj, Placement>();
  for (const p of [...seeds, ...gatewaysWithFresh.values()]) copied.set(p.obj, p);
  const queue = [...copied.keys()];
  while (queue.length > 0) {
    const to = queue.pop()!;
    for (const r of readersOf(to))
      if (!copied.has(r.obj) && pointsAt(r.obj, r.slot, to)) {
        copied.set(r.obj, r);
        queue.push(r.obj);
      }
  }

  // New maps for the meshes that change; insertion order kept (a set on an existing key keeps its place).
  const views = new Map<string, Mutable<MeshView>>();
  const viewOf = (mesh: string): Mutable<MeshView> => {
    let v = views.get(mesh);
    if (!v) {
      const o = old.meshes.get(mesh);
      if (!o) throw new Unspliceable();
      v = {
        mesh: o.mesh,
        virtualNodes: new Map(o.virtualNodes),
        virtualServices: new Map(o.virtualServices),
        virtualRouters: new Map(o.virtualRouters),
        virtualGateways: new Map(o.virtualGateways),
      };
      views.set(mesh, v);
    }
    return v;
  };
  const made: Array<{ obj: Mutable<Obj>; slot: Slot | 'virtualGateways' }> = [];
  const put = (mesh: string, slot: Slot | 'virtualGateways', obj: Obj): void => {
    const copy = { ...obj } as Mutable<Obj>;
    (viewOf(mesh)[slot] as Map<string, Obj>).set(obj.awsName, copy);
    made.push({ obj: copy, slot });
  };
  const seedSet = new Set<Obj>(seeds.map((p) => p.obj));
  for (const f of fresh.values()) put(f.mesh, f.slot, f.obj);
  for (const [o, at] of copied) {
    if (seedSet.has(o)) continue;
    put(at.mesh, at.slot, o);
  }

  try {
    const find = <T>(mesh: string, slot: Slot, name: string): T => {
      const v = views.get(mesh) ?? old.meshes.get(mesh);
      const o = v?.[slot].get(name);
      if (!o) throw new Unspliceable();
      return o as T;
    };
    const service = (s: ResolvedVirtualService) =>
      find<ResolvedVirtualService>(s.mesh, 'virtualServices', s.awsName);
    for (const { obj, slot } of made) {
      if (slot === 'virtualServices') {
        const s = obj as Mutable<ResolvedVirtualService>;
        const p = s.provider;
        if (p)
          s.provider =
            p.kind === 'virtualNode'
              ? { kind: p.kind, node: find(p.node.mesh, 'virtualNodes', p.node.awsName) }
              : { kind: p.kind, router: find(p.router.mesh, 'virtualRouters', p.router.awsName) };
      } else if (slot === 'virtualRouters') {
        const r = obj as Mutable<ResolvedVirtualRouter>;
        r.routes = r.routes.map((route): ResolvedRoute => ({
          ...route,
          targets: route.targets.map((t) => ({
            ...t,
            node: find<ResolvedVirtualNode>(t.node.mesh, 'virtualNodes', t.node.awsName),
          })),
        }));
      } else if (slot === 'virtualGateways') {
        const g = obj as Mutable<ResolvedVirtualGateway>;
        g.routes = g.routes.map((route): ResolvedGatewayRoute => {
          const r = freshRoutes.get(idKey(route.id)) ?? route;
          return { ...r, target: { ...r.target, service: service(r.target.service) } };
        });
      }
    }
  } catch (err) {
    if (err instanceof Unspliceable) return undefined;
    throw err;
  }

  const meshes = new Map<string, MeshView>(old.meshes);
  for (const [mesh, v] of views) meshes.set(mesh, v);
  const isAffected = (d: Diagnostic) => d.resource !== undefined && affected.has(idKey(d.resource));
  const unplaced: UnplacedResource[] = [
    ...old.unplaced.filter((u) => !affected.has(idKey(u.id))),
    ...sub.unplaced.filter((u) => affected.has(idKey(u.id))),
  ].sort((a, b) => (order.get(a.resource) ?? 0) - (order.get(b.resource) ?? 0));
  return {
    meshes,
    unplaced,
    diagnostics: sortDiagnostics([
      ...old.diagnostics.filter((d) => !isAffected(d)),
      ...sub.diagnostics.filter(isAffected),
    ]),
    counts: old.counts,
    options: old.options,
  };
}
