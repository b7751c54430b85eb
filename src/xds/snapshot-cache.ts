/**
 * Per-proxy-group snapshots of already-encoded Envoy resources: what each group
 * holds and at which versions, nothing about streams or framing (those belong to
 * the SotW and delta servers, as in go-control-plane's `pkg/cache/v3`).
 *
 * The translator encodes each resource once; the cache keeps those bytes (responses
 * write each `Any` around them), versions each by content hash, and versions each
 * type by its (name, version) list, so unchanged content yields unchanged versions
 * and an unchanged version is never pushed (control-plane-lessons, design rules 2 and 3).
 */
import { ByteParts, NamedBytes, joinBytes, type EncodedBytes } from '../proto/index.js';
import { encodeAny } from './frames.js';
import { EMPTY_VERSION, contentVersion, foldVersions, listVersion } from './hash.js';
import { TYPE_URL, isServedType, sortByPushOrder } from './type-urls.js';

/** One encoded resource as stored. Never mutate its buffers. */
export class CachedResource {
  private anyBytes: Buffer | undefined;

  constructor(
    readonly name: string,
    readonly typeUrl: string,
    /**
     * The encoded resource message, as the translation gave it: whole, or in parts that
     * are other messages' bytes too (a route configuration's shared virtual hosts). A
     * SotW response is written from it (encodeSotwResponseOf); nothing keeps a copy.
     */
    readonly value: EncodedBytes,
    /** Content hash of the value (SHA-256, hex prefix). */
    readonly version: string,
    /**
     * Version sent to proxies: `version`, or for endpoints folded with the versions
     * of the clusters that use them (see {@link SnapshotCache.setSnapshot}).
     */
    readonly wireVersion: string,
  ) {}

  /** The encoded resource message in one piece (joined when in parts: for CSDS and tests). */
  get bytes(): Uint8Array {
    return joinBytes(this.value);
  }

  /** The resource wrapped in `google.protobuf.Any`, encoded: made when a delta response first carries it, then kept. */
  get any(): Buffer {
    return (this.anyBytes ??= encodeAny(this.typeUrl, this.value));
  }

  withWireVersion(wireVersion: string): CachedResource {
    if (wireVersion === this.wireVersion) return this;
    return new CachedResource(this.name, this.typeUrl, this.value, this.version, wireVersion);
  }
}

/** One type of one group's snapshot. */
export class TypeSnapshot {
  /** Names in sorted order, computed once. */
  readonly sortedNames: readonly string[];

  constructor(
    readonly typeUrl: string,
    readonly resources: ReadonlyMap<string, CachedResource>,
    /**
     * Version of the whole type: hash of the sorted (name, wire version) list. For
     * ClusterLoadAssignments the wire versions fold in the versions of the clusters
     * that use them, so a changed cluster always re-sends its endpoints.
     */
    readonly version: string,
    /** `Date.now()` when this type's content last changed. */
    readonly changedAt: number,
    /**
     * What `setSnapshot` was last given for the type (the cache's own bookkeeping): given
     * again, the same object means the same content, and nothing is looked at again.
     */
    public input?: ResourceBytesInput,
  ) {
    this.sortedNames = [...resources.keys()].sort();
  }
}

/** A group's current snapshot. */
export class Snapshot {
  constructor(
    readonly group: string,
    readonly types: ReadonlyMap<string, TypeSnapshot>,
    /** Hash of the per-type versions. */
    readonly version: string,
    /** `Date.now()` when the content last changed. */
    readonly setAt: number,
    /** Cluster name → the ClusterLoadAssignment it reads over EDS, as translation said. */
    readonly edsNames: ReadonlyMap<string, string>,
  ) {}

  /** The state of a type; an absent type is served as empty. */
  type(typeUrl: string): TypeSnapshot {
    return this.types.get(typeUrl) ?? emptyType(typeUrl);
  }
}

/**
 * name → encoded resource bytes (whole, or in parts: proto/bytes.ts). Kept as given, not
 * copied: neither the cache nor the caller may write to them afterwards (responses are
 * written from them). The same map given again for a type is taken as unchanged, so
 * give a new one for new content.
 */
