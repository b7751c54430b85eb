/**
 * Per-proxy-group snapshots of already-encoded Envoy resources.
 *
 * The translator encodes each resource once per group; the cache keeps the bytes,
 * versions them by content hash, and prepares the framing each discovery response
 * needs, so that a response to any number of proxies is assembled by
 * concatenating stored bytes (control-plane-lessons, design rules 2 and 3).
 * Unchanged content yields unchanged versions, and an unchanged version is never
 * pushed.
 */
import { anyFieldHeader, firstBytesField, readFields, stringField } from './wire.js';
import { EMPTY_VERSION, contentVersion, foldVersions, listVersion } from './hash.js';
import { TYPE_URL, isServedType, sortByPushOrder } from './type-urls.js';
import type { Subscription } from './subscription.js';

/** One encoded resource as stored. */
export interface CachedResource {
  readonly name: string;
  /** The encoded resource message (not wrapped in Any). Never mutate it. */
  readonly bytes: Uint8Array;
  /** Content hash of `bytes` (SHA-256, hex prefix). */
  readonly version: string;
}

export interface TypeSnapshot {
  readonly typeUrl: string;
  /**
   * Version of the whole type: hash of the sorted (name, version) list. For
   * ClusterLoadAssignments each version also folds in the versions of the
   * clusters that use it, so a changed cluster always re-sends its endpoints.
   */
  readonly version: string;
  /** `Date.now()` when this type's content last changed. */
  readonly changedAt: number;
  readonly resources: ReadonlyMap<string, CachedResource>;
}

export interface Snapshot {
  readonly group: string;
  /** Hash of the per-type versions. */
  readonly version: string;
  /** `Date.now()` when the content last changed. */
  readonly setAt: number;
  readonly types: ReadonlyMap<string, TypeSnapshot>;
}

/** name → encoded resource bytes. */
export type ResourceBytesInput = ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array>>;
/** type URL → (name → encoded resource bytes). A type left out is served as empty. */
export type SnapshotInput =
  ReadonlyMap<string, ResourceBytesInput> | Readonly<Record<string, ResourceBytesInput>>;
/** cluster (ClusterLoadAssignment) name → encoded bytes, or null to remove it. */
export type EndpointsInput =
  ReadonlyMap<string, Uint8Array | null> | Readonly<Record<string, Uint8Array | null>>;

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

/**
 * @internal A stored resource plus the bytes that frame it inside a
 * DiscoveryResponse (`resources` field 2, an Any): `head` + `bytes` is the field.
 */
export class Entry implements CachedResource {
  constructor(
    readonly name: string,
    readonly bytes: Uint8Array,
    readonly version: string,
    /** Version sent on the wire: `version`, or for endpoints folded with their clusters'. */
    readonly wireVersion: string,
    readonly head: Buffer,
    /** Offset in `head` where the Any message starts (after the field tag and length). */
    readonly anyOffset: number,
  ) {}

  static create(typeUrl: string, name: string, bytes: Uint8Array, version: string): Entry {
    const { head, anyOffset } = anyFieldHeader(2, typeUrl, bytes.length);
    return new Entry(name, bytes, version, version, head, anyOffset);
  }

  withWireVersion(wireVersion: string): Entry {
    if (wireVersion === this.wireVersion) return this;
    const e = new Entry(this.name, this.bytes, this.version, wireVersion, this.head, this.anyOffset);
    e.edsName = this.edsName;
    return e;
  }

  /** For clusters: the endpoints name it uses (null: not EDS), read once and kept. */
  edsName: string | null | undefined = undefined;

  /** Length of the complete `resources` field. */
  get fieldLength(): number {
    return this.head.length + this.bytes.length;
  }

  /** Length of the Any message alone. */
  get anyLength(): number {
    return this.head.length - this.anyOffset + this.bytes.length;
  }
}

