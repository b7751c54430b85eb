/**
 * What changed between two mesh graphs, as dependency keys (lookup.ts `depKey`) per
 * mesh. Entries are compared on the identity of their input resource object (stores and
 * loaders replace an object when it changes) plus the derived facts translation reads
 * that can change without it: activity, resolved backends, hostnames, providers, route
 * targets, attached gateway routes. A few pointer comparisons per entry, no allocation.
 */
import type {
  MeshGraph,
  MeshView,
  ResolvedVirtualGateway,
  ResolvedVirtualNode,
  ResolvedVirtualRouter,
  ResolvedVirtualService,
} from '../mesh/index.js';
import { depKey } from './lookup.js';

type Same<T> = (a: T, b: T) => boolean;

/** Same length, and each item the same as the other list's at its index. */
export function sameList<T>(a: readonly T[], b: readonly T[], same: Same<T>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i] as T, b[i] as T)) return false;
  return true;
}

/** Same resource object, same activity: enough when no entry was added or removed anywhere. */
const sameInput: Same<{ resource: object; inactive?: { reason: string } | undefined }> = (a, b) =>
  a.resource === b.resource && a.inactive?.reason === b.inactive?.reason;

// Whether the service exists is its own key (groups read it directly), so names suffice here.
const sameBackend: Same<ResolvedVirtualNode['backends'][number]> = (x, y) =>
  x.serviceName === y.serviceName && x.clientPolicy === y.clientPolicy;

const sameNode: Same<ResolvedVirtualNode> = (a, b) =>
  sameInput(a, b) && sameList(a.backends, b.backends, sameBackend);

const providerName = (s: ResolvedVirtualService): string | undefined =>
  s.provider
    ? s.provider.kind === 'virtualNode'
      ? s.provider.node.awsName
      : s.provider.router.awsName
    : undefined;

const sameString: Same<string> = (x, y) => x === y;

const sameService: Same<ResolvedVirtualService> = (a, b) =>
  sameInput(a, b) &&
  a.provider?.kind === b.provider?.kind &&
  providerName(a) === providerName(b) &&
  sameList(a.hostnames, b.hostnames, sameString);

type RouterRoute = ResolvedVirtualRouter['routes'][number];

const sameTarget: Same<RouterRoute['targets'][number]> = (t, u) =>
  t.node.awsName === u.node.awsName && t.weight === u.weight && t.port === u.port;

const sameRoute: Same<RouterRoute> = (x, y) =>
  x.spec === y.spec &&
  x.index === y.index &&
  x.priority === y.priority &&
  x.protocol === y.protocol &&
  sameList(x.targets, y.targets, sameTarget);

const sameRouter: Same<ResolvedVirtualRouter> = (a, b) =>
  sameInput(a, b) && sameList(a.routes, b.routes, sameRoute);

const sameGatewayRoute: Same<ResolvedVirtualGateway['routes'][number]> = (x, y) =>
  sameInput(x, y) &&
  x.protocol === y.protocol &&
  x.target.service.awsName === y.target.service.awsName &&
  x.target.port === y.target.port;

const sameGateway: Same<ResolvedVirtualGateway> = (a, b) =>
  sameInput(a, b) && sameList(a.routes, b.routes, sameGatewayRoute);

/**
 * Adds the keys of one kind's entries added, removed or changed; returns whether both
 * maps hold the same names.
 */
function diff<T extends { resource: object }>(
  mesh: string,
  before: ReadonlyMap<string, T> | undefined,
  after: ReadonlyMap<string, T> | undefined,
  key: (n: string) => string,
  same: Same<T>,
  out: Array<[string, string]>,
): boolean {
  if (before === after) return true;
  if (before && after && before.size === after.size && diffAligned(mesh, before, after, key, same, out))
    return true;
  let sameNames = before !== undefined && after !== undefined && before.size === after.size;
  for (const [name, b] of after ?? []) {
    const a = before?.get(name);
    // The pipeline's spliced graph keeps every object the change did not reach (src/mesh/splice.ts).
    if (a === b) continue;
    if (a === undefined) sameNames = false;
    if (a === undefined || !same(a, b)) out.push([mesh, key(name)]);
  }
  // As many names, all of them found before: none removed.
  if (!sameNames) for (const name of before?.keys() ?? []) if (!after?.has(name)) out.push([mesh, key(name)]);
  return sameNames;
}

