/**
 * The REST API's index over the process's one store mirror (src/store/mirror.ts): App
 * Mesh resources by kind, mesh awsName (and gateway for gateway routes), then awsName.
 * It holds no copy of the store and no rules of its own: mesh membership and gateway
 * selection are src/mesh's (`placement.ts`), which the mesh graph uses too, applied here
 * one resource at a time so a write costs one placement rather than a graph build.
 * Name clashes resolve as in the graph: the resource the mirror saw first keeps the name.
 */
import {
  isKind,
  type Kind,
  awsNameOf,
  type AnyResource,
  type GatewayRoute,
  type Mesh,
  type VirtualGateway,
} from '../model/index.js';
import {
  type InputNamespace,
  gatewaysSelecting,
  meshesSelecting,
  meshRefName,
  usableMeshes,
  type Labels,
} from '../mesh/index.js';
import {
  type MirrorChange,
  type StoreMirror,
  parseResourceKey,
  resourceKey,
  type StoredRecord,
} from '../store/index.js';
import { byName } from './paging.js';
import {
  EMPTY_FINGERPRINT,
  withoutRecord,
  withRecord,
  type MeshRecordSet,
  type RecordSetFingerprint,
} from './record-set.js';

export interface CatalogEntry {
  key: string;
  record: StoredRecord<AnyResource>;
  kind: Kind;
  awsName: string;
  /** Mesh awsName; undefined for meshes. */
  mesh?: string;
  /** GatewayRoutes: awsName of their VirtualGateway. */
  gateway?: string;
}

type Rec = StoredRecord<AnyResource>;

/** Kinds whose change can move other resources: everything is placed again. */
const STRUCTURAL = new Set(['Mesh', 'VirtualGateway']);

function scopeOf(kind: string, mesh = '', gateway = ''): string {
  return `${kind}\u0000${mesh}\u0000${gateway}`;
}

const meshSpec = (r: Rec) => r.value as Mesh;
const gatewaySpec = (r: Rec) => r.value as VirtualGateway;