/**
 * @internal A complete SotW DiscoveryResponse for one subscription, shared by every
 * stream that subscribes to the same names in the same group.
 *
 * The nonce belongs to the response, not to the stream: each response object gets
 * a process-unique nonce when it is built. A stream never receives two different
 * responses with the same nonce, and it receives the same response twice only
 * after the client has moved on to a later nonce, by which point every request
 * echoing the earlier use has already been read (requests arrive in order). So
 * nonces still identify responses per stream, and a push to N proxies writes one
 * shared buffer N times instead of encoding N responses.
 */
export interface SotwBody {
  readonly version: string;
  readonly nonce: string;
  /** The encoded DiscoveryResponse: version_info (1), resources (2), type_url (4), nonce (5). */
  readonly response: Buffer;
  readonly names: readonly string[];
  readonly versions: readonly string[];
}

let bodySeq = 0;

const MAX_CACHED_BODIES_PER_TYPE = 256;

/** @internal One type of one group's snapshot. */
export class TypeState implements TypeSnapshot {
  private readonly bodies = new Map<string, SotwBody>();
  /** Names in sorted order, computed once. */
  readonly sortedNames: readonly string[];
  private readonly typeUrlField: Buffer;

  constructor(
    readonly typeUrl: string,
    readonly entries: ReadonlyMap<string, Entry>,
    readonly version: string,
    readonly changedAt: number,
  ) {
    this.sortedNames = [...entries.keys()].sort();
    this.typeUrlField = stringField(4, typeUrl);
  }

  get resources(): ReadonlyMap<string, CachedResource> {
    return this.entries;
  }

  /** The response body for a subscription, shared by every stream with the same names. */
  sotwBody(sub: Subscription): SotwBody {
    let body = this.bodies.get(sub.key);
    if (body) return body;
    const picked: Entry[] = [];
    const names = sub.wildcard ? this.sortedNames : sub.names;
    for (const n of names) {
      const e = this.entries.get(n);
      if (e) picked.push(e);
    }
    const version = sub.wildcard
      ? this.version
      : listVersion(picked.map((e) => [e.name, e.wireVersion] as const));
    const versionField = stringField(1, version);
    const nonce = (++bodySeq).toString(36);
    const nonceField = stringField(5, nonce);
    let size = versionField.length + this.typeUrlField.length + nonceField.length;
    for (const e of picked) size += e.fieldLength;
    const response = Buffer.allocUnsafe(size);
    // Fields in number order, the canonical layout protobuf encoders produce.
    let off = 0;
    off += versionField.copy(response, off);
    for (const e of picked) {
      off += e.head.copy(response, off);
      response.set(e.bytes, off);
      off += e.bytes.length;
    }
    off += this.typeUrlField.copy(response, off);
    nonceField.copy(response, off);
    body = {
      version,
      nonce,
      response,
      names: picked.map((e) => e.name),
      versions: picked.map((e) => e.wireVersion),
    };
    if (this.bodies.size >= MAX_CACHED_BODIES_PER_TYPE) {
      const oldest = this.bodies.keys().next().value;
      if (oldest !== undefined) this.bodies.delete(oldest);
    }
    this.bodies.set(sub.key, body);
    return body;
  }
}

/** @internal A group's current snapshot. */
export class GroupState implements Snapshot {
  constructor(
    readonly group: string,
    readonly typeStates: ReadonlyMap<string, TypeState>,
    readonly version: string,
    readonly setAt: number,
  ) {}

  get types(): ReadonlyMap<string, TypeSnapshot> {
    return this.typeStates;
  }

  /** The state of a type; an absent type is served as empty. */
  type(typeUrl: string): TypeState {
    return this.typeStates.get(typeUrl) ?? emptyType(typeUrl);
  }
}

// Kept for served types only: a client can name any number of others.
const emptyTypes = new Map<string, TypeState>();
function emptyType(typeUrl: string): TypeState {
  let t = emptyTypes.get(typeUrl);
  if (!t) {
    t = new TypeState(typeUrl, new Map(), EMPTY_VERSION, 0);
    if (isServedType(typeUrl)) emptyTypes.set(typeUrl, t);
  }
  return t;
}

function entriesOf<V>(input: ReadonlyMap<string, V> | Readonly<Record<string, V>>): Iterable<[string, V]> {
  return input instanceof Map ? input.entries() : Object.entries(input as Record<string, V>);
}

