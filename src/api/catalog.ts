/**
 * An in-memory view of every App Mesh resource in the store, indexed the way the API
 * asks for them: by kind, mesh awsName (and gateway for gateway routes), then awsName.
 * Fed only by the store (list, then watch from the list's revision), so resources
 * written by Kubernetes, YAML mode or another replica show up like the API's own.
 * Writers wait for `waitFor(revision)` to read their own writes.
 */
import { isKind, type Kind } from '../model/kinds.js';
import { awsNameOf } from '../model/names.js';
import type { AnyResource, GatewayRoute } from '../model/resources.js';
import type { InputNamespace } from '../mesh/graph.js';
import {
  parseResourceKey,
  resourceKey,
  type ResourceStore,
  type StoredRecord,
  type WatchEvent,
  type WatchStream,
} from '../store/types.js';
import { selectorMatches, type Labels } from '../mesh/selectors.js';
import { byName } from './paging.js';

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

const STRUCTURAL = new Set(['Mesh', 'Namespace', 'VirtualGateway']);

function scopeOf(kind: string, mesh = '', gateway = ''): string {
  return `${kind}\u0000${mesh}\u0000${gateway}`;
}

export class Catalog {
  private readonly records = new Map<string, StoredRecord<AnyResource>>();
  private readonly namespaceLabels = new Map<string, Labels>();
  private readonly firstSeenMs = new Map<string, number>();
  private readonly scopes = new Map<string, Map<string, CatalogEntry>>();
  private readonly placed = new Map<string, CatalogEntry>();
  /** Mesh awsName → keys of its placed members. */
  private readonly members = new Map<string, Set<string>>();
  private readonly sorted = new Map<string, CatalogEntry[]>();
  private waiters: Array<{ revision: number; resolve: () => void }> = [];
  private fullDirty = false;
  private clashes = false;
  private watch: WatchStream<AnyResource> | undefined;
  private closed = false;
  private rev = 0;
  private failure: unknown;

  private constructor(private readonly store: ResourceStore) {}

  static async open(store: ResourceStore): Promise<Catalog> {
    const catalog = new Catalog(store);
    await catalog.sync();
    return catalog;
  }

  get revision(): number {
    return this.rev;
  }