export class Catalog {
  /** App Mesh records, in the order the graph's input has them (the store source's). */
  private readonly records = new Map<string, Rec>();
  /** Position in that order: of two resources claiming one name, the earlier keeps it. */
  private readonly order = new Map<string, number>();
  private nextOrder = 0;
  private readonly meshes = new Map<string, Rec>();
  private readonly gateways = new Map<string, Rec>();
  private readonly namespaceLabels = new Map<string, Labels>();
  private readonly firstSeenMs = new Map<string, number>();
  private readonly scopes = new Map<string, Map<string, CatalogEntry>>();
  private readonly placed = new Map<string, CatalogEntry>();
  /** Mesh awsName → keys of its placed members. */
  private readonly members = new Map<string, Set<string>>();
  /** Mesh awsName → fingerprint of its records (the placed Mesh and its members), kept per change. */
  private readonly fingerprints = new Map<string, RecordSetFingerprint>();
  private readonly sorted = new Map<string, CatalogEntry[]>();
  private usable: Rec[] | undefined;
  private fullDirty = true;
  private clashes = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly mirror: StoreMirror) {
    for (const record of mirror.values()) this.upsert(record as Rec);
    this.unsubscribe = mirror.subscribe((change) => this.apply(change as MirrorChange<AnyResource>));
  }

  get revision(): number {
    return this.mirror.revision;
  }

  /** Resolves once every store change up to `revision` is visible here (false if that took too long). */
  waitFor(revision: number): Promise<boolean> {
    return this.mirror.waitFor(revision);
  }

  close(): void {
    this.unsubscribe();
  }

  /** Any record of the store as this view has it, App Mesh or not (e.g. a quota scope's guard). */
  storeRecord(key: string): StoredRecord | undefined {
    return this.mirror.get(key);
  }

  firstSeen = (key: string): number => (this.firstSeenMs.get(key) ?? Date.now()) / 1000;

  find(kind: Kind, mesh: string | undefined, awsName: string, gateway?: string): CatalogEntry | undefined {
    this.refresh();
    return this.scopes.get(scopeOf(kind, mesh, gateway))?.get(awsName);
  }

  /** Members of one scope, sorted by awsName (code point order). */
  list(kind: Kind, mesh?: string, gateway?: string): readonly CatalogEntry[] {
    this.refresh();
    const scope = scopeOf(kind, mesh, gateway);
    let out = this.sorted.get(scope);
    if (!out) {
      out = [...(this.scopes.get(scope)?.values() ?? [])].sort((a, b) => byName(a.awsName, b.awsName));
      this.sorted.set(scope, out);
    }
    return out;
  }

  count(kind: Kind, mesh?: string, gateway?: string): number {
    this.refresh();
    return this.scopes.get(scopeOf(kind, mesh, gateway))?.size ?? 0;
  }

  /** Every record of a mesh (the mesh included), for validation. */
  meshRecords(mesh: string): Rec[] {
    this.refresh();
    const out: Rec[] = [];
    const meshEntry = this.find('Mesh', undefined, mesh);
    if (meshEntry) out.push(meshEntry.record);
    for (const key of this.members.get(mesh) ?? []) {
      const entry = this.placed.get(key);
      if (entry) out.push(entry.record);
    }
    return out;
  }

  /** A mesh's records for validation: its fingerprint now, and its records read on demand. */
  meshRecordSet(mesh: string): MeshRecordSet {
    this.refresh();
    return {
      fingerprint: this.fingerprints.get(mesh) ?? EMPTY_FINGERPRINT,
      get: (key) => {
        const entry = this.placed.get(key);
        const owner = entry?.kind === 'Mesh' ? entry.awsName : entry?.mesh;
        return owner === mesh ? entry!.record : undefined;
      },
      all: () => this.meshRecords(mesh),
    };
  }

  namespaces(): InputNamespace[] {
    return [...this.namespaceLabels].map(([name, labels]) => ({ name, labels }));
  }

  /** awsName of the resource with this Kubernetes identity (for CRD → API references). */
  resolveAwsName = (kind: Kind, namespace: string | undefined, name: string): string | undefined => {
    const record = this.records.get(resourceKey(kind, namespace, name));
    return record ? awsNameOf(record.value) : undefined;
  };

  // ── feeding ───────────────────────────────────────────────────────────────

  private apply(change: MirrorChange<AnyResource>): void {
    if (change.type === 'put') this.upsert(change.record);
    else this.remove(change.record.key);
  }

  private upsert(record: Rec): void {
    const kind = kindOf(record.key);
    const value = record.value as unknown;
    if (kind === undefined || value === null || typeof value !== 'object' || !('metadata' in value)) return;
    if (!this.firstSeenMs.has(record.key)) this.firstSeenMs.set(record.key, Date.now());
    if (kind === 'Namespace') {
      const meta = (value as { metadata?: { name?: string; labels?: Labels } }).metadata;
      if (meta?.name) this.namespaceLabels.set(meta.name, { ...(meta.labels ?? {}) });
      this.fullDirty = true;
      return;
    }
    // Unlike the graph's input, records failing the CRD schema stay: the API form is
    // looser in places (a VirtualRouter without listeners), and the API wrote them.
    if (!isKind(kind) || kind === 'BackendGroup' || !('spec' in value)) return;
    this.unplace(record.key);
    if (!this.records.has(record.key)) this.order.set(record.key, this.nextOrder++);
    this.records.set(record.key, record);
    if (kind === 'Mesh') {
      this.meshes.set(record.key, record);
      this.usable = undefined;
    }
    if (kind === 'VirtualGateway') this.gateways.set(record.key, record);
    if (STRUCTURAL.has(kind)) this.fullDirty = true;
    else if (!this.fullDirty) this.place(record);
  }

  private remove(key: string): void {
    const kind = kindOf(key);
    if (kind === 'Namespace') {
      this.namespaceLabels.delete(parseResourceKey(key).name);
      this.fullDirty = true;
      return;
    }
    this.unplace(key);
    this.records.delete(key);
    this.order.delete(key);
    this.firstSeenMs.delete(key);
    if (this.meshes.delete(key)) this.usable = undefined;
    this.gateways.delete(key);
    if (kind !== undefined && STRUCTURAL.has(kind)) this.fullDirty = true;
  }

  private refresh(): void {
    if (!this.fullDirty) return;
    this.fullDirty = false;
    this.clashes = false;
    this.scopes.clear();
    this.placed.clear();
    this.members.clear();
    this.fingerprints.clear();
    this.sorted.clear();
    // Meshes first, then gateways, then the rest: each placement reads the previous ones.
    // Within a kind the records' order stands, which is the graph's input order.
    const order = (r: Rec) => (r.value.kind === 'Mesh' ? 0 : r.value.kind === 'VirtualGateway' ? 1 : 2);
    const all = [...this.records.values()].sort((a, b) => order(a) - order(b));
    for (const record of all) this.place(record);
  }

  private place(record: Rec): void {
    const resource = record.value;
    const entry: CatalogEntry = {
      key: record.key,
      record,
      kind: resource.kind,
      awsName: awsNameOf(resource),
    };
    if (resource.kind !== 'Mesh') {
      const mesh = this.meshOf(resource);
      if (mesh === undefined) return;
      entry.mesh = mesh;
      if (resource.kind === 'GatewayRoute') {
        const gateway = this.gatewayOf(resource, mesh);
        if (gateway === undefined) return;
        entry.gateway = gateway;
      }
    }
    const scope = scopeOf(entry.kind, entry.mesh, entry.gateway);
    let members = this.scopes.get(scope);
    if (!members) this.scopes.set(scope, (members = new Map()));
    const holder = members.get(entry.awsName);
    if (holder) {
      // The earlier resource keeps the name (the graph reports the clash); when it
      // leaves, everything is placed again so the other one shows up.
      this.clashes = true;
      if (this.positionOf(holder.key) < this.positionOf(record.key)) return;
      this.unplace(holder.key);
    }
    members.set(entry.awsName, entry);
    this.placed.set(record.key, entry);
    this.fingerprintChange(entry, withRecord);
    if (entry.mesh !== undefined) {
      let keys = this.members.get(entry.mesh);
      if (!keys) this.members.set(entry.mesh, (keys = new Set()));
      keys.add(record.key);
    }
    this.sorted.delete(scope);
  }

  /** Follows a placement in the fingerprint of the mesh the entry counts in (a Mesh counts in its own). */
  private fingerprintChange(
    entry: CatalogEntry,
    change: (fp: RecordSetFingerprint, key: string, modRevision: number) => RecordSetFingerprint,
  ): void {
    const mesh = entry.kind === 'Mesh' ? entry.awsName : entry.mesh;
    if (mesh === undefined) return;
    const next = change(
      this.fingerprints.get(mesh) ?? EMPTY_FINGERPRINT,
      entry.key,
      entry.record.modRevision,
    );
    if (next.count === 0) this.fingerprints.delete(mesh);
    else this.fingerprints.set(mesh, next);
  }

  private positionOf(key: string): number {
    return this.order.get(key) ?? Infinity;
  }

  private unplace(key: string): void {
    const entry = this.placed.get(key);
    if (!entry) return;
    // A name it held may be wanted by a resource that lost the clash.
    if (this.clashes) this.fullDirty = true;
    this.placed.delete(key);
    this.fingerprintChange(entry, withoutRecord);
    if (entry.mesh !== undefined) this.members.get(entry.mesh)?.delete(key);
    const scope = scopeOf(entry.kind, entry.mesh, entry.gateway);
    this.scopes.get(scope)?.delete(entry.awsName);
    this.sorted.delete(scope);
  }

  /** awsName of the placed Mesh the resource belongs to. */
  private meshOf(resource: AnyResource): string | undefined {
    let mesh: Rec | undefined;
    const ref = meshRefName(resource);
    if (ref !== undefined) {
      mesh = this.meshes.get(resourceKey('Mesh', undefined, ref));
    } else {
      const ns = resource.metadata.namespace;
      if (ns === undefined) return undefined;
      this.usable ??= usableMeshes([...this.meshes.values()], meshSpec);
      const selected = meshesSelecting(this.usable, meshSpec, this.namespaceLabels.get(ns));
      if (selected.length === 1) mesh = selected[0];
    }
    // Only the Mesh that holds its name has members; a duplicate has none.
    return mesh && this.placed.has(mesh.key) ? awsNameOf(mesh.value) : undefined;
  }

  /** awsName of the gateway a route attaches to: its virtualGatewayRef, or the one gateway selecting it. */
  private gatewayOf(route: GatewayRoute, mesh: string): string | undefined {
    const ref = route.spec.virtualGatewayRef;
    let gateway: Rec | undefined;
    if (ref && typeof ref.name === 'string') {
      const ns = ref.namespace || route.metadata.namespace;
      gateway =
        ns !== undefined
          ? this.gateways.get(resourceKey('VirtualGateway', ns, ref.name))
          : [...this.gateways.values()].find(
              (g) =>
                g.value.metadata.namespace === undefined &&
                g.value.metadata.name === ref.name &&
                meshRefName(g.value) === meshRefName(route),
            );
    } else {
      const ns = route.metadata.namespace;
      const labels = ns === undefined ? undefined : this.namespaceLabels.get(ns);
      const selected = gatewaysSelecting([...this.gateways.values()], gatewaySpec, route, labels);
      if (selected.length === 1) gateway = selected[0];
    }
    const entry = gateway && this.placed.get(gateway.key);
    return entry?.mesh === mesh ? entry.awsName : undefined;
  }
}

function kindOf(key: string): string | undefined {
  try {
    return parseResourceKey(key).kind;
  } catch {
    return undefined;
  }
}
