/**
 * What changed between two mesh graphs, as dependency keys (lookup.ts `depKey`, with
 * the mesh in front). Each graph entry is summarised by a fingerprint: the identity of
 * its input resource object (stores and loaders replace an object when it changes)
 * plus the derived facts translation reads that can change without it (activity,
 * resolved backends, hostnames, route targets). Comparing fingerprints is a few
 * pointer comparisons per entry.
 */
import type { MeshGraph, MeshView } from '../mesh/graph.js';
import { depKey } from './lookup.js';

export type Fingerprint = ReadonlyArray<unknown>;
export type Fingerprints = Map<string, Fingerprint>;

export function scopedKey(mesh: string, key: string): string {
  return `${mesh}|${key}`;
}

function add(out: Fingerprints, mesh: string, key: string, fp: unknown[]): void {
  out.set(scopedKey(mesh, key), fp);
}

function viewFingerprints(mesh: string, view: MeshView, out: Fingerprints): void {
  add(out, mesh, depKey.mesh(), [view.mesh.resource, view.mesh.inactive?.reason, view.mesh.egressFilter]);
  for (const [name, n] of view.virtualNodes) {
    const fp: unknown[] = [n.resource, n.inactive?.reason];
    for (const b of n.backends) fp.push(b.serviceName, b.clientPolicy, b.service?.awsName);
    add(out, mesh, depKey.node(name), fp);
  }
  for (const [name, s] of view.virtualServices) {
    const p = s.provider;
    const providerName = p ? (p.kind === 'virtualNode' ? p.node.awsName : p.router.awsName) : undefined;
    add(out, mesh, depKey.service(name), [s.resource, s.inactive?.reason, p?.kind, providerName, ...s.hostnames]);
  }
  for (const [name, r] of view.virtualRouters) {
    const fp: unknown[] = [r.resource, r.inactive?.reason];
    for (const route of r.routes) {
      fp.push(route.name, route.index, route.priority, route.protocol, route.spec);
      for (const t of route.targets) fp.push(t.node.awsName, t.weight, t.port);
    }
    add(out, mesh, depKey.router(name), fp);
  }
  for (const [name, g] of view.virtualGateways) {
    const fp: unknown[] = [g.resource, g.inactive?.reason];
    for (const gr of g.routes) fp.push(gr.resource, gr.inactive?.reason, gr.protocol, gr.target.service.awsName, gr.target.port);
    add(out, mesh, depKey.gateway(name), fp);
  }
}

export function fingerprints(graph: MeshGraph): Fingerprints {
  const out: Fingerprints = new Map();
  for (const [mesh, view] of graph.meshes) viewFingerprints(mesh, view, out);
  return out;
}

function same(a: Fingerprint | undefined, b: Fingerprint | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Keys added, removed or changed between two fingerprint sets. */
export function changedKeys(before: Fingerprints, after: Fingerprints): Set<string> {
  const out = new Set<string>();
  for (const [k, fp] of after) if (!same(before.get(k), fp)) out.add(k);
  for (const k of before.keys()) if (!after.has(k)) out.add(k);
  return out;
}

/** The graph options translation reads, as one comparable string. */
export function optionsKey(graph: MeshGraph): string {
  return `${graph.options.clusterDomain}|${graph.options.enableBackendGroups}`;
}
