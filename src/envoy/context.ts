/**
 * What one group's translation carries around: the mesh it reads, the options, the
 * endpoint source, a memo shared across groups (so identical clusters, assignments and
 * listeners are one object, encoded once), the dependencies it read (for incremental
 * re-translation), and the resources it collects.
 */
import type { MeshView } from '../mesh/index.js';
import { markShared } from './encode-plain.js';
import type { EndpointSource } from './endpoints.js';
import type { TranslateOptions } from './options.js';
import type { Cluster, ClusterLoadAssignment, Listener, RouteConfiguration, Secret } from './types.js';
import type { AssignmentIR, ClusterIR, GroupIR, ListenerIR, RouteConfigIR, SecretIR } from './ir/types.js';
import { emitGroup } from './emit/group.js';
import { cluster as emitCluster } from './emit/cluster.js';
import { emitIfShared } from './emit/shared.js';
import type { EmitMemo } from './emit/memo.js';
import { keepEqual, sameContent } from './same-content.js';
import { NamedList, NameTable, type NameSlot } from './named-list.js';

/** The five xDS collections of one proxy group, as plain `fromObject` objects. */
export interface EnvoyResources {
  listeners: Listener[];
  routes: RouteConfiguration[];
  clusters: Cluster[];
  endpoints: ClusterLoadAssignment[];
  secrets: Secret[];
}

/** Resource lists collected by name, so no name is in one twice (see `namedOnce`). */
const collectedByName = new WeakSet<readonly object[]>();

/** Marks `list` as holding each name once: `encodeResources` then lists its bytes without a Map. */
export function namedOnce<T extends readonly object[]>(list: T): T {
  collectedByName.add(list);
  return list;
}

/** Whether `namedOnce` marked the list. */
export function isNamedOnce(list: readonly object[]): boolean {
  return collectedByName.has(list);
}

/** Sidecar Envoy, or a proxyless gRPC client of the same virtual node. */
export type ProxyFlavour = 'envoy' | 'grpc';

/** An EDS cluster of the group and where its assignment comes from (for the endpoint fast path). */
export interface EdsTarget {
  clusterName: string;
  virtualNode: string;
  port: number;
  /** DNS name a proxyless client's assignment falls back to when the source has no endpoints. */
  hostname?: string;
  /** The health check's own port, carried by every endpoint (Envoy callers only). */
  healthCheckPort?: number;
}

/** An EDS cluster's assignment, where its endpoints come from, and its Envoy object once emitted (emit/group.ts). */
export interface AssignmentEntry {
  readonly ir: AssignmentIR;
  readonly target: EdsTarget;
  emitted?: ClusterLoadAssignment;
}

export class Collector {
  readonly listeners: ListenerIR[] = [];
  readonly routes: RouteConfigIR[] = [];
  readonly clusters: NamedList<ClusterIR>;
  /**
   * The Envoy object of each of `clusters` (same order) that a shared unit added, emitted
   * once for the unit; undefined: emitted with the group. A sidecar gets ~100 clusters
   * from units: reading each one's Envoy object off its IR object again in every group
   * was ~5 % of a full translation.
   */
  readonly emittedClusters: Array<Cluster | undefined> = [];
  /**
   * Each EDS cluster's assignment and target, with its Envoy object once emitted (a
   * unit's: once for all its groups). One list for both: they are always added together.
   */
  readonly endpoints: NamedList<AssignmentEntry>;
  readonly secrets = new Map<string, SecretIR>();
  /** Names of SDS secrets over ADS whose content Amime's CA supplies when the group is published. */
  readonly caSecrets = new Set<string>();

  /**
   * `unit`: this collects what a shared unit adds, replayed into every group that uses
   * it as the same objects; the assignments and secrets it makes itself are marked shared
   * here, once (one IR object, so one Envoy object: emit/shared.ts).
   */
  constructor(
    readonly tables: CollectorTables,
    depth: number,
    private readonly unit = false,
  ) {
    this.clusters = new NamedList(tables.clusters, depth);
    this.endpoints = new NamedList(tables.assignments, depth);
  }

