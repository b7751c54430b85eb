/**
 * Incremental translation. A `Translator` keeps every group's last translation and
 * the graph entries it read; on a new graph it re-translates only the groups that
 * read something that changed (and new groups), and keeps the others' objects as they
 * were, so their encoded bytes are reused too. Endpoint changes take a separate fast
 * path that rebuilds only ClusterLoadAssignments (control-plane-lessons rule 11).
 */
import type { MeshGraph } from '../mesh/graph.js';
import type { EdsTarget } from './context.js';
import type { EndpointSource, VirtualNodeRef } from './endpoints.js';
import type { TranslateOptions } from './options.js';
import { changedKeys, fingerprints, optionsKey, scopedKey, type Fingerprints } from './fingerprint.js';
import { proxyGroups, type ProxyGroup } from './groups.js';
import { depKey } from './lookup.js';
import { assignmentFor } from './cluster.js';
import { translateGroupDetailed, type EnvoyResources, type GroupTranslation } from './translate.js';

export interface TranslatorResult {
  /** Every current group's resources, by group key. */
  groups: ReadonlyMap<string, EnvoyResources>;
  /** Keys of groups translated (or whose endpoints were rebuilt) by this call, sorted. */
  changed: string[];
  /** Keys of groups that no longer exist, sorted. */
  removed: string[];
}

interface Entry {
  group: ProxyGroup;
  translation: GroupTranslation;
  /** Dependency keys with the mesh in front. */
  deps: string[];
}

export class Translator {
  private entries = new Map<string, Entry>();
  /** Scoped dependency key → keys of the groups that read it. */
  private readers = new Map<string, Set<string>>();
  private prints: Fingerprints = new Map();
  private graphOptions = '';
  private endpoints: EndpointSource | undefined;
  private graph: MeshGraph | undefined;

  constructor(private readonly options: TranslateOptions = {}) {}

  /** Translates what `graph` changed since the last call (everything, the first time). */
  update(graph: MeshGraph, endpoints: EndpointSource): TranslatorResult {
    const prints = fingerprints(graph);
    const everything = this.endpoints !== endpoints || this.graphOptions !== optionsKey(graph);
    const changed = everything ? undefined : changedKeys(this.prints, prints);
    const groups = proxyGroups(graph);
    const current = new Set(groups.map((g) => g.key));
    const dirty = new Set<string>();
    for (const g of groups) if (!this.entries.has(g.key) || everything) dirty.add(g.key);
    if (changed) for (const k of changed) for (const key of this.readers.get(k) ?? []) if (current.has(key)) dirty.add(key);

    const removed = [...this.entries.keys()].filter((k) => !current.has(k)).sort();
    for (const k of removed) this.forget(k);
    const memo = new Map<string, unknown>();
    for (const g of groups) {
      if (!dirty.has(g.key)) continue;
      this.forget(g.key);
      const translation = translateGroupDetailed(graph, g, endpoints, this.options, memo);
      const deps = [...translation.deps].map((d) => scopedKey(g.mesh, d));
      this.entries.set(g.key, { group: g, translation, deps });
      for (const d of deps) {
        let set = this.readers.get(d);
        if (!set) this.readers.set(d, (set = new Set()));
        set.add(g.key);
      }
    }
    this.prints = prints;
    this.graphOptions = optionsKey(graph);
    this.endpoints = endpoints;
    this.graph = graph;
    return { groups: this.snapshot(), changed: [...dirty].sort(), removed };
  }

  /**
   * The endpoint fast path: the endpoints (or resolved DNS answers) of `nodes` changed
   * in `endpoints`; rebuild only the ClusterLoadAssignments that come from them.
   */
  updateEndpoints(endpoints: EndpointSource, nodes: Iterable<VirtualNodeRef>): TranslatorResult {
    this.endpoints = endpoints;
    const affected = new Set<string>();
    for (const n of nodes) for (const key of this.readers.get(scopedKey(n.mesh, depKey.endpoints(n.virtualNode))) ?? []) affected.add(key);
    const built = new Map<string, EnvoyResources['endpoints'][number]>();
    for (const key of affected) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      const mesh = entry.group.mesh;
      const old = entry.translation.resources;
      const fresh = new Map(old.endpoints.map((cla) => [cla.cluster_name ?? '', cla]));
      for (const t of entry.translation.eds) fresh.set(t.clusterName, this.assignment(built, mesh, t, endpoints));
      const resources: EnvoyResources = { ...old, endpoints: [...fresh.values()].sort((a, b) => ((a.cluster_name ?? '') < (b.cluster_name ?? '') ? -1 : 1)) };
      entry.translation = { ...entry.translation, resources };
    }
    return { groups: this.snapshot(), changed: [...affected].sort(), removed: [] };
  }

  /** The last translation of a group (warnings, dependencies, EDS targets included). */
  translation(key: string): GroupTranslation | undefined {
    return this.entries.get(key)?.translation;
  }

  /** The graph of the last update. */
  get lastGraph(): MeshGraph | undefined {
    return this.graph;
  }

  private assignment(built: Map<string, EnvoyResources['endpoints'][number]>, mesh: string, t: EdsTarget, endpoints: EndpointSource) {
    const k = `${mesh}|${t.clusterName}|${t.hostname ?? ''}`;
    let cla = built.get(k);
    if (!cla) built.set(k, (cla = assignmentFor({ mesh, endpoints }, t.clusterName, t.virtualNode, t.port, t.hostname)));
    return cla;
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    for (const d of entry.deps) this.readers.get(d)?.delete(key);
    this.entries.delete(key);
  }

  private snapshot(): Map<string, EnvoyResources> {
    const out = new Map<string, EnvoyResources>();
    for (const [k, e] of this.entries) out.set(k, e.translation.resources);
    return out;
  }
}
