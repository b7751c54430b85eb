/**
 * Incremental translation. A `Translator` keeps every group's last translation and
 * the graph entries it read; on a new graph it re-translates only the groups that
 * read something that changed (and new groups), and keeps the others' objects as they
 * were, so their encoded bytes are reused too. Endpoint changes take a separate fast
 * path that rebuilds only ClusterLoadAssignments (control-plane-lessons rule 11).
 *
 * `updateInSteps` is `update` one group at a time, for a caller that gives the event
 * loop a turn between groups (src/server/time-slices.ts); `update` runs the same steps
 * without pausing. While such an update is unfinished the Translator is mid-way (units
 * dropped aside, some groups new, the others not yet): starting another update, or the
 * endpoint fast path, throws instead of mixing the two.
 */
import type { MeshGraph } from '../mesh/index.js';
import { dropShared, namedOnce, type EdsTarget } from './context.js';
import type { EndpointSource, VirtualNodeRef } from './endpoints.js';
import type { TranslateOptions } from './options.js';
import { changedKeys, optionsKey } from './fingerprint.js';
import { proxyGroups, type ProxyGroup } from './groups.js';
import { depKey } from './lookup.js';
import { assignmentFor } from './cluster.js';
import { assignment } from './emit/assignment.js';
import { translateGroupDetailed, type EnvoyResources, type GroupTranslation } from './translate.js';
import type { GroupIR } from './ir/types.js';
import { EmitMemo } from './emit/memo.js';
import { GroupSnapshots } from './group-snapshots.js';

export interface TranslatorResult {
  /** Every current group's resources, by group key (a failing group: its last good ones, if any). */
  groups: ReadonlyMap<string, EnvoyResources>;
  /** Keys of groups translated (or whose endpoints were rebuilt) by this call, sorted. */
  changed: string[];
  /** Keys of groups that no longer exist, sorted. */
  removed: string[];
  /**
   * Groups whose translation threw in this call, with the reason. They keep their last
   * good resources (in `groups`, not in `changed`) and are tried again on every update.
   */
  failed: ReadonlyMap<string, string>;
}

/** One step of `updateInSteps`: the group just translated, and why it failed if its translation threw. */
export interface GroupStep {
  key: string;
  /** Set when the translation threw: the group keeps its last good resources (see `failed`). */
  failure?: string;
  /** Set when the group was among those `updateInSteps`' `first` held for (they come before the others). */
  first?: true;
}

interface TranslatedGroup {
  group: ProxyGroup;
  translation: GroupTranslation;
}

/** key → set of keys, with add/remove that drop empty sets. */
class Index {
  private map = new Map<string, Set<string>>();
  add(from: string, to: string): void {
    let set = this.map.get(from);
    if (!set) this.map.set(from, (set = new Set()));
    set.add(to);
  }
  remove(from: string, to: string): void {
    const set = this.map.get(from);
    if (!set) return;
    set.delete(to);
    if (set.size === 0) this.map.delete(from);
  }
  get(from: string): ReadonlySet<string> {
    return this.map.get(from) ?? EMPTY;
  }
}
const EMPTY: ReadonlySet<string> = new Set();

class PerMesh {
  private meshes = new Map<string, Index>();
  of(mesh: string): Index {
    let i = this.meshes.get(mesh);
    if (!i) this.meshes.set(mesh, (i = new Index()));
    return i;
  }
}

/** Whether the source knows the node; undefined when asking it throws. */
function isKnown(endpoints: EndpointSource, node: VirtualNodeRef): boolean | undefined {
  try {
    return endpoints.endpoints(node) !== undefined;
  } catch {
    return undefined;
  }
}

/** The groups of a graph in `proxyGroups` order, and each one's place in it. */
interface GroupTable {
  list: readonly ProxyGroup[];
  position: ReadonlyMap<string, number>;
}

function groupTable(list: ProxyGroup[]): GroupTable {
  return { list, position: new Map(list.map((g, i) => [g.key, i])) };
}

/** Whether a changed key can add, remove or (de)activate a group (see `proxyGroups`). */
function changesGroups(key: string): boolean {
  return key === depKey.mesh() || key.startsWith(depKey.node('')) || key.startsWith(depKey.gateway(''));
}

const EMITTED: GroupIR = { listeners: [], routeConfigs: [], clusters: [], assignments: [], secrets: [] };