/**
 * `diff` walking both maps side by side, as two builds from inputs in the same order list
 * them: an entry of the same input object has the same name (its awsName), so names are
 * compared only where the input object changed, and nothing is looked up by name (at 10×
 * App Mesh's quotas the lookups were most of a graph built afresh's diff). False, with
 * nothing added to `out`, when the names do not pair up so.
 */
function diffAligned<T extends { resource: object }>(
  mesh: string,
  before: ReadonlyMap<string, T>,
  after: ReadonlyMap<string, T>,
  key: (n: string) => string,
  same: Same<T>,
  out: Array<[string, string]>,
): boolean {
  const start = out.length;
  const olds = before.entries();
  for (const [name, b] of after) {
    const [oldName, a] = olds.next().value as [string, T];
    if (a === b) continue;
    if (a.resource !== b.resource && oldName !== name) {
      out.length = start;
      return false;
    }
    if (!same(a, b)) out.push([mesh, key(name)]);
  }
  return true;
}

function diffView(
  mesh: string,
  a: MeshView | undefined,
  b: MeshView | undefined,
  out: Array<[string, string]>,
): void {
  const ma = a?.mesh;
  const mb = b?.mesh;
  if (
    !ma ||
    !mb ||
    ma.resource !== mb.resource ||
    ma.inactive?.reason !== mb.inactive?.reason ||
    ma.egressFilter !== mb.egressFilter
  )
    out.push([mesh, depKey.mesh()]);
  const start = out.length;
  // Node backends (BackendGroups) and gateway routes (selectors) are always compared in full.
  const nodesNamed = diff(mesh, a?.virtualNodes, b?.virtualNodes, depKey.node, sameNode, out);
  const gatewaysNamed = diff(mesh, a?.virtualGateways, b?.virtualGateways, depKey.gateway, sameGateway, out);
  // Every node and gateway the same input object: the same namespaces, without walking them all.
  const membersChanged = out.length > start;
  // When the same entries exist before and after, what references resolve to cannot have
  // changed, so services and routers need only their own input and activity compared;
  // otherwise they are compared again in full.
  const mark = out.length;
  const servicesNamed = diff(mesh, a?.virtualServices, b?.virtualServices, depKey.service, sameInput, out);
  const routersNamed = diff(mesh, a?.virtualRouters, b?.virtualRouters, depKey.router, sameInput, out);
  if (!(nodesNamed && gatewaysNamed && servicesNamed && routersNamed && a && b)) {
    out.length = mark;
    diff(mesh, a?.virtualServices, b?.virtualServices, depKey.service, sameService, out);
    diff(mesh, a?.virtualRouters, b?.virtualRouters, depKey.router, sameRouter, out);
  }
  if (membersChanged && !sameSet(memberNamespaces(a), memberNamespaces(b)))
    out.push([mesh, depKey.meshNamespaces()]);
}

function memberNamespaces(v: MeshView | undefined): Set<string> {
  const out = new Set<string>();
  for (const m of [v?.virtualNodes, v?.virtualGateways])
    for (const e of m?.values() ?? []) if (e.id.namespace) out.add(e.id.namespace);
  return out;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** Keys added, removed or changed between two graphs, as [mesh, key]. */
export function changedKeys(before: MeshGraph | undefined, after: MeshGraph): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const meshes = new Set([...(before?.meshes.keys() ?? []), ...after.meshes.keys()]);
  for (const mesh of meshes) diffView(mesh, before?.meshes.get(mesh), after.meshes.get(mesh), out);
  return out;
}

/** The graph options translation reads, as one comparable string. */
export function optionsKey(graph: MeshGraph): string {
  return `${graph.options.clusterDomain}|${graph.options.enableBackendGroups}`;
}