/**
 * The ClusterLoadAssignment name an EDS cluster asks for:
 * `eds_cluster_config.service_name`, or the cluster's own name. Undefined for
 * clusters that do not use EDS. Reads two fields off the wire instead of decoding.
 */
export function edsServiceNameOf(clusterName: string, clusterBytes: Uint8Array): string | undefined {
  let isEds = false;
  let serviceName = '';
  try {
    for (const f of readFields(clusterBytes)) {
      if (f.fieldNo === 2 && f.varint === 3)
        isEds = true; // type: EDS
      else if (f.fieldNo === 3 && f.bytes) {
        isEds = true;
        const sn = firstBytesField(f.bytes, 2);
        if (sn) serviceName = Buffer.from(sn.buffer, sn.byteOffset, sn.byteLength).toString('utf8');
      }
    }
  } catch {
    return undefined;
  }
  return isEds ? serviceName || clusterName : undefined;
}

export class SnapshotCache {
  private readonly groupStates = new Map<string, GroupState>();
  private readonly listeners = new Map<string, Set<GroupListener>>();
  private readonly allListeners = new Set<GroupListener>();
  private readonly now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Replaces a group's snapshot. Returns whether anything changed; listeners are
   * told only when something did.
   */
  setSnapshot(group: string, input: SnapshotInput): SetResult {
    const prev = this.groupStates.get(group);
    const raw = new Map<string, Map<string, Entry>>();
    for (const [typeUrl, resources] of entriesOf(input)) {
      const prevType = prev?.typeStates.get(typeUrl);
      const entries = new Map<string, Entry>();
      for (const [name, bytes] of entriesOf(resources)) {
        if (!(bytes instanceof Uint8Array))
          throw new TypeError(`resource ${typeUrl} ${name}: bytes must be a Uint8Array`);
        entries.set(name, reuseOrCreate(typeUrl, name, bytes, prevType?.entries.get(name)));
      }
      raw.set(typeUrl, entries);
    }
    return this.commit(group, prev, raw);
  }

  /**
   * Fast path for endpoint-only changes: upserts (or, with null, removes) the given
   * ClusterLoadAssignments and leaves every other type untouched.
   */
  setEndpoints(group: string, endpoints: EndpointsInput): SetResult {
    const prev = this.groupStates.get(group);
    if (!prev) throw new Error(`setEndpoints: group "${group}" has no snapshot yet; call setSnapshot first`);
    const typeUrl = TYPE_URL.ClusterLoadAssignment;
    const prevType = prev.typeStates.get(typeUrl);
    const entries = new Map<string, Entry>(prevType?.entries ?? []);
    for (const [name, bytes] of entriesOf(endpoints)) {
      if (bytes === null) entries.delete(name);
      else entries.set(name, reuseOrCreate(typeUrl, name, bytes, entries.get(name)));
    }
    const raw = new Map<string, Map<string, Entry>>();
    for (const [t, ts] of prev.typeStates) raw.set(t, new Map(ts.entries));
    raw.set(typeUrl, entries);
    return this.commit(group, prev, raw);
  }

  getSnapshot(group: string): Snapshot | undefined {
    return this.groupStates.get(group);
  }