export type ResourceBytesInput = ReadonlyMap<string, EncodedBytes> | Readonly<Record<string, EncodedBytes>>;
/** type URL → (name → encoded resource bytes). A type left out is served as empty. */
export type SnapshotInput =
  ReadonlyMap<string, ResourceBytesInput> | Readonly<Record<string, ResourceBytesInput>>;
/** cluster (ClusterLoadAssignment) name → encoded bytes, or null to remove it. */
export type EndpointsInput =
  ReadonlyMap<string, EncodedBytes | null> | Readonly<Record<string, EncodedBytes | null>>;

export interface SnapshotOptions {
  /**
   * Which ClusterLoadAssignment each EDS cluster reads (`eds_cluster_config.service_name`,
   * else the cluster's name), from translation. A cluster's version is folded into
   * its endpoints' version, so that a changed cluster re-sends them. Clusters left
   * out do not use EDS.
   */
  readonly edsNames?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
}

export interface SetResult {
  /** False when the content was identical and nothing will be pushed. */
  readonly changed: boolean;
  readonly version: string;
  readonly changedTypes: readonly string[];
}

export interface GroupChange {
  readonly group: string;
  readonly changedTypes: readonly string[];
  /** The group's snapshot was removed; its proxies keep what they have and wait. */
  readonly removed: boolean;
}

export type GroupListener = (change: GroupChange) => void;

// Kept for served types only: a client can name any number of others.
const emptyTypes = new Map<string, TypeSnapshot>();
function emptyType(typeUrl: string): TypeSnapshot {
  let t = emptyTypes.get(typeUrl);
  if (!t) {
    t = new TypeSnapshot(typeUrl, new Map(), EMPTY_VERSION, 0);
    if (isServedType(typeUrl)) emptyTypes.set(typeUrl, t);
  }
  return t;
}

function entriesOf<V>(input: ReadonlyMap<string, V> | Readonly<Record<string, V>>): Iterable<[string, V]> {
  return input instanceof Map || input instanceof NamedBytes
    ? (input as ReadonlyMap<string, V>).entries()
    : Object.entries(input as Record<string, V>);
}

const NO_EDS = new Map<string, string>();

export class SnapshotCache {
  private readonly groupStates = new Map<string, Snapshot>();
  private readonly listeners = new Map<string, Set<GroupListener>>();
  private newlyWatched = 0;
  private readonly allListeners = new Set<GroupListener>();
  private readonly now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Replaces a group's snapshot. Returns whether anything changed; listeners are
   * told only when something did.
   */
  setSnapshot(group: string, input: SnapshotInput, options: SnapshotOptions = {}): SetResult {
    const prev = this.groupStates.get(group);
    const raw = new Map<string, Map<string, CachedResource>>();
    const inputs = new Map<string, ResourceBytesInput>();
    for (const [typeUrl, resources] of entriesOf(input)) {
      const prevType = prev?.types.get(typeUrl);
      inputs.set(typeUrl, resources);
      if (prevType?.input === resources) {
        // The map given last time, so the stored resources as they were (commit never writes to them).
        raw.set(typeUrl, prevType.resources as Map<string, CachedResource>);
        continue;
      }
      const entries = new Map<string, CachedResource>();
      for (const [name, bytes] of entriesOf(resources)) {
        if (!(bytes instanceof Uint8Array || bytes instanceof ByteParts))
          throw new TypeError(`resource ${typeUrl} ${name}: bytes must be a Uint8Array or ByteParts`);
        entries.set(name, reuseOrCreate(typeUrl, name, bytes, prevType?.resources.get(name)));
      }
      raw.set(typeUrl, entries);
    }
    const given = options.edsNames;
    const edsNames = !given ? NO_EDS : given instanceof Map ? given : new Map(entriesOf(given));
    const eds = sameEdsNames(prev?.edsNames, edsNames) ? prev!.edsNames : edsNames;
    return this.commit(group, prev, raw, eds, inputs);
  }