  /** First one wins: a cluster name always means the same target, so later copies are equal or less specific. */
  addCluster(cluster: ClusterIR, emitted?: Cluster): void {
    if (this.clusters.addFirst(cluster.name ?? '', cluster)) this.emittedClusters.push(emitted);
  }

  /** `addCluster` with the name's slot known (a unit's replay). */
  replayCluster(slot: NameSlot, cluster: ClusterIR, emitted: Cluster | undefined): void {
    if (this.clusters.addFirstAt(slot, cluster)) this.emittedClusters.push(emitted);
  }

  hasCluster(name: string): boolean {
    return this.clusters.has(name);
  }

  addSecret(secret: SecretIR): void {
    const name = secret.name;
    if (this.secrets.has(name)) return;
    if (this.unit) markShared(secret);
    this.secrets.set(name, secret);
  }

  /** The assignment of an EDS cluster and where its endpoints come from; the last one of a name wins. */
  addAssignment(assignment: AssignmentIR, target: EdsTarget): void {
    if (this.unit) markShared(assignment);
    this.endpoints.set(target.clusterName, { ir: assignment, target });
  }

  /** The EDS targets, in the order their assignments were added. */
  edsTargets(): EdsTarget[] {
    return this.endpoints.items.map((e) => e.target);
  }

  /** The group's IR. */
  ir(): GroupIR {
    return {
      listeners: this.listeners,
      routeConfigs: this.routes,
      clusters: this.clusters.items,
      assignments: this.endpoints.items.map((e) => e.ir),
      secrets: [...this.secrets.values()],
    };
  }

  /**
   * The collected resources, in the (deterministic) order they were added; views sort by
   * name. With `memo`, resources whose IR content was emitted before (a route
   * configuration or cluster: for `group`) are those objects (emit/memo.ts).
   */
  finish(ir: GroupIR, memo?: EmitMemo, group?: string): EnvoyResources {
    const res = emitGroup(ir, memo, group, {
      clusters: this.emittedClusters,
      assignments: this.endpoints.items,
    });
    // One per name in `clusters` and `endpoints` (named lists), so one per name emitted.
    namedOnce(res.clusters);
    namedOnce(res.endpoints);
    return res;
  }
}

/** The name tables of the collectors of one set of shared units (named-list.ts). */
export interface CollectorTables {
  clusters: NameTable;
  assignments: NameTable;
}

const tablesByMemo = new WeakMap<object, CollectorTables>();
/** Names of deleted resources must not pile up in a Translator that runs for months. */
const TABLE_NAMES_MAX = 250_000;

/**
 * The tables of the collectors that use the shared units in `memo` (they outlive a run,
 * as the units do, so a unit's slots stay valid). `groupStart`: no collector is being
 * filled, so an overgrown table may be replaced (units look their slots up again).
 */
export function collectorTables(memo: object, groupStart = false): CollectorTables {
  let tables = tablesByMemo.get(memo);
  const overgrown = tables && groupStart && tables.clusters.size + tables.assignments.size > TABLE_NAMES_MAX;
  if (!tables || overgrown)
    tablesByMemo.set(memo, (tables = { clusters: new NameTable(), assignments: new NameTable() }));
  return tables;
}

/** What a shared unit adds to every group that uses it, flattened for cheap replay. */
interface Effects {
  clusters: ClusterIR[];
  /** The Envoy objects of `clusters` that are shared, worked out at the first replay (after `keepPredecessor`). */
  emittedClusters?: Array<Cluster | undefined>;
  /** The name slots of `clusters` and `endpoints` in the tables they were looked up in. */
  slots?: { tables: CollectorTables; clusters: NameSlot[]; endpoints: NameSlot[] };
  endpoints: AssignmentEntry[];
  secrets: SecretIR[];
  caSecrets: string[];
  listeners: ListenerIR[];
  routes: RouteConfigIR[];
  warnings: string[];
  empty: boolean;
}

