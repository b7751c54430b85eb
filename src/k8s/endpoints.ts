/**
 * Endpoints of virtual nodes from the cluster: the Pods a VirtualNode's podSelector
 * selects in its namespace. Where an EndpointSlice lists the pod, its conditions
 * decide (ready → HEALTHY, terminating but serving → DRAINING, otherwise left out)
 * and its zone becomes the locality; a pod no Service selects counts when its Ready
 * condition is True. Nodes without a podSelector are unknown here (undefined), so
 * translation falls back to their DNS or Cloud Map discovery.
 *
 * A node with a podSelector is known even when no pod is ready or none matches at all
 * (an empty list): its pods are authoritative, so translation serves it as EDS, and no
 * ready pod means no endpoint (503, as App Mesh with no healthy upstream) rather than a
 * DNS name that would reach the same missing pods. Translation re-translates when a
 * node flips between known and unknown (its clusters change type).
 */
import { type Endpoint, type EndpointSource, type VirtualNodeRef, endpointKey } from '../envoy/index.js';
import { type MeshGraph, selectorMatches, selectorProblems } from '../mesh/index.js';
import { canonicalJson } from './canonical-json.js';
import type { ClusterCache } from './cluster-cache.js';
import type { EndpointSlice, Pod } from './objects.js';

interface NodeEndpoints {
  ref: VirtualNodeRef;
  endpoints: Endpoint[];
  fingerprint: string;
}

export type EndpointsListener = (changed: ReadonlyArray<VirtualNodeRef>) => void;

function podReady(p: Pod): boolean {
  return (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function podAddresses(p: Pod): string[] {
  const ips = (p.status?.podIPs ?? []).map((x) => x.ip).filter((ip) => !!ip);
  if (ips.length === 0 && p.status?.podIP) ips.push(p.status.podIP);
  return ips;
}

/** Endpoints of each pod (namespace/name) as EndpointSlices describe them. */
function sliceIndex(slices: ReadonlyArray<EndpointSlice>): Map<string, Endpoint[]> {
  const out = new Map<string, Endpoint[]>();
  for (const s of slices) {
    for (const ep of s.endpoints ?? []) {
      if (ep.targetRef?.kind !== 'Pod' || !ep.targetRef.name) continue;
      const key = `${ep.targetRef.namespace ?? s.metadata.namespace ?? ''}/${ep.targetRef.name}`;
      const c = ep.conditions ?? {};
      const health = c.ready !== false ? 'HEALTHY' : c.terminating && c.serving ? 'DRAINING' : undefined;
      const list = out.get(key) ?? [];
      // A pod seen as not serving in one slice still appears in the index, so it is not taken from its status instead.
      for (const address of ep.addresses ?? [])
        if (health) list.push({ address, health, ...(ep.zone ? { zone: ep.zone } : {}) });
      out.set(key, list);
    }
  }
  return out;
}

/** Pure: every podSelector-bearing virtual node of the graph → its endpoints. */
export function computeEndpoints(
  graph: MeshGraph,
  pods: ReadonlyArray<Pod>,
  slices: ReadonlyArray<EndpointSlice>,
): Map<string, NodeEndpoints> {
  const bySlice = sliceIndex(slices);
  const podsByNs = new Map<string, Pod[]>();
  for (const p of pods) {
    if (p.metadata.deletionTimestamp && !bySlice.has(`${p.metadata.namespace}/${p.metadata.name}`)) continue;
    const ns = p.metadata.namespace ?? '';
    const list = podsByNs.get(ns) ?? [];
    list.push(p);
    podsByNs.set(ns, list);
  }
  const out = new Map<string, NodeEndpoints>();
  for (const view of graph.meshes.values()) {
    for (const node of view.virtualNodes.values()) {
      const selector = node.resource.spec.podSelector;
      const ns = node.resource.metadata.namespace;
      if (!selector || !ns || selectorProblems(selector).length > 0) continue;
      const seen = new Set<string>();
      const endpoints: Endpoint[] = [];
      for (const p of podsByNs.get(ns) ?? []) {
        if (!selectorMatches(selector, p.metadata.labels ?? {}, 'none')) continue;
        const fromSlices = bySlice.get(`${ns}/${p.metadata.name}`);
        const eps =
          fromSlices ??
          (podReady(p) && !p.metadata.deletionTimestamp
            ? podAddresses(p).map((address): Endpoint => ({ address, health: 'HEALTHY' }))
            : []);
        for (const ep of eps) {
          if (seen.has(ep.address)) continue;
          seen.add(ep.address);
          endpoints.push(ep);
        }
      }
      endpoints.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
      const ref = { mesh: node.mesh, virtualNode: node.awsName };
      out.set(endpointKey(ref), { ref, endpoints, fingerprint: canonicalJson(endpoints) });
    }
  }
  return out;
}

/** An EndpointSource kept current from the cluster cache and the controller's graphs. */
export class KubernetesEndpoints implements EndpointSource {
  private graph?: MeshGraph;
  private table = new Map<string, NodeEndpoints>();
  private readonly listeners = new Set<EndpointsListener>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly cache: ClusterCache,
    /** Coalesces bursts of pod and slice events; default 5 ms. */
    private readonly debounceMs = 5,
  ) {
    cache.onChange((c) => {
      if (c.pods || c.endpointSlices) this.schedule();
    });
  }

  endpoints(node: VirtualNodeRef): ReadonlyArray<Endpoint> | undefined {
    return this.table.get(endpointKey(node))?.endpoints;
  }

  /** Hears which nodes' endpoints changed (the translator's endpoint fast path). */
  onChange(listener: EndpointsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A new graph (nodes, selectors, membership may have changed). */
  setGraph(graph: MeshGraph): void {
    this.graph = graph;
    this.recompute();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.recompute();
    }, this.debounceMs);
  }

  private recompute(): void {
    // Without a pod informer the cluster says nothing about anyone: every node stays unknown.
    if (!this.graph || !this.cache.pods) return;
    const next = computeEndpoints(
      this.graph,
      this.cache.pods.list(),
      this.cache.endpointSlices?.list() ?? [],
    );
    const changed: VirtualNodeRef[] = [];
    for (const [k, v] of next) if (this.table.get(k)?.fingerprint !== v.fingerprint) changed.push(v.ref);
    for (const [k, v] of this.table) if (!next.has(k)) changed.push(v.ref);
    this.table = next;
    if (changed.length > 0) for (const l of [...this.listeners]) l(changed);
  }
}