  /** @internal The server's view of a group. */
  state(group: string): GroupState | undefined {
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

  /** Calls `listener` after every change of `group`. Returns the unsubscribe function. */
  subscribe(group: string, listener: GroupListener): () => void {
    let set = this.listeners.get(group);
    if (!set) {
      set = new Set();
      this.listeners.set(group, set);
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
    prev: GroupState | undefined,
    raw: Map<string, Map<string, Entry>>,
  ): SetResult {
    const same = (t: string): boolean => sameEntries(prev?.typeStates.get(t)?.entries, raw.get(t));
    // Unchanged clusters and endpoints (the same stored entries) keep their folded versions.
    if (!(same(TYPE_URL.Cluster) && same(TYPE_URL.ClusterLoadAssignment)))
      foldClusterVersionsIntoEndpoints(raw);
    const now = this.now();
    const typeStates = new Map<string, TypeState>();
    const changedTypes: string[] = [];
    const allTypes = new Set([...raw.keys(), ...(prev?.typeStates.keys() ?? [])]);
    for (const typeUrl of sortByPushOrder(allTypes)) {
      const entries = raw.get(typeUrl);
      const prevType = prev?.typeStates.get(typeUrl);
      if (!entries) {
        if (prevType && prevType.entries.size > 0) changedTypes.push(typeUrl);
        continue;
      }
      if (prevType && sameEntries(prevType.entries, entries)) {
        typeStates.set(typeUrl, prevType);
        continue;
      }
      const sorted = [...entries.keys()].sort();
      const version = listVersion(sorted.map((n) => [n, entries.get(n)!.wireVersion] as const));
      if (prevType && prevType.version === version) {
        typeStates.set(typeUrl, prevType);
      } else {
        typeStates.set(typeUrl, new TypeState(typeUrl, entries, version, now));
        if (prevType || entries.size > 0 || !prev) changedTypes.push(typeUrl);
      }
    }
    const version = listVersion(
      sortByPushOrder(typeStates.keys()).map((t) => [t, typeStates.get(t)!.version] as const),
    );
    if (prev && changedTypes.length === 0) return { changed: false, version: prev.version, changedTypes };
    this.groupStates.set(group, new GroupState(group, typeStates, version, now));
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
 * Versions of byte arrays already hashed. A translator that encodes a resource
 * once and hands the same array to many groups gets it hashed once.
 */
const versionOfBytes = new WeakMap<Uint8Array, string>();

/** Same names mapped to the very same stored entries (so the same versions). */
function sameEntries(
  a: ReadonlyMap<string, Entry> | undefined,
  b: ReadonlyMap<string, Entry> | undefined,
): boolean {
  if (a === b) return true;
  if (!a || !b || a.size !== b.size) return false;
  for (const [name, e] of b) if (a.get(name) !== e) return false;
  return true;
}

function reuseOrCreate(typeUrl: string, name: string, bytes: Uint8Array, prev: Entry | undefined): Entry {
  // The same array object, or equal content, keeps the stored entry (and its version).
  if (prev && prev.bytes === bytes) return prev;
  let version = versionOfBytes.get(bytes);
  if (version === undefined) {
    version = contentVersion(bytes);
    versionOfBytes.set(bytes, version);
  }
  if (prev && prev.version === version) return prev;
  return Entry.create(typeUrl, name, bytes, version);
}

/**
 * Makes each ClusterLoadAssignment's wire version depend on the clusters that use
 * it. A cluster update leaves Envoy's cluster warming until its endpoints arrive
 * again (go-control-plane#245, istio#28402), so a changed cluster must change its
 * endpoints' version too (Kuma folds versions the same way).
 */
function foldClusterVersionsIntoEndpoints(raw: Map<string, Map<string, Entry>>): void {
  const eds = raw.get(TYPE_URL.ClusterLoadAssignment);
  if (!eds || eds.size === 0) return;
  const clusters = raw.get(TYPE_URL.Cluster);
  const users = new Map<string, string[]>();
  if (clusters) {
    for (const c of clusters.values()) {
      if (c.edsName === undefined) c.edsName = edsServiceNameOf(c.name, c.bytes) ?? null;
      const svc = c.edsName;
      if (svc === null) continue;
      let list = users.get(svc);
      if (!list) users.set(svc, (list = []));
      list.push(`${c.name}=${c.version}`);
    }
  }
  for (const [name, e] of eds) {
    const deps = users.get(name);
    let wire = e.version;
    if (deps) {
      const key = `${e.version}\n${deps.sort().join('\n')}`;
      wire = foldMemo.get(key) ?? foldVersions([e.version, ...deps]);
      if (foldMemo.size >= FOLD_MEMO_MAX) foldMemo.clear();
      foldMemo.set(key, wire);
    }
    eds.set(name, e.withWireVersion(wire));
  }
}

/** Folded versions by input, so groups sharing clusters and endpoints fold once. */
const foldMemo = new Map<string, string>();
const FOLD_MEMO_MAX = 50_000;