export class Translator {
  private entries = new Map<string, TranslatedGroup>();
  /** Each entry's resources, handed out as `TranslatorResult.groups`. */
  private resources = new GroupSnapshots<EnvoyResources>();
  /** Mesh → dependency key → groups that read it directly. */
  private groupReaders = new PerMesh();
  /** Mesh → dependency key → shared units that read it. */
  private unitReaders = new PerMesh();
  /** Unit key (mesh included) → groups that use it. */
  private unitUsers = new Index();
  /** Unit key → its mesh and dependency keys (while some group uses it). */
  private unitDeps = new Map<string, { mesh: string; deps: readonly string[] }>();
  /** Shared units, kept across updates; units whose dependencies change are dropped. */
  private memo = new Map<string, unknown>();
  /** Units dropped during the current update: their rebuilt successors keep what is equal. */
  private dropped = new Map<string, unknown>();
  /** Emitted resources by IR content, from this update and the last. */
  private emitted = new EmitMemo();
  /** Groups whose last translation threw: retried on every update until they succeed. */
  private failing = new Set<string>();
  private graphOptions = '';
  private endpoints: EndpointSource | undefined;
  private graph: MeshGraph | undefined;
  /** The groups of `graph`. */
  private table: GroupTable | undefined;
  /** Whether an update (or the endpoint fast path) is under way: a second one must wait for it. */
  private updating = false;

  constructor(private readonly options: TranslateOptions = {}) {}