  /**
   * Fast path for endpoint-only changes: upserts (or, with null, removes) the given
   * ClusterLoadAssignments and leaves every other type untouched.
   */
  setEndpoints(group: string, endpoints: EndpointsInput): SetResult {
    const prev = this.groupStates.get(group);
    if (!prev) throw new Error(`setEndpoints: group "${group}" has no snapshot yet; call setSnapshot first`);
    const typeUrl = TYPE_URL.ClusterLoadAssignment;
    const prevType = prev.types.get(typeUrl);
    const entries = new Map<string, CachedResource>(prevType?.resources ?? []);
    for (const [name, bytes] of entriesOf(endpoints)) {
      if (bytes === null) entries.delete(name);
      else entries.set(name, reuseOrCreate(typeUrl, name, bytes, entries.get(name)));
    }
    const raw = new Map<string, Map<string, CachedResource>>();
    for (const [t, ts] of prev.types) raw.set(t, new Map(ts.resources));
    raw.set(typeUrl, entries);
    return this.commit(group, prev, raw, prev.edsNames);
  }

  getSnapshot(group: string): Snapshot | undefined {
    return this.groupStates.get(group);
  }

  /** The group's snapshot, as the servers read it. */
  state(group: string): Snapshot | undefined {
    return this.groupStates.get(group);
  }

  removeGroup(group: string): boolean {
    if (!this.groupStates.delete(group)) return false;
    this.emit({ group, changedTypes: [], removed: true });
    return true;
  }

  groups(): string[] {
    return [...this.groupStates.keys()].sort();
  }

  /** Whether anyone listens to `group` itself (a connected proxy of it), as opposed to only `subscribeAll`. */
  watched(group: string): boolean {
    return this.listeners.has(group);
  }

  /** How many times a group has gone from no listener to one: two readings differ when a proxy came for a group between them. */
  get watchedGroupsAdded(): number {
    return this.newlyWatched;
  }

  /** Calls `listener` after every change of `group`. Returns the unsubscribe function. */
  subscribe(group: string, listener: GroupListener): () => void {
    let set = this.listeners.get(group);
    if (!set) {
      set = new Set();
      this.listeners.set(group, set);
      this.newlyWatched++;
    }
    set.add(listener);
    return () => {
      const s = this.listeners.get(group);
      if (!s) return;
      s.delete(listener);
      if (s.size === 0) this.listeners.delete(group);
    };
  }

  /** Calls `listener` after every change of any group. */
  subscribeAll(listener: GroupListener): () => void {
    this.allListeners.add(listener);
    return () => this.allListeners.delete(listener);
  }

  private commit(
    group: string,
    prev: Snapshot | undefined,
    raw: Map<string, Map<string, CachedResource>>,
    edsNames: ReadonlyMap<string, string>,
    inputs?: ReadonlyMap<string, ResourceBytesInput>,
  ): SetResult {
    const same = (t: string): boolean => sameResources(prev?.types.get(t)?.resources, raw.get(t));
    // Unchanged clusters and endpoints (the same stored resources) keep their folded versions.
    if (!(same(TYPE_URL.Cluster) && same(TYPE_URL.ClusterLoadAssignment) && edsNames === prev?.edsNames))
      foldClusterVersionsIntoEndpoints(raw, edsNames);
    const now = this.now();
    const types = new Map<string, TypeSnapshot>();
    const changedTypes: string[] = [];
    const allTypes = new Set([...raw.keys(), ...(prev?.types.keys() ?? [])]);
    for (const typeUrl of sortByPushOrder(allTypes)) {
      const entries = raw.get(typeUrl);
      const prevType = prev?.types.get(typeUrl);
      if (!entries) {
        if (prevType && prevType.resources.size > 0) changedTypes.push(typeUrl);
        continue;
      }
      const given = inputs?.get(typeUrl);
      if (prevType && sameResources(prevType.resources, entries)) {
        // Same content: the map it came in is remembered, so that the next call can give it again.
        prevType.input = given;
        types.set(typeUrl, prevType);
        continue;
      }
      const sorted = [...entries.keys()].sort();
      const version = listVersion(sorted.map((n) => [n, entries.get(n)!.wireVersion] as const));
      if (prevType && prevType.version === version) {
        prevType.input = given;
        types.set(typeUrl, prevType);
      } else {
        types.set(typeUrl, new TypeSnapshot(typeUrl, entries, version, now, given));
        if (prevType || entries.size > 0 || !prev) changedTypes.push(typeUrl);
      }
    }
    const version = listVersion(
      sortByPushOrder(types.keys()).map((t) => [t, types.get(t)!.version] as const),
    );
    if (prev && changedTypes.length === 0) {
      if (edsNames !== prev.edsNames)
        this.groupStates.set(group, new Snapshot(group, prev.types, prev.version, prev.setAt, edsNames));
      return { changed: false, version: prev.version, changedTypes };
    }
    this.groupStates.set(group, new Snapshot(group, types, version, now, edsNames));
    this.emit({ group, changedTypes, removed: false });
    return { changed: true, version, changedTypes };
  }