  /** Resolves once every store change up to `revision` is visible here. */
  waitFor(revision: number): Promise<void> {
    if (this.rev >= revision || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ revision, resolve }));
  }

  close(): void {
    this.closed = true;
    this.watch?.close();
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }

  get(key: string): StoredRecord<AnyResource> | undefined {
    return this.records.get(key);
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
  meshRecords(mesh: string): StoredRecord<AnyResource>[] {
    this.refresh();
    const out: StoredRecord<AnyResource>[] = [];
    const meshEntry = this.find('Mesh', undefined, mesh);
    if (meshEntry) out.push(meshEntry.record);
    for (const key of this.members.get(mesh) ?? []) {
      const entry = this.placed.get(key);
      if (entry) out.push(entry.record);
    }
    return out;
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

  private async sync(): Promise<void> {
    // Read every page first, then swap in one synchronous step: readers never see a
    // half-listed store, even when a failed watch forces a re-list.
    const listed: StoredRecord<AnyResource>[] = [];
    let token: string | undefined;
    let startRevision: number | undefined;
    do {
      const page = await this.store.list<AnyResource>({
        limit: 1000,
        ...(token ? { continueToken: token } : {}),
      });
      startRevision ??= page.revision;
      for (const record of page.items) listed.push(record);
      token = page.nextToken;
    } while (token !== undefined);
    this.records.clear();
    this.namespaceLabels.clear();
    for (const record of listed) this.upsert(record);
    this.fullDirty = true;
    this.rev = Math.max(this.rev, startRevision);
    this.watch = await this.store.watch<AnyResource>({ fromRevision: startRevision });
    void this.consume(this.watch);
  }

  private async consume(watch: WatchStream<AnyResource>): Promise<void> {
    try {
      for await (const event of watch) this.apply(event);
    } catch (err) {
      if (this.closed) return;
      // Fell behind or history compacted: start again from a fresh list.
      this.failure = err;
      await this.sync().catch((e: unknown) => {
        this.failure = e;
      });
    }
  }

  /** The last watch failure, for readiness reporting. */
  get lastFailure(): unknown {
    return this.failure;
  }

  private apply(event: WatchEvent<AnyResource>): void {
    const current = this.records.get(event.record.key);
    if (event.type === 'put') {
      if (!current || current.modRevision <= event.record.modRevision) this.upsert(event.record);
    } else if (current && current.modRevision <= event.revision) {
      this.remove(event.record.key);
    }
    this.rev = Math.max(this.rev, event.revision);
    if (this.waiters.length > 0) {
      const ready = this.waiters.filter((w) => w.revision <= this.rev);
      this.waiters = this.waiters.filter((w) => w.revision > this.rev);
      for (const w of ready) w.resolve();
    }
  }

  private upsert(record: StoredRecord<AnyResource>): void {
    let kind: string;
    try {
      kind = parseResourceKey(record.key).kind;
    } catch {
      return;
    }
    const value = record.value as unknown;
    if (value === null || typeof value !== 'object' || !('metadata' in value)) return;
    if (!this.firstSeenMs.has(record.key)) this.firstSeenMs.set(record.key, Date.now());
    if (kind === 'Namespace') {
      const meta = (value as { metadata?: { name?: string; labels?: Labels } }).metadata;
      if (meta?.name) this.namespaceLabels.set(meta.name, { ...(meta.labels ?? {}) });
      this.fullDirty = true;
      return;
    }
    if (!isKind(kind) || kind === 'BackendGroup') return;
    this.unplace(record.key);
    this.records.set(record.key, record);
    if (STRUCTURAL.has(kind)) this.fullDirty = true;
    else if (!this.fullDirty) this.place(record);
  }

  private remove(key: string): void {
    const kind = safeKind(key);
    if (kind === 'Namespace') {
      this.namespaceLabels.delete(parseResourceKey(key).name);
      this.fullDirty = true;
      return;
    }
    this.unplace(key);
    this.records.delete(key);
    this.firstSeenMs.delete(key);
    if ((kind && STRUCTURAL.has(kind)) || this.clashes) this.fullDirty = true;
  }

  private refresh(): void {
    if (!this.fullDirty) return;
    this.fullDirty = false;
    this.clashes = false;
    this.scopes.clear();
    this.placed.clear();
    this.members.clear();
    this.sorted.clear();
    // Meshes first, then gateways, then the rest: each placement reads the previous ones.
    const order = (r: StoredRecord<AnyResource>) =>
      r.value.kind === 'Mesh' ? 0 : r.value.kind === 'VirtualGateway' ? 1 : 2;
    const all = [...this.records.values()].sort((a, b) => order(a) - order(b));
    for (const record of all) this.place(record);
  }

  private place(record: StoredRecord<AnyResource>): void {
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
    // Two resources claiming one name: the first placed wins (the mesh graph reports the
    // clash); removing the winner re-places everything so the other one shows up.
    if (members.has(entry.awsName)) {
      this.clashes = true;
      return;
    }
    members.set(entry.awsName, entry);
    this.placed.set(record.key, entry);
    if (entry.mesh !== undefined) {
      let keys = this.members.get(entry.mesh);
      if (!keys) this.members.set(entry.mesh, (keys = new Set()));
      keys.add(record.key);
    }
    this.sorted.delete(scope);
  }

  private unplace(key: string): void {
    const entry = this.placed.get(key);
    if (!entry) return;
    this.placed.delete(key);
    if (entry.mesh !== undefined) this.members.get(entry.mesh)?.delete(key);
    const scope = scopeOf(entry.kind, entry.mesh, entry.gateway);
    this.scopes.get(scope)?.delete(entry.awsName);
    this.sorted.delete(scope);
  }

  private meshOf(resource: AnyResource): string | undefined {
    const ref = (resource.spec as { meshRef?: { name?: string; uid?: string } }).meshRef;
    if (ref?.name) {
      const mesh = this.records.get(resourceKey('Mesh', undefined, ref.name));
      return mesh ? awsNameOf(mesh.value) : undefined;
    }
    const ns = resource.metadata.namespace;
    const labels = ns === undefined ? undefined : this.namespaceLabels.get(ns);
    if (labels === undefined) return undefined;
    let found: string | undefined;
    for (const entry of this.scopes.get(scopeOf('Mesh'))?.values() ?? []) {
      const selector = (
        entry.record.value.spec as { namespaceSelector?: Parameters<typeof selectorMatches>[0] }
      ).namespaceSelector;
      if (!selectorMatches(selector, labels, 'none')) continue;
      if (found !== undefined) return undefined;
      found = entry.awsName;
    }
    return found;
  }

  private gatewayOf(route: GatewayRoute, mesh: string): string | undefined {
    const gateways = [...(this.scopes.get(scopeOf('VirtualGateway', mesh))?.values() ?? [])];
    const ref = route.spec.virtualGatewayRef;
    if (ref?.name) {
      const byUid = ref.uid ? gateways.find((g) => g.record.value.metadata.uid === ref.uid) : undefined;
      if (byUid) return byUid.awsName;
      const ns = ref.namespace ?? route.metadata.namespace;
      return gateways.find(
        (g) => g.record.value.metadata.name === ref.name && g.record.value.metadata.namespace === ns,
      )?.awsName;
    }
    const ns = route.metadata.namespace;
    const nsLabels = ns === undefined ? undefined : this.namespaceLabels.get(ns);
    if (nsLabels === undefined) return undefined;
    const matches = gateways.filter((g) => {
      const spec = g.record.value.spec as {
        namespaceSelector?: Parameters<typeof selectorMatches>[0];
        gatewayRouteSelector?: Parameters<typeof selectorMatches>[0];
      };
      return (
        selectorMatches(spec.namespaceSelector, nsLabels, 'none') &&
        selectorMatches(spec.gatewayRouteSelector, route.metadata.labels ?? {}, 'all')
      );
    });
    return matches.length === 1 ? matches[0]?.awsName : undefined;
  }
}

function safeKind(key: string): string | undefined {
  try {
    return parseResourceKey(key).kind;
  } catch {
    return undefined;
  }
}
