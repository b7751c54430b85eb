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
import {
  awsNameOf,
  formatResourceId,
  type AnyResource,
  type Diagnostic,
  type ResourceId,
} from '../model/index.js';
import { buildMeshGraph } from './build.js';
import type { GraphInput, GraphOptions, InputResource } from './graph.js';

/** Kinds whose updates may take the incremental path. */
const INCREMENTAL_KINDS = new Set(['VirtualRouter', 'VirtualNode']);
/** Always in the neighbourhood: few, and read through selectors rather than names. */
const ALWAYS = new Set(['Mesh', 'VirtualGateway', 'GatewayRoute']);
/** Problems that count or compare resources across the mesh: a neighbourhood cannot see them. */
const MESH_WIDE = [/^quota\./, /^name\./, /hostname/];
/** How far reads reach: a gateway route reads its service's provider (two references). */
const DEPTH = 2;

const idKey = (id: Pick<ResourceId, 'kind' | 'name' | 'namespace'>): string =>
  `${id.kind}/${id.namespace ?? ''}/${id.name}`;
const keyOf = (r: AnyResource): string =>
  idKey({ kind: r.kind, name: r.metadata.name, namespace: r.metadata.namespace });

/** The names a resource refers to: every `*Ref` name and the last segment of every `*ARN`. */
export function referencedNames(resource: AnyResource): Set<string> {
  const out = new Set<string>();
  const walk = (value: unknown, key: string): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v, key);
      return;
    }
    if (typeof value === 'string') {
      if (key.endsWith('ARN')) out.add(value.slice(value.lastIndexOf('/') + 1));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const o = value as Record<string, unknown>;
    if (key.endsWith('Ref') && typeof o.name === 'string') out.add(o.name);
    for (const [k, v] of Object.entries(o)) walk(v, k);
  };
  walk(resource.spec, 'spec');
  return out;
}

/** The names others may use for a resource: its Kubernetes name and its App Mesh name. */
function namesOf(resource: AnyResource): string[] {
  const aws = awsNameOf(resource);
  return aws === resource.metadata.name ? [aws] : [resource.metadata.name, aws];
}

/** Who is called what and who names whom, kept from state to state. */
class RefIndex {
  private constructor(
    /** name → keys of the resources called so */
    private readonly named: ReadonlyMap<string, ReadonlySet<string>>,
    /** key → names the resource refers to */
    private readonly refs: ReadonlyMap<string, ReadonlySet<string>>,
    /** name → keys of the resources referring to it */
    private readonly referrers: ReadonlyMap<string, ReadonlySet<string>>,
    private readonly resources: ReadonlyMap<string, InputResource>,
  ) {}

  static of(resources: ReadonlyMap<string, InputResource>): RefIndex {
    const named = new Map<string, Set<string>>();
    const refs = new Map<string, Set<string>>();
    const referrers = new Map<string, Set<string>>();
    for (const [k, r] of resources) {
      for (const n of namesOf(r.resource)) addTo(named, n, k);
      const names = referencedNames(r.resource);
      refs.set(k, names);
      for (const n of names) addTo(referrers, n, k);
    }
    return new RefIndex(named, refs, referrers, resources);
  }

  /** The index once `key` (same names as before) refers to what `resource` refers to. */
  withUpdate(key: string, resource: InputResource): RefIndex {
    const resources = new Map(this.resources).set(key, resource);
    const before = this.refs.get(key) ?? new Set<string>();
    const after = referencedNames(resource.resource);
    const referrers = new Map(this.referrers);
    for (const n of before)
      if (!after.has(n)) {
        const set = new Set(referrers.get(n));
        set.delete(key);
        referrers.set(n, set);
      }
    for (const n of after) if (!before.has(n)) referrers.set(n, new Set(referrers.get(n)).add(key));
    return new RefIndex(this.named, new Map(this.refs).set(key, after), referrers, resources);
  }

  get(key: string): InputResource | undefined {
    return this.resources.get(key);
  }

  /** Keys of the resources that refer to `key` by one of its names. */
  readersOf(key: string): string[] {
    return namesOf(this.resources.get(key)!.resource).flatMap((n) => [...(this.referrers.get(n) ?? [])]);
  }

  /** Keys of the resources `key` refers to (every resource of a name it uses). */
  readBy(key: string): string[] {
    return [...(this.refs.get(key) ?? [])].flatMap((n) => [...(this.named.get(n) ?? [])]);
  }

  get size(): number {
    return this.resources.size;
  }

  keysOfKinds(kinds: ReadonlySet<string>): string[] {
    return [...this.resources].filter(([, r]) => kinds.has(r.resource.kind)).map(([k]) => k);
  }
}

function addTo(index: Map<string, Set<string>>, name: string, key: string): void {
  let set = index.get(name);
  if (!set) index.set(name, (set = new Set()));
  set.add(key);
}

