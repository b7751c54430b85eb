/**
 * Incremental diagnostics for single-resource updates (the REST API's UpdateRoute,
 * CreateRoute, DeleteRoute, UpdateVirtualRouter, UpdateVirtualNode): instead of
 * building the whole mesh again, an update rebuilds only a neighbourhood of the
 * resource and takes from it the diagnostics of the resources the update can affect —
 * the resource itself and what reads it within two references (a route's services,
 * and the gateway routes and callers of those services) — keeping every other
 * resource's diagnostics from the state before.
 *
 * `buildMeshGraph` stays the reference: an update the neighbourhood cannot be shown to
 * cover (another kind, a renamed or moved resource, backend groups, pods, a mesh that
 * already has mesh-wide problems: quotas, duplicate names, shadowed
 * hostnames) takes the full build. incremental.test.ts applies random update
 * sequences both ways and compares the diagnostics after every step
 * (`npm run test:equivalence` runs 1,000 sequences).
 */
import { awsNameOf, formatResourceId, type AnyResource, type Diagnostic } from '../model/index.js';
import { buildMeshGraph } from './build.js';
import {
  DEFAULT_QUOTAS,
  type GraphInput,
  type GraphOptions,
  type InputResource,
  type Quotas,
} from './graph.js';
import { idKey, keyOf, RefIndex, within } from './ref-index.js';

export { referencedNames } from './ref-index.js';

/** Kinds whose updates may take the incremental path. */
const INCREMENTAL_KINDS = new Set(['VirtualRouter', 'VirtualNode']);
/** Kinds whose creates may take it too, with the per-mesh quota a create counts against. */
const CREATE_QUOTA: Readonly<Record<string, keyof Quotas>> = {
  VirtualRouter: 'virtualRoutersPerMesh',
  VirtualNode: 'virtualNodesPerMesh',
};
/** Always in the neighbourhood: few, and read through selectors rather than names. */
export const ALWAYS: ReadonlySet<string> = new Set(['Mesh', 'VirtualGateway', 'GatewayRoute']);
/** Problems that count or compare resources across the mesh: a neighbourhood cannot see them. */
const MESH_WIDE = [/^quota\./, /^name\./, /hostname/];
/** How far reads reach: a gateway route reads its service's provider (two references). */
const DEPTH = 2;
/**
 * How far a router's own rules read: its target nodes (whether they exist, their mesh,
 * their listeners), nothing through them — activity, which follows the nodes' own
 * references, yields no diagnostics. A routes-only update re-derives the router alone,
 * so its neighbourhood is the router, its targets and ALWAYS (21 resources for `rt-all`
 * of the propagation bench instead of 122 with their backends).
 */
const ROUTER_READ_DEPTH = 1;

/**
 * Whether the resources that read `next` can see how it differs from `old`. A router's
 * readers (its services, and through them callers and gateway routes) read its listeners
 * — the ports and protocols — and never its routes: the rules run before activity is
 * settled, so a route that makes its router wait changes no reader's diagnostics. An
 * UpdateRoute of a router every node calls (`rt-all` of the propagation bench) so
 * re-derives the router alone, not the whole mesh.
 */
export function readersSeeChange(old: AnyResource, next: AnyResource): boolean {
  if (next.kind !== 'VirtualRouter' || old.kind !== 'VirtualRouter') return true;
  const { routes: _o, ...oldRest } = old.spec;
  const { routes: _n, ...nextRest } = next.spec;
  return JSON.stringify(oldRest) !== JSON.stringify(nextRest);
}

/**
 * Whether replacing `old` by `next` in a state of `input` with `diagnostics` may take an
 * incremental path: a router or node keeping its names and mesh, in a mesh without
 * pods, backend groups, partial resources or mesh-wide problems.
 */
export function eligibleUpdate(
  input: GraphInput,
  diagnostics: readonly Diagnostic[],
  old: AnyResource,
  next: AnyResource,
): boolean {
  return keepsPlace(old, next) && meshAllowsIncremental(input, diagnostics);
}

/** A router or node keeping its kind, names and mesh. */
function keepsPlace(old: AnyResource, next: AnyResource): boolean {
  if (!INCREMENTAL_KINDS.has(next.kind) || old.kind !== next.kind) return false;
  if (awsNameOf(old) !== awsNameOf(next)) return false;
  const meshRef = (r: AnyResource) => JSON.stringify((r.spec as { meshRef?: unknown }).meshRef ?? null);
  return meshRef(old) === meshRef(next);
}