  private emit(change: GroupChange): void {
    const set = this.listeners.get(change.group);
    if (set) for (const l of [...set]) l(change);
    for (const l of [...this.allListeners]) l(change);
  }
}

/**
 * Each byte array's (or parts') version, computed once: a translator that encodes a
 * resource once and hands the same array to many groups gets it hashed once.
 */
const versionOnce = new WeakMap<EncodedBytes, string>();

/** Same names mapped to the very same stored resources (so the same versions). */
function sameResources(
  a: ReadonlyMap<string, CachedResource> | undefined,
  b: ReadonlyMap<string, CachedResource> | undefined,
): boolean {
  if (a === b) return true;
  if (!a || !b || a.size !== b.size) return false;
  for (const [name, e] of b) if (a.get(name) !== e) return false;
  return true;
}

function sameEdsNames(a: ReadonlyMap<string, string> | undefined, b: ReadonlyMap<string, string>): boolean {
  if (a === b) return true;
  if (!a || a.size !== b.size) return false;
  for (const [k, v] of b) if (a.get(k) !== v) return false;
  return true;
}

function reuseOrCreate(
  typeUrl: string,
  name: string,
  bytes: EncodedBytes,
  prev: CachedResource | undefined,
): CachedResource {
  // The same bytes object, or equal content, keeps the stored resource (and its version).
  if (prev && prev.value === bytes) return prev;
  let version = versionOnce.get(bytes);
  if (version === undefined) {
    version = contentVersion(bytes);
    versionOnce.set(bytes, version);
  }
  if (prev && prev.version === version) return prev;
  return new CachedResource(name, typeUrl, bytes, version, version);
}

/**
 * Makes each ClusterLoadAssignment's wire version depend on the clusters that use
 * it. A cluster update leaves Envoy's cluster warming until its endpoints arrive
 * again (go-control-plane#245, istio#28402), so a changed cluster must change its
 * endpoints' version too (Kuma folds versions the same way).
 */
function foldClusterVersionsIntoEndpoints(
  raw: Map<string, Map<string, CachedResource>>,
  edsNames: ReadonlyMap<string, string>,
): void {
  const eds = raw.get(TYPE_URL.ClusterLoadAssignment);
  if (!eds || eds.size === 0) return;
  const clusters = raw.get(TYPE_URL.Cluster);
  const users = new Map<string, string[]>();
  if (clusters) {
    for (const c of clusters.values()) {
      const svc = edsNames.get(c.name);
      if (svc === undefined) continue;
      let list = users.get(svc);
      if (!list) users.set(svc, (list = []));
      list.push(`${c.name}=${c.version}`);
    }
  }
  // A new map: `eds` may be the stored map of the last snapshot, given again.
  const folded = new Map<string, CachedResource>();
  raw.set(TYPE_URL.ClusterLoadAssignment, folded);
  for (const [name, e] of eds) {
    const deps = users.get(name);
    let wire = e.version;
    if (deps) {
      const key = `${e.version}\n${deps.sort().join('\n')}`;
      wire = foldMemo.get(key) ?? foldVersions([e.version, ...deps]);
      if (foldMemo.size >= FOLD_MEMO_MAX) foldMemo.clear();
      foldMemo.set(key, wire);
    }
    folded.set(name, e.withWireVersion(wire));
  }
}

/** Folded versions by input, so groups sharing clusters and endpoints fold once. */
const foldMemo = new Map<string, string>();
const FOLD_MEMO_MAX = 50_000;
