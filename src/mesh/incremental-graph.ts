/**
 * The serving pipeline's mesh graph, kept up to date incrementally. A new input that
 * differs from the last only in updated routers or nodes (same keys in the same order,
 * the same namespaces) re-derives each update's neighbourhood with the REST API's
 * machinery (incremental.ts: the same eligibility, reference index and neighbourhood)
 * and splices it into the last graph (splice.ts); anything else is built in full.
 *
 * What an update affects: the resource itself, when it is a router whose routes alone
 * changed and whose activity the sub-build shows unchanged (its readers read its
 * listeners and its activity, never its routes: the `rt-7` change of the propagation
 * bench re-derives one router); otherwise the resource and its readers within three
 * references — activity travels node → router → service → gateway route. Objects that
 * merely point at an affected one are copied and re-pointed by the splice.
 *
 * `buildMeshGraph` stays the reference: incremental-graph.test.ts compares graphs
 * (pointers included) and diagnostics with the full build after every step of random
 * update sequences, and test/pipeline/pipeline.property.test.ts the published snapshots.
 */
import { awsNameOf, type AnyResource } from '../model/index.js';
import { buildMeshGraph } from './build.js';
import type { GraphInput, GraphOptions, InputResource, MeshGraph } from './graph.js';
import { ALWAYS, eligibleUpdate, hasMeshWide, readersSeeChange } from './incremental.js';
import { idKey, keyOf, RefIndex, within } from './ref-index.js';
import { spliceGraph, type Placement, type ReadersOf } from './splice.js';

/** How far an update's effects reach through readers: node → router → service → gateway route. */
const READER_DEPTH = 3;
/** How far the affected resources' own reads reach (as in incremental.ts). */
const READ_DEPTH = 2;
/** More updates than this in one input: one full build is cheaper than one splice each. */
const MAX_UPDATES = 16;

/** How the current graph was made: in full, by splicing updates, or kept (nothing changed). */
export type GraphBuildKind = 'full' | 'incremental' | 'unchanged';

export interface IncrementalTuning {
  /**
   * The largest share of the mesh a neighbourhood may be and still be built apart;
   * beyond it one full build is cheaper. Default 0.5; tests set 1 to splice small meshes.
   */
  readonly neighbourhoodShare?: number;
}

export class IncrementalGraph {
  private constructor(
    readonly input: GraphInput,
    readonly graph: MeshGraph,
    readonly how: GraphBuildKind,
    private readonly options: GraphOptions,
    private readonly index: RefIndex,
    /** Input position of each resource object (the build orders unplaced resources so). */
    private readonly order: ReadonlyMap<AnyResource, number>,
    private readonly tuning: IncrementalTuning,
  ) {}

  static build(
    input: GraphInput,
    options: GraphOptions = {},
    tuning: IncrementalTuning = {},
  ): IncrementalGraph {
    return new IncrementalGraph(
      input,
      buildMeshGraph(input, options),
      'full',
      options,
      RefIndex.of(new Map(input.resources.map((r) => [keyOf(r.resource), r]))),
      orderOf(input),
      tuning,
    );
  }

  /** The state for `input`: spliced when it updates a few resources of this one, else built in full. */
  next(input: GraphInput): IncrementalGraph {
    const updates = this.updatesTo(input);
    if (!updates) return IncrementalGraph.build(input, this.options, this.tuning);
    if (updates.length === 0)
      return new IncrementalGraph(
        input,
        this.graph,
        'unchanged',
        this.options,
        this.index,
        this.order,
        this.tuning,
      );
    let state: IncrementalGraph | undefined;
    for (const u of updates) {
      state = (state ?? this).update(u.position, u.resource);
      if (!state) return IncrementalGraph.build(input, this.options, this.tuning);
    }
    if (!state) throw new Error('unreachable: at least one update');
    // The same graph and index; the caller's input objects (equal wrappers, same resources).
    return new IncrementalGraph(
      input,
      state.graph,
      'incremental',
      this.options,
      state.index,
      state.order,
      this.tuning,
    );
  }

  /**
   * The positions and new wrappers of the resources `input` updates, or undefined when
   * it is not such an update: resources added, removed or reordered, namespaces, pods or
   * invalid resources changed, too many updates.
   */
  private updatesTo(input: GraphInput): Array<{ position: number; resource: InputResource }> | undefined {
    const before = this.input;
    if (!sameList(before.namespaces, input.namespaces, sameNamespace)) return undefined;
    if (!sameList(before.pods, input.pods, (a, b) => a === b)) return undefined;
    if (!sameList(before.invalid, input.invalid, (a, b) => a === b)) return undefined;
    if (before.resources.length !== input.resources.length) return undefined;
    const out: Array<{ position: number; resource: InputResource }> = [];
    for (let i = 0; i < input.resources.length; i++) {
      const a = before.resources[i]!;
      const b = input.resources[i]!;
      if (a === b) continue;
      if (a.resource === b.resource && a.locate === b.locate && a.schemaErrors === b.schemaErrors) continue;
      if (keyOf(a.resource) !== keyOf(b.resource)) return undefined;
      if (out.length === MAX_UPDATES) return undefined;
      out.push({ position: i, resource: b });
    }
    return out;
  }