/** `start` and what `step` reaches from it within DEPTH steps (`start` is grown in place). */
function within(start: Set<string>, step: (key: string) => string[]): Set<string> {
  let frontier = [...start];
  for (let d = 0; d < DEPTH; d++) {
    const next: string[] = [];
    for (const k of frontier)
      for (const r of step(k))
        if (!start.has(r)) {
          start.add(r);
          next.push(r);
        }
    frontier = next;
  }
  return start;
}

/**
 * Whether the resources that read `next` can see how it differs from `old`. A router's
 * readers (its services, and through them callers and gateway routes) read its listeners
 * — the ports and protocols — and never its routes: the rules run before activity is
 * settled, so a route that makes its router wait changes no reader's diagnostics. An
 * UpdateRoute of a router every node calls (`rt-all` of the propagation bench) so
 * re-derives the router alone, not the whole mesh.
 */
function readersSeeChange(old: AnyResource, next: AnyResource): boolean {
  if (next.kind !== 'VirtualRouter' || old.kind !== 'VirtualRouter') return true;
  const { routes: _o, ...oldRest } = old.spec;
  const { routes: _n, ...nextRest } = next.spec;
  return JSON.stringify(oldRest) !== JSON.stringify(nextRest);
}

/** The diagnostics of one mesh state, with what an update needs to re-derive them in part. */
export class MeshDiagnostics {
  private constructor(
    readonly input: GraphInput,
    readonly diagnostics: readonly Diagnostic[],
    private readonly options: GraphOptions,
    private readonly index: RefIndex,
    /** Whether this state came from the incremental path (for tests and metrics). */
    readonly incremental: boolean,
  ) {}

  /** The full build: the reference every state starts from. */
  static build(input: GraphInput, options: GraphOptions = {}): MeshDiagnostics {
    return new MeshDiagnostics(
      input,
      buildMeshGraph(input, options).diagnostics,
      options,
      RefIndex.of(new Map(input.resources.map((r) => [keyOf(r.resource), r]))),
      false,
    );
  }

  /** The state with `resource` in place of the resource of the same kind, namespace and name. */
  update(resource: AnyResource): MeshDiagnostics {
    const key = keyOf(resource);
    const old = this.index.get(key);
    const replaced: InputResource = { ...old, resource };
    const input: GraphInput = {
      ...this.input,
      resources: old
        ? this.input.resources.map((r) => (r === old ? replaced : r))
        : [...this.input.resources, replaced],
    };
    if (!old || !this.eligible(old.resource, resource)) return MeshDiagnostics.build(input, this.options);
    const index = this.index.withUpdate(key, replaced);
    const diagnostics = this.partial(input, index, key, readersSeeChange(old.resource, resource));
    return diagnostics
      ? new MeshDiagnostics(input, diagnostics, this.options, index, true)
      : new MeshDiagnostics(
          input,
          buildMeshGraph(input, this.options).diagnostics,
          this.options,
          index,
          false,
        );
  }

  private eligible(old: AnyResource, next: AnyResource): boolean {
    if (!INCREMENTAL_KINDS.has(next.kind)) return false;
    if (awsNameOf(old) !== awsNameOf(next)) return false;
    const meshRef = (r: AnyResource) => JSON.stringify((r.spec as { meshRef?: unknown }).meshRef ?? null);
    if (meshRef(old) !== meshRef(next)) return false;
    if ((this.input.pods?.length ?? 0) > 0) return false;
    if (this.input.resources.some((r) => r.resource.kind === 'BackendGroup' || r.schemaErrors)) return false;
    return !this.diagnostics.some((d) => MESH_WIDE.some((re) => re.test(d.code)));
  }

  /**
   * Diagnostics after the update of `key`, from a build of its neighbourhood; undefined
   * when the neighbourhood is most of the mesh (the full build is then cheaper).
   */
  private partial(
    input: GraphInput,
    index: RefIndex,
    key: string,
    readersSee: boolean,
  ): Diagnostic[] | undefined {
    // Affected: the resource and what reads it, within DEPTH references.
    const affected = readersSee ? within(new Set([key]), (k) => index.readersOf(k)) : new Set([key]);
    // The neighbourhood: the affected, what they read within DEPTH references, and ALWAYS.
    const hood = within(new Set(affected), (k) => index.readBy(k));
    if (hood.size > index.size / 2) return undefined;
    for (const k of index.keysOfKinds(ALWAYS)) hood.add(k);
    const sub = buildMeshGraph(
      { ...input, resources: input.resources.filter((r) => hood.has(keyOf(r.resource))) },
      this.options,
    );
    const isAffected = (d: Diagnostic) => d.resource !== undefined && affected.has(idKey(d.resource));
    return [...this.diagnostics.filter((d) => !isAffected(d)), ...sub.diagnostics.filter(isAffected)];
  }
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
