/**
 * Who refers to whom in one mesh state, by name: the index the incremental paths
 * (incremental.ts for the REST API's diagnostics, incremental-graph.ts for the serving
 * pipeline's graph) walk to find what an update can affect and what that reads.
 */
import { awsNameOf, type AnyResource, type ResourceId } from '../model/index.js';
import type { InputResource } from './graph.js';
import { LayeredMap } from './layered-map.js';

export const idKey = (id: Pick<ResourceId, 'kind' | 'name' | 'namespace'>): string =>
  `${id.kind}/${id.namespace ?? ''}/${id.name}`;
export const keyOf = (r: AnyResource): string =>
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
    // Keys, not entries: no [key, value] pair allocated per property of a 7 KB router per write.
    const keys = Object.keys(o);
    for (let i = 0; i < keys.length; i++) walk(o[keys[i] as string], keys[i] as string);
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
export class RefIndex {
  private constructor(
    /** name → keys of the resources called so */
    private readonly named: LayeredMap<string, ReadonlySet<string>>,
    /** key → names the resource refers to */
    private readonly refs: LayeredMap<string, ReadonlySet<string>>,
    /** name → keys of the resources referring to it */
    private readonly referrers: LayeredMap<string, ReadonlySet<string>>,
    private readonly resources: LayeredMap<string, InputResource>,
    /**
     * Keys by kind, shared along a line of updates: an update replaces a resource by one
     * of the same kind and key (the key holds the kind), so the keys of a kind never change;
     * a create copies the lists of its kind with its key added.
     */
    private readonly byKinds: Map<ReadonlySet<string>, string[]>,
    /** Each key's position in the input it was built from (updates keep positions; a new key goes last). */
    private readonly position: LayeredMap<string, number>,
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
    return new RefIndex(
      LayeredMap.of(named),
      LayeredMap.of(refs),
      LayeredMap.of(referrers),
      LayeredMap.of(resources),
      new Map(),
      LayeredMap.of(new Map([...resources.keys()].map((k, i) => [k, i]))),
    );
  }

  /**
   * The index once `key` refers to what `resource` refers to: an update keeps the names
   * the key had; a new key (a create) is added under its names, last in input order.
   */
  withUpdate(key: string, resource: InputResource): RefIndex {
    const known = this.resources.has(key);
    const before = this.refs.get(key) ?? new Set<string>();
    const after = referencedNames(resource.resource);
    let referrers = this.referrers;
    for (const n of before)
      if (!after.has(n)) {
        const set = new Set(referrers.get(n));
        set.delete(key);
        referrers = referrers.with(n, set);
      }
    for (const n of after)
      if (!before.has(n)) referrers = referrers.with(n, new Set(referrers.get(n)).add(key));
    let named = this.named;
    if (!known)
      for (const n of namesOf(resource.resource)) named = named.with(n, new Set(named.get(n)).add(key));
    return new RefIndex(
      named,
      this.refs.with(key, after),
      referrers,
      this.resources.with(key, resource),
      known ? this.byKinds : withKey(this.byKinds, resource.resource.kind, key),
      known ? this.position : this.position.with(key, this.position.size),
    );
  }

  /** Keys of the resources of `resource`'s kind called by one of its names (a create's namesakes). */
  namesakes(resource: AnyResource): string[] {
    const prefix = `${resource.kind}/`;
    return namesOf(resource).flatMap((n) =>
      [...(this.named.get(n) ?? [])].filter((k) => k.startsWith(prefix)),
    );
  }

  /** How many resources of `kind` the index holds. */
  countOf(kind: string): number {
    return this.keysOfKinds(kindSet(kind)).length;
  }

  get(key: string): InputResource | undefined {
    return this.resources.get(key);
  }

  /** The resources of `keys`, in the order of the input (rules break ties by input position). */
  inOrder(keys: Iterable<string>): InputResource[] {
    const pos = (k: string) => this.position.get(k) ?? Number.MAX_SAFE_INTEGER;
    return [...keys]
      .filter((k) => this.resources.has(k))
      .sort((a, b) => pos(a) - pos(b))
      .map((k) => this.resources.get(k)!);
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

  /** Every key the index holds. */
  *keys(): IterableIterator<string> {
    for (const [k] of this.resources.entries()) yield k;
  }

  keysOfKinds(kinds: ReadonlySet<string>): string[] {
    let keys = this.byKinds.get(kinds);
    if (!keys) {
      keys = [...this.resources.entries()].filter(([, r]) => kinds.has(r.resource.kind)).map(([k]) => k);
      this.byKinds.set(kinds, keys);
    }
    return keys;
  }
}

function withKey(
  byKinds: ReadonlyMap<ReadonlySet<string>, string[]>,
  kind: string,
  key: string,
): Map<ReadonlySet<string>, string[]> {
  return new Map([...byKinds].map(([kinds, keys]) => [kinds, kinds.has(kind) ? [...keys, key] : keys]));
}

const kindSets = new Map<string, ReadonlySet<string>>();
/** One set per kind, so keysOfKinds' cache (keyed by the set) serves every count of it. */
function kindSet(kind: string): ReadonlySet<string> {
  let set = kindSets.get(kind);
  if (!set) kindSets.set(kind, (set = new Set([kind])));
  return set;
}

function addTo(index: Map<string, Set<string>>, name: string, key: string): void {
  let set = index.get(name);
  if (!set) index.set(name, (set = new Set()));
  set.add(key);
}

/** `start` and what `step` reaches from it within `depth` steps (`start` is grown in place). */
export function within(start: Set<string>, step: (key: string) => string[], depth: number): Set<string> {
  let frontier = [...start];
  for (let d = 0; d < depth; d++) {
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