  /** This state with the resource at `position` replaced by `next`; undefined when a full build is needed. */
  private update(position: number, next: InputResource): IncrementalGraph | undefined {
    const old = this.input.resources[position]!;
    if (next.schemaErrors) return undefined;
    if (!eligibleUpdate(this.input, this.graph.diagnostics, old.resource, next.resource)) return undefined;
    const resources = [...this.input.resources];
    resources[position] = next;
    const input: GraphInput = { ...this.input, resources };
    const key = keyOf(next.resource);
    const index = this.index.withUpdate(key, next);
    const order = new Map(this.order);
    order.delete(old.resource);
    order.set(next.resource, position);
    const attempt = (affected: Set<string>): MeshGraph | undefined => {
      const hood = within(new Set(affected), (k) => index.readBy(k), READ_DEPTH);
      if (hood.size > index.size * (this.tuning.neighbourhoodShare ?? 0.5)) return undefined;
      for (const k of index.keysOfKinds(ALWAYS)) hood.add(k);
      const sub = buildMeshGraph({ ...input, resources: index.inOrder(hood) }, this.options);
      if (hasMeshWide(sub.diagnostics)) return undefined;
      return spliceGraph(this.graph, sub, affected, order, indexedReaders(this.graph, this.index));
    };
    let graph: MeshGraph | undefined;
    if (!readersSeeChange(old.resource, next.resource)) {
      graph = attempt(new Set([key]));
      // Its readers read its activity: when that changed, they are affected too.
      if (graph && !sameActivity(this.graph, graph, next.resource)) graph = undefined;
    }
    graph ??= attempt(within(new Set([key]), (k) => index.readersOf(k), READER_DEPTH));
    return (
      graph && new IncrementalGraph(input, graph, 'incremental', this.options, index, order, this.tuning)
    );
  }
}

/**
 * Who points at an object of `graph`, from the index `graph` was built with: a graph
 * object points only at what its resource refers to by name (a service at its provider,
 * a route at its targets, a gateway route at its service), so the resources referring
 * to it are the candidates, and the splice checks each. Walking the whole graph to find
 * them was ~10 % of a one-route change through the pipeline at 10× App Mesh's quotas.
 */
function indexedReaders(graph: MeshGraph, index: RefIndex): ReadersOf {
  return (to) => {
    const view = graph.meshes.get(to.mesh);
    const key = idKey(to.id);
    if (!view || !index.get(key)) return [];
    const out: Placement[] = [];
    for (const k of index.readersOf(key)) {
      const r = index.get(k)?.resource;
      if (r?.kind === 'VirtualService') {
        const obj = view.virtualServices.get(awsNameOf(r));
        if (obj) out.push({ obj, mesh: to.mesh, slot: 'virtualServices' });
      } else if (r?.kind === 'VirtualRouter') {
        const obj = view.virtualRouters.get(awsNameOf(r));
        if (obj) out.push({ obj, mesh: to.mesh, slot: 'virtualRouters' });
      } else if (r?.kind === 'GatewayRoute') {
        // A gateway holds its routes: the gateway is the reader.
        for (const obj of view.virtualGateways.values())
          if (obj.routes.some((gr) => idKey(gr.id) === k))
            out.push({ obj, mesh: to.mesh, slot: 'virtualGateways' });
      }
    }
    return out;
  };
}

function orderOf(input: GraphInput): Map<AnyResource, number> {
  return new Map(input.resources.map((r, i) => [r.resource, i]));
}

/** Whether `resource` is placed alike, with the same activity, in both graphs. */
function sameActivity(a: MeshGraph, b: MeshGraph, resource: AnyResource): boolean {
  const find = (g: MeshGraph) => {
    const key = keyOf(resource);
    for (const view of g.meshes.values())
      for (const r of view.virtualRouters.values()) if (idKey(r.id) === key) return r;
    return g.unplaced.find((u) => idKey(u.id) === key);
  };
  const x = find(a);
  const y = find(b);
  return (
    x !== undefined &&
    y !== undefined &&
    x.inactive?.reason === y.inactive?.reason &&
    x.inactive?.message === y.inactive?.message
  );
}

function sameList<T>(
  a: ReadonlyArray<T> | undefined,
  b: ReadonlyArray<T> | undefined,
  same: (x: T, y: T) => boolean,
): boolean {
  if ((a?.length ?? 0) !== (b?.length ?? 0)) return false;
  for (let i = 0; i < (a?.length ?? 0); i++) if (!same(a![i]!, b![i]!)) return false;
  return true;
}

function sameNamespace(
  a: NonNullable<GraphInput['namespaces']>[number],
  b: NonNullable<GraphInput['namespaces']>[number],
): boolean {
  if (a === b) return true;
  if (a.name !== b.name || a.locate !== b.locate) return false;
  const ka = Object.keys(a.labels);
  return ka.length === Object.keys(b.labels).length && ka.every((k) => a.labels[k] === b.labels[k]);
}