function effectsOf(c: Collector, warnings: string[]): Effects {
  const e: Effects = {
    // The unit's collector is done with: its lists are not copied.
    clusters: c.clusters.items,
    endpoints: c.endpoints.items,
    secrets: [...c.secrets.values()],
    caSecrets: [...c.caSecrets],
    listeners: c.listeners,
    routes: c.routes,
    warnings,
    empty: false,
  };
  e.empty =
    e.clusters.length +
      e.endpoints.length +
      e.secrets.length +
      e.caSecrets.length +
      e.listeners.length +
      e.routes.length +
      warnings.length ===
    0;
  return e;
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface TranslateContext {
  view: MeshView;
  /** Mesh awsName, as used in resource names. */
  mesh: string;
  groupKey: string;
  flavour: ProxyFlavour;
  /**
   * Prefix of shared unit keys: empty, or the group key when the group's resources carry
   * its own certificate throughout (callers under the mesh mTLS switch): units are then
   * the group's alone.
   */
  unitScope: string;
  options: TranslateOptions;
  endpoints: EndpointSource;
  /**
   * Units shared across groups, keyed by what they are built from (see `shared`). A
   * Translator keeps it across runs and drops the units whose dependencies changed.
   */
  memo: Map<string, unknown>;
  /** Values for this run only (see `once`). */
  runMemo: Map<string, unknown>;
  /** Units dropped from `memo` by this update, by key: a rebuilt unit keeps their equal objects. */
  dropped: ReadonlyMap<string, unknown> | undefined;
  /** Dependency keys read directly by the group (see lookup.ts `depKey`). */
  deps: Set<string>;
  /** Top-level shared units the group used, with the dependency keys each read (transitively). */
  units: Map<string, readonly string[]>;
  /** Keys of the units used inside the unit being built (so dropping it drops them too). */
  children: Set<string>;
  /** How many shared builds are in progress (inside one, reads belong to the unit). */
  depth: number;
  out: Collector;
  warn(message: string): void;
}

/** A value computed once per run: a pure function of its key and the run's graph. */
export function once<T>(ctx: TranslateContext, name: string, build: () => T): T {
  const key = `${ctx.mesh}|${ctx.flavour}|${name}`;
  if (ctx.runMemo.has(key)) return ctx.runMemo.get(key) as T;
  const value = build();
  ctx.runMemo.set(key, value);
  return value;
}

const jsonKeys = new WeakMap<object, string>();
/** JSON of an input object, as a memo key part; cached per object (inputs are immutable). */
export function jsonKey(value: object | undefined): string {
  if (value === undefined) return '';
  let k = jsonKeys.get(value);
  if (k === undefined) jsonKeys.set(value, (k = JSON.stringify(value)));
  return k;
}

export interface Shared {
  value: unknown;
  effects: Effects;
  /** What the build read, each key once: an array, as it is only ever walked (into the enclosing unit, or the Translator's index). */
  deps: readonly string[];
  /** Units used while building this one, transitively. */
  children: string[];
}

/**
 * Builds `value` once and shares it between groups (a "unit"). What the build added to
 * the group (clusters, assignments, secrets, warnings) is recorded and replayed into
 * every later group that uses the unit; what it read is recorded once, on the unit,
 * which keeps dependency tracking per group small. `name` must say everything the value
 * is built from that is not a recorded dependency (a unit must read the graph through
 * lookup.ts, or record the entries it reads). Shared values are marked for the encoder,
 * which then encodes each one once.
 */
export function shared<T>(ctx: TranslateContext, name: string, build: () => T): T {
  const key = `${ctx.mesh}|${ctx.flavour}|${ctx.unitScope}${name}`;
  let entry = ctx.memo.get(key) as Shared | undefined;
  if (!entry) {
    const saved = { out: ctx.out, deps: ctx.deps, warn: ctx.warn, children: ctx.children };
    const out = new Collector(collectorTables(ctx.memo), ctx.depth + 1, true);
    const deps = new Set<string>();
    const children = new Set<string>();
    const warnings: string[] = [];
    ctx.out = out;
    ctx.deps = deps;
    ctx.children = children;
    ctx.warn = (m) => warnings.push(m);
    ctx.depth++;
    let value: unknown;
    try {
      value = build();
    } finally {
      ctx.depth--;
      ctx.out = saved.out;
      ctx.deps = saved.deps;
      ctx.children = saved.children;
      ctx.warn = saved.warn;
    }
    entry = { value, effects: effectsOf(out, warnings), deps: [...deps], children: [...children] };
    const before = ctx.dropped?.get(key) as Shared | undefined;
    if (before) keepPredecessor(before, entry);
    ctx.memo.set(key, entry);
    markShared(value);
  }
  if (!entry.effects.empty) replay(entry.effects, ctx);
  if (ctx.depth > 0) {
    for (const d of entry.deps) ctx.deps.add(d);
    ctx.children.add(key);
    for (const c of entry.children) ctx.children.add(c);
  } else ctx.units.set(key, entry.deps);
  return entry.value as T;
}

/**
 * A unit built again after a change keeps what its predecessor built where the content
 * is the same: the objects, so their Envoy objects, bytes and check verdicts too (a
 * route list of which one route changed keeps the others). This is what lets the emit
 * memo key shared IR by identity instead of hashing its content (emit/memo.ts).
 */
function keepPredecessor(before: Shared, entry: Shared): void {
  entry.value = keepEqual(before.value, entry.value);
  const old = before.effects;
  const e = entry.effects;
  e.clusters = keepEqual(old.clusters, e.clusters);
  e.endpoints = e.endpoints.map((entry, i) => {
    const was = old.endpoints[i];
    const same = was && sameContent(was.ir, entry.ir) && sameContent(was.target, entry.target);
    return same ? was : entry;
  });
  e.secrets = keepEqual(old.secrets, e.secrets);
  e.listeners = keepEqual(old.listeners, e.listeners);
  e.routes = keepEqual(old.routes, e.routes);
}

/** Removes a unit and the units built inside it from a memo (into `dropped`, when given). */
export function dropShared(memo: Map<string, unknown>, key: string, dropped?: Map<string, unknown>): void {
  const entry = memo.get(key) as Shared | undefined;
  if (!entry) return;
  memo.delete(key);
  dropped?.set(key, entry);
  for (const c of entry.children) {
    const child = memo.get(c);
    if (child === undefined) continue;
    memo.delete(c);
    dropped?.set(c, child);
  }
}

function replay(e: Effects, ctx: TranslateContext): void {
  const out = ctx.out;
  const emitted = (e.emittedClusters ??= e.clusters.map((c) => emitIfShared(c, emitCluster)));
  const slots = slotsOf(e, out.tables);
  for (let i = 0; i < e.clusters.length; i++)
    out.replayCluster(slots.clusters[i]!, e.clusters[i]!, emitted[i]);
  for (const s of e.secrets) if (!out.secrets.has(s.name)) out.secrets.set(s.name, s);
  for (const s of e.caSecrets) out.caSecrets.add(s);
  for (let i = 0; i < e.endpoints.length; i++) out.endpoints.addFirstAt(slots.endpoints[i]!, e.endpoints[i]!);
  for (const l of e.listeners) out.listeners.push(l);
  for (const r of e.routes) out.routes.push(r);
  for (const w of e.warnings) ctx.warn(w);
}

function slotsOf(e: Effects, tables: CollectorTables): NonNullable<Effects['slots']> {
  if (e.slots?.tables === tables) return e.slots;
  return (e.slots = {
    tables,
    clusters: e.clusters.map((c) => tables.clusters.slot(c.name ?? '')),
    endpoints: e.endpoints.map((entry) => tables.assignments.slot(entry.target.clusterName)),
  });
}
