/**
 * What one group's translation carries around: the mesh it reads, the options, the
 * endpoint source, a memo shared across groups (so identical clusters, assignments and
 * listeners are one object, encoded once), the dependencies it read (for incremental
 * re-translation), and the resources it collects.
 */
import type { MeshView } from '../mesh/graph.js';
import type { EndpointSource } from './endpoints.js';
import type { TranslateOptions } from './options.js';
import type { Cluster, ClusterLoadAssignment, Listener, RouteConfiguration, Secret } from './types.js';

/** The five xDS collections of one proxy group, as plain `fromObject` objects. */
export interface EnvoyResources {
  listeners: Listener[];
  routes: RouteConfiguration[];
  clusters: Cluster[];
  endpoints: ClusterLoadAssignment[];
  secrets: Secret[];
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
}

export class Collector {
  readonly listeners: Listener[] = [];
  readonly routes: RouteConfiguration[] = [];
  readonly clusters = new Map<string, Cluster>();
  readonly endpoints = new Map<string, ClusterLoadAssignment>();
  readonly secrets = new Map<string, Secret>();
  readonly eds = new Map<string, EdsTarget>();

  /** First one wins: a cluster name always means the same target, so later copies are equal or less specific. */
  addCluster(cluster: Cluster): void {
    const name = cluster.name ?? '';
    if (!this.clusters.has(name)) this.clusters.set(name, cluster);
  }

  hasCluster(name: string): boolean {
    return this.clusters.has(name);
  }

  addSecret(secret: Secret): void {
    const name = secret.name ?? '';
    if (!this.secrets.has(name)) this.secrets.set(name, secret);
  }

  finish(): EnvoyResources {
    const byName = <T extends { name?: string }>(a: T, b: T): number => cmp(a.name ?? '', b.name ?? '');
    return {
      listeners: [...this.listeners].sort(byName),
      routes: [...this.routes].sort(byName),
      clusters: [...this.clusters.values()].sort(byName),
      endpoints: [...this.endpoints.values()].sort((a, b) => cmp(a.cluster_name ?? '', b.cluster_name ?? '')),
      secrets: [...this.secrets.values()].sort(byName),
    };
  }
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
  options: TranslateOptions;
  endpoints: EndpointSource;
  /** Objects shared across the groups of one translation run, keyed by what they depend on. */
  memo: Map<string, unknown>;
  /** Dependency keys read so far (see deps.ts). */
  deps: Set<string>;
  out: Collector;
  warn(message: string): void;
}

interface Shared {
  value: unknown;
  effects: Collector;
  deps: Set<string>;
  warnings: string[];
}

/**
 * Builds `value` once per translation run and shares it between groups. What the
 * build added to the group (clusters, assignments, secrets, dependencies, warnings) is
 * recorded and replayed into every later group that uses the shared value.
 */
export function shared<T>(ctx: TranslateContext, name: string, build: () => T): T {
  const key = `${ctx.mesh}|${ctx.flavour}|${name}`;
  const hit = ctx.memo.get(key) as Shared | undefined;
  if (hit) {
    replay(hit, ctx);
    return hit.value as T;
  }
  const saved = { out: ctx.out, deps: ctx.deps, warn: ctx.warn };
  const entry: Shared = { value: undefined, effects: new Collector(), deps: new Set(), warnings: [] };
  ctx.out = entry.effects;
  ctx.deps = entry.deps;
  ctx.warn = (m) => entry.warnings.push(m);
  try {
    entry.value = build();
  } finally {
    ctx.out = saved.out;
    ctx.deps = saved.deps;
    ctx.warn = saved.warn;
  }
  ctx.memo.set(key, entry);
  replay(entry, ctx);
  return entry.value as T;
}

function replay(entry: Shared, ctx: TranslateContext): void {
  const e = entry.effects;
  for (const c of e.clusters.values()) ctx.out.addCluster(c);
  for (const s of e.secrets.values()) ctx.out.addSecret(s);
  for (const [name, cla] of e.endpoints) if (!ctx.out.endpoints.has(name)) ctx.out.endpoints.set(name, cla);
  for (const [name, t] of e.eds) if (!ctx.out.eds.has(name)) ctx.out.eds.set(name, t);
  for (const l of e.listeners) ctx.out.listeners.push(l);
  for (const r of e.routes) ctx.out.routes.push(r);
  for (const d of entry.deps) ctx.deps.add(d);
  for (const w of entry.warnings) ctx.warn(w);
}