/** A mesh state without pods, backend groups, partial resources or mesh-wide problems. */
export function meshAllowsIncremental(input: GraphInput, diagnostics: readonly Diagnostic[]): boolean {
  return inputAllowsIncremental(input) && !hasMeshWide(diagnostics);
}

/** An input without pods, backend groups or partial resources. */
function inputAllowsIncremental(input: GraphInput): boolean {
  if ((input.pods?.length ?? 0) > 0) return false;
  return !input.resources.some((r) => r.resource.kind === 'BackendGroup' || r.schemaErrors);
}

/** Whether some diagnostic counts or compares resources across the mesh. */
export function hasMeshWide(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => MESH_WIDE.some((re) => re.test(d.code)));
}

/** The diagnostics of one mesh state, with what an update needs to re-derive them in part. */
export class MeshDiagnostics {
  /** The input but its resources (namespaces, pods): what a neighbourhood's build takes from it. */
  private readonly rest: Omit<GraphInput, 'resources'>;
  private known: GraphInput | undefined;

  private constructor(
    /**
     * The input, or undefined when the index holds it: an incremental state's input is
     * its index's resources in input order, listed only when asked for (a full build,
     * tests), not per write (a copy of the mesh's 4,500 resources per UpdateRoute, and
     * the garbage it made). Only for a line of states whose first input had one resource
     * per key, which the index then holds exactly.
     */
    input: GraphInput | undefined,
    rest: Omit<GraphInput, 'resources'>,
    readonly diagnostics: readonly Diagnostic[],
    private readonly options: GraphOptions,
    private readonly index: RefIndex,
    /** Whether this state came from the incremental path (for tests and metrics). */
    readonly incremental: boolean,
    /**
     * `inputAllowsIncremental(input)`, found once per full build: an incremental update
     * replaces a router or node by one of its kind (keeping its `schemaErrors`) or adds
     * one without, so the answer holds along a line of updates without walking the
     * mesh's 4,500 resources per write.
     */
    private readonly inputAllows: boolean,
    /** Whether the index holds the input exactly (one resource per key), so `input` may be left to it. */
    private readonly exact: boolean,
  ) {
    this.known = input;
    this.rest = rest;
  }

  get input(): GraphInput {
    this.known ??= { ...this.rest, resources: this.index.inOrder(this.index.keys()) };
    return this.known;
  }

  /** The full build: the reference every state starts from. */
  static build(input: GraphInput, options: GraphOptions = {}): MeshDiagnostics {
    const index = RefIndex.of(new Map(input.resources.map((r) => [keyOf(r.resource), r])));
    const { resources: _resources, ...rest } = input;
    return new MeshDiagnostics(
      input,
      rest,
      buildMeshGraph(input, options).diagnostics,
      options,
      index,
      false,
      inputAllowsIncremental(input),
      index.size === input.resources.length,
    );
  }

  private meshWide: boolean | undefined;

  /** `meshAllowsIncremental(this.input, this.diagnostics)`, from what this state knows. */
  private allowsIncremental(): boolean {
    this.meshWide ??= hasMeshWide(this.diagnostics);
    return this.inputAllows && !this.meshWide;
  }

  /**
   * The state with `resource` in place of the resource of the same kind, namespace and
   * name, or added when there is none (a create).
   */
  update(resource: AnyResource): MeshDiagnostics {
    const key = keyOf(resource);
    const old = this.index.get(key);
    const replaced: InputResource = { ...old, resource };
    const inputAfter = (): GraphInput => ({
      ...this.input,
      resources: old
        ? this.input.resources.map((r) => (r === old ? replaced : r))
        : [...this.input.resources, replaced],
    });
    const eligible = old ? this.eligible(old.resource, resource) : this.eligibleCreate(resource);
    if (!eligible) return MeshDiagnostics.build(inputAfter(), this.options);
    const index = this.index.withUpdate(key, replaced);
    const input = this.exact ? undefined : inputAfter();
    const derived = this.partial(index, key, !old || readersSeeChange(old.resource, resource));
    const state = (known: GraphInput | undefined, list: readonly Diagnostic[], incremental: boolean) =>
      new MeshDiagnostics(
        known,
        this.rest,
        list,
        this.options,
        index,
        incremental,
        this.inputAllows,
        this.exact,
      );
    if (derived) {
      const next = state(input, [...derived.kept, ...derived.rederived], true);
      // This state had no mesh-wide problem (or the update would not be incremental), so
      // the next has one only among the re-derived: no walk over the whole mesh's.
      next.meshWide = hasMeshWide(derived.rederived);
      return next;
    }
    const all = input ?? state(undefined, [], false).input;
    return state(all, buildMeshGraph(all, this.options).diagnostics, false);
  }