  /** Translates what `graph` changed since the last call (everything, the first time). */
  update(graph: MeshGraph, endpoints: EndpointSource): TranslatorResult {
    const steps = this.updateInSteps(graph, endpoints);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * `update`, yielding after each group it translates (in `proxyGroups` order); its
   * return value is `update`'s. Run it to the end: until then the Translator refuses
   * other updates. Everything before the first group (finding the groups and what
   * changed) runs at the first `next()`, and may throw there as `update` does.
   *
   * `first`: groups it holds for are translated before the others (each part in
   * `proxyGroups` order), e.g. those with connected proxies, so that they get their push
   * before the run has gone through groups nobody is waiting for. The result is the same.
   */
  *updateInSteps(
    graph: MeshGraph,
    endpoints: EndpointSource,
    first?: (groupKey: string) => boolean,
  ): Generator<GroupStep, TranslatorResult, void> {
    this.begin();
    try {
      return yield* this.translateChanges(graph, endpoints, first);
    } finally {
      this.end();
    }
  }

  /**
   * Starts an update with `dropped` empty; `end` empties it again (however the update
   * ends): the units an update drops are kept aside for its own rebuilt successors only.
   */
  private begin(): void {
    if (this.updating)
      throw new Error('Translator: an update is still in progress; finish it before starting another');
    this.updating = true;
    this.dropped = new Map();
  }

  private end(): void {
    this.dropped = new Map();
    this.updating = false;
  }

  private *translateChanges(
    graph: MeshGraph,
    endpoints: EndpointSource,
    first: ((groupKey: string) => boolean) | undefined,
  ): Generator<GroupStep, TranslatorResult, void> {
    const everything = this.endpoints !== endpoints || this.graphOptions !== optionsKey(graph);
    const changes = everything ? [] : changedKeys(this.graph, graph);
    // The groups are the active meshes' active nodes and gateways: without a change to one
    // of those, the last list stands, and only the groups read by a change are visited.
    const table =
      everything || !this.table || changes.some(([, k]) => changesGroups(k))
        ? groupTable(proxyGroups(graph))
        : this.table;
    const dirty = new Set<string>(this.failing);
    if (table !== this.table)
      for (const g of table.list) if (everything || !this.entries.has(g.key)) dirty.add(g.key);
    for (const [mesh, k] of changes) {
      this.readersOf(mesh, k, dirty);
      // Units read mesh-wide settings (egress filter, IP preference, short names) without
      // recording them; every group of the mesh is re-translated anyway, so start afresh.
      if (k === depKey.mesh()) this.dropMesh(mesh);
    }

    if (everything) {
      // Every unit is built again; each finds its predecessor (no copy: the old memo is it).
      this.dropped = this.memo;
      this.memo = new Map();
    }
    this.emitted.nextGeneration();
    const removed =
      table === this.table ? [] : [...this.entries.keys()].filter((k) => !table.position.has(k)).sort();
    for (const k of removed) {
      this.forget(k);
      this.emitted.forgetGroup(k);
    }
    for (const k of this.failing) if (!table.position.has(k)) this.failing.delete(k);
    const runMemo = new Map<string, unknown>();
    const failed = new Map<string, string>();
    const order: number[] = [];
    for (const k of dirty) {
      const at = table.position.get(k);
      if (at !== undefined) order.push(at);
    }
    order.sort((a, b) => a - b);
    const { run, front } = first ? firstThenRest(order, table, first) : { run: order, front: 0 };
    for (let i = 0; i < run.length; i++) {
      const g = table.list[run[i] as number] as ProxyGroup;
      this.retranslate(g, graph, endpoints, runMemo, failed);
      const failure = failed.get(g.key);
      yield {
        key: g.key,
        ...(failure !== undefined ? { failure } : {}),
        ...(i < front ? { first: true as const } : {}),
      };
    }
    this.graphOptions = optionsKey(graph);
    this.endpoints = endpoints;
    this.graph = graph;
    this.table = table;
    const changed = [...dirty].filter((k) => table.position.has(k) && !failed.has(k)).sort();
    return { groups: this.snapshot(), changed, removed, failed };
  }

  /**
   * Translates one group and replaces its entry. A group whose translation throws keeps
   * its last good entry: one group's failure never stops the others (issue 17 item 3).
   */
  private retranslate(
    group: ProxyGroup,
    graph: MeshGraph,
    endpoints: EndpointSource,
    runMemo: Map<string, unknown>,
    failed: Map<string, string>,
  ): void {
    const old = this.entries.get(group.key);
    const memoSize = this.memo.size;
    let translation: GroupTranslation;
    try {
      translation = translateGroupDetailed(graph, group, endpoints, this.options, {
        units: this.memo,
        run: runMemo,
        emit: this.emitted,
        dropped: this.dropped,
      });
    } catch (err) {
      failed.set(group.key, err instanceof Error ? err.message : String(err));
      this.failing.add(group.key);
      // Units built before the throw are in no index; they are the memo's newest keys (Maps keep insertion order).
      const fresh = [...this.memo.keys()].slice(memoSize);
      for (const k of fresh) this.memo.delete(k);
      return;
    }
    this.failing.delete(group.key);
    this.replace(group, old?.translation, translation);
  }

  /**
   * The endpoint fast path: the endpoints (or resolved DNS answers) of `nodes` changed
   * in `endpoints`; rebuild only the ClusterLoadAssignments that come from them. Groups
   * that read whether a node is known, when that answer flipped, are re-translated.
   */
  updateEndpoints(endpoints: EndpointSource, nodes: Iterable<VirtualNodeRef>): TranslatorResult {
    this.begin();
    try {
      return this.patchEndpoints(endpoints, nodes);
    } finally {
      this.end();
    }
  }

  private patchEndpoints(endpoints: EndpointSource, nodes: Iterable<VirtualNodeRef>): TranslatorResult {
    this.endpoints = endpoints;
    const list = [...nodes];
    // A node the source now knows (or no longer knows) changes its clusters' type
    // (EDS ↔ DNS): whoever read the other answer is translated again, units included.
    const retranslate = new Set<string>();
    for (const n of list) {
      const known = isKnown(endpoints, n);
      // A source that fails for the node: its readers are tried in full (and fail one by one).
      const flipped = known === undefined ? [true, false] : [!known];
      for (const k of flipped) this.readersOf(n.mesh, depKey.endpointsKnown(n.virtualNode, k), retranslate);
    }
    const affected = new Set<string>();
    const changedNodes = new Set<string>();
    for (const n of list) {
      changedNodes.add(`${n.mesh}|${n.virtualNode}`);
      this.readersOf(n.mesh, depKey.endpoints(n.virtualNode), affected, true);
    }
    // A failing group has no current translation to patch: it is tried in full again.
    for (const key of affected) if (this.failing.has(key)) retranslate.add(key);
    const failed = new Map<string, string>();
    if (retranslate.size > 0 && this.graph) {
      const runMemo = new Map<string, unknown>();
      for (const key of [...retranslate].sort()) {
        const entry = this.entries.get(key);
        if (entry) this.retranslate(entry.group, this.graph, endpoints, runMemo, failed);
      }
    }
    const built = new Map<string, EnvoyResources['endpoints'][number]>();
    for (const key of affected) {
      if (retranslate.has(key)) continue;
      const entry = this.entries.get(key);
      if (!entry) continue;
      const mesh = entry.group.mesh;
      const old = entry.translation.resources;
      const fresh = new Map(old.endpoints.map((cla) => [cla.cluster_name ?? '', cla]));
      try {
        for (const t of entry.translation.eds) {
          if (changedNodes.has(`${mesh}|${t.virtualNode}`))
            fresh.set(t.clusterName, this.assignment(built, mesh, t, endpoints));
        }
      } catch (err) {
        failed.set(key, err instanceof Error ? err.message : String(err));
        this.failing.add(key);
        continue;
      }
      const resources: EnvoyResources = { ...old, endpoints: namedOnce([...fresh.values()]) };
      entry.translation = { ...entry.translation, resources };
      this.resources.set(key, resources);
    }
    const changed = [...new Set([...affected, ...retranslate])].filter((k) => !failed.has(k));
    return { groups: this.snapshot(), changed: changed.sort(), removed: [], failed };
  }

  /**
   * Adds to `out` the groups that read `dep`, directly or through a unit. The units are
   * stale: they leave the memo (and, when all their users are re-translated, which they
   * are unless `keepIndexed`, the index, to be registered afresh).
   */
  private readersOf(mesh: string, dep: string, out: Set<string>, keepIndexed = false): void {
    for (const g of this.groupReaders.of(mesh).get(dep)) out.add(g);
    for (const unit of [...this.unitReaders.of(mesh).get(dep)]) {
      for (const g of this.unitUsers.get(unit)) out.add(g);
      dropShared(this.memo, unit, this.dropped);
      if (!keepIndexed) this.unindexUnit(unit);
    }
  }

  /**
   * Puts a group's new translation in place of its last one (if any). A re-translated
   * group mostly reads what it read before: only the differences are indexed and
   * unindexed (removing and adding all of a sidecar's units and keys again was ~8 % of
   * a one-route change in bench:translate). Units it no longer uses, and nobody else
   * does, leave the memo.
   */
  private replace(group: ProxyGroup, old: GroupTranslation | undefined, translation: GroupTranslation): void {
    const key = group.key;
    // The IR has been emitted; keeping it for every group would only weigh on the collector.
    this.entries.set(key, { group, translation: { ...translation, ir: EMITTED } });
    this.resources.set(key, translation.resources);
    const readers = this.groupReaders.of(group.mesh);
    if (old) for (const d of old.deps) if (!translation.deps.has(d)) readers.remove(d, key);
    for (const d of translation.deps) if (!old?.deps.has(d)) readers.add(d, key);
    const unitReaders = this.unitReaders.of(group.mesh);
    for (const [unit, deps] of translation.units) {
      if (!old?.units.has(unit)) this.unitUsers.add(unit, key);
      // A unit an update dropped is unindexed although its users are kept: indexed again here.
      if (this.unitDeps.has(unit)) continue;
      this.unitDeps.set(unit, { mesh: group.mesh, deps });
      for (const d of deps) unitReaders.add(d, unit);
    }
    if (old) for (const unit of old.units.keys()) if (!translation.units.has(unit)) this.leaveUnit(unit, key);
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    const readers = this.groupReaders.of(entry.group.mesh);
    for (const d of entry.translation.deps) readers.remove(d, key);
    for (const unit of entry.translation.units.keys()) this.leaveUnit(unit, key);
    this.entries.delete(key);
    this.resources.delete(key);
  }

  /** `group` no longer uses `unit`; a unit nobody uses leaves the index and the memo. */
  private leaveUnit(unit: string, group: string): void {
    this.unitUsers.remove(unit, group);
    if (this.unitUsers.get(unit).size > 0) return;
    this.unindexUnit(unit);
    dropShared(this.memo, unit, this.dropped);
  }

  private dropMesh(mesh: string): void {
    const prefix = `${mesh}|`;
    for (const [key, entry] of [...this.memo]) {
      if (!key.startsWith(prefix)) continue;
      this.memo.delete(key);
      this.dropped.set(key, entry);
    }
  }

  private unindexUnit(unit: string): void {
    const u = this.unitDeps.get(unit);
    if (!u) return;
    const readers = this.unitReaders.of(u.mesh);
    for (const d of u.deps) readers.remove(d, unit);
    this.unitDeps.delete(unit);
  }

  /** The last translation of a group (warnings, dependencies, EDS targets included). */
  translation(key: string): GroupTranslation | undefined {
    return this.entries.get(key)?.translation;
  }

  /** The graph of the last update. */
  get lastGraph(): MeshGraph | undefined {
    return this.graph;
  }

  private assignment(
    built: Map<string, EnvoyResources['endpoints'][number]>,
    mesh: string,
    t: EdsTarget,
    endpoints: EndpointSource,
  ) {
    // A proxyless client's assignment of the same cluster has no health-check port: keyed apart.
    const k = `${mesh}|${t.clusterName}|${t.hostname ?? ''}|${t.healthCheckPort ?? ''}`;
    let cla = built.get(k);
    if (!cla)
      built.set(
        k,
        (cla = assignment(
          assignmentFor(
            { mesh, endpoints },
            t.clusterName,
            t.virtualNode,
            t.port,
            t.hostname,
            t.healthCheckPort,
          ),
        )),
      );
    return cla;
  }

  private snapshot(): ReadonlyMap<string, EnvoyResources> {
    return this.resources.snapshot();
  }
}

/** Positions whose group `first` holds for, then the others, each in the order given; `front`: how many held. */
function firstThenRest(
  order: number[],
  table: GroupTable,
  first: (groupKey: string) => boolean,
): { run: number[]; front: number } {
  const front: number[] = [];
  const back: number[] = [];
  for (const at of order) (first((table.list[at] as ProxyGroup).key) ? front : back).push(at);
  return { run: front.length === 0 || back.length === 0 ? order : front.concat(back), front: front.length };
}