  /**
   * Whether a create of `resource` may take the incremental path: what a new router or
   * node changes for others is found by name (the readers whose references it now
   * resolves), except the mesh-wide problems a neighbourhood cannot see, ruled out here:
   * another resource of its kind with one of its names (name.duplicate) and its kind's
   * per-mesh quota (counted over the whole input, so never under the mesh's own count).
   */
  private eligibleCreate(resource: AnyResource): boolean {
    const quota = CREATE_QUOTA[resource.kind];
    if (!quota || !this.allowsIncremental()) return false;
    if (this.index.namesakes(resource).length > 0) return false;
    const limit = this.options.quotas?.[quota] ?? DEFAULT_QUOTAS[quota];
    return this.index.countOf(resource.kind) + 1 <= limit;
  }

  /** `eligibleUpdate` from what this state knows. */
  private eligible(old: AnyResource, next: AnyResource): boolean {
    return keepsPlace(old, next) && this.allowsIncremental();
  }

  /**
   * Diagnostics after the update of `key`, from a build of its neighbourhood; undefined
   * when the neighbourhood is most of the mesh (the full build is then cheaper).
   */
  private partial(
    index: RefIndex,
    key: string,
    readersSee: boolean,
  ): { kept: Diagnostic[]; rederived: Diagnostic[] } | undefined {
    // Affected: the resource and what reads it, within DEPTH references.
    const affected = readersSee ? within(new Set([key]), (k) => index.readersOf(k), DEPTH) : new Set([key]);
    // The neighbourhood: the affected, what they read within DEPTH references, and ALWAYS.
    const hood = within(new Set(affected), (k) => index.readBy(k), readersSee ? DEPTH : ROUTER_READ_DEPTH);
    if (hood.size > index.size / 2) return undefined;
    for (const k of index.keysOfKinds(ALWAYS)) hood.add(k);
    const resources = index.inOrder(hood);
    const sub = buildMeshGraph(
      { ...this.rest, resources: readersSee ? resources : resources.map(asRouteTarget) },
      this.options,
    );
    const isAffected = (d: Diagnostic) => {
      const k = resourceKeyOf(d);
      return k !== undefined && affected.has(k);
    };
    return {
      kept: this.diagnostics.filter((d) => !isAffected(d)),
      rederived: sub.diagnostics.filter(isAffected),
    };
  }
}

const diagnosticKeys = new WeakMap<Diagnostic, string | undefined>();

/**
 * The key of the resource a diagnostic is about, kept per diagnostic: a state keeps most
 * of its diagnostics from the state before, and every write asked each of them again.
 */
function resourceKeyOf(d: Diagnostic): string | undefined {
  if (d.resource === undefined) return undefined;
  let k = diagnosticKeys.get(d);
  if (k === undefined) diagnosticKeys.set(d, (k = idKey(d.resource)));
  return k;
}

const targets = new WeakMap<InputResource, InputResource>();

/**
 * A node as a router's rules read it: everything but its backends. Resolving a target's
 * backends (outside the neighbourhood, so each one missing and reported) yields only
 * the node's own diagnostics, which a routes-only update keeps from the state before;
 * it was most of such an update's build. Nodes wait for nothing but their mesh, so the
 * router's activity is the same.
 */
function asRouteTarget(r: InputResource): InputResource {
  if (r.resource.kind !== 'VirtualNode' || r.resource.spec.backends === undefined) return r;
  let out = targets.get(r);
  if (!out) {
    const { backends: _backends, ...spec } = r.resource.spec;
    targets.set(r, (out = { ...r, resource: { ...r.resource, spec } }));
  }
  return out;
}

/** Diagnostics in one order that does not depend on the order rules found them in. */
export function canonicalDiagnostics(list: readonly Diagnostic[]): string[] {
  return list
    .map((d) =>
      JSON.stringify([
        d.resource ? formatResourceId(d.resource) : '',
        d.path,
        d.code,
        d.severity,
        d.message,
        d,
      ]),
    )
    .sort();
}
