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
function sameList<T>(a: readonly T[], b: readonly T[], same: Same<T>): boolean {
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

function diff<T>(
  mesh: string,
  before: ReadonlyMap<string, T> | undefined,
  after: ReadonlyMap<string, T> | undefined,
  key: (n: string) => string,
  same: Same<T>,
  out: Array<[string, string]>,
): void {
  if (before === after) return;
  for (const [name, b] of after ?? []) {
    const a = before?.get(name);
    // The pipeline's spliced graph keeps every object the change did not reach (src/mesh/splice.ts).
    if (a === b) continue;
    if (a === undefined || !same(a, b)) out.push([mesh, key(name)]);
  }
  for (const name of before?.keys() ?? []) if (!after?.has(name)) out.push([mesh, key(name)]);
}

function sameNames(
  a: ReadonlyMap<string, unknown> | undefined,
  b: ReadonlyMap<string, unknown> | undefined,
): boolean {
  if (!a || !b || a.size !== b.size) return false;
  for (const k of b.keys()) if (!a.has(k)) return false;
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
  // When the same entries exist before and after, what references resolve to cannot have
  // changed, so services and routers need only their own input and activity compared.
  // Node backends (BackendGroups) and gateway routes (selectors) are always compared.
  const stable =
    sameNames(a?.virtualNodes, b?.virtualNodes) &&
    sameNames(a?.virtualServices, b?.virtualServices) &&
    sameNames(a?.virtualRouters, b?.virtualRouters) &&
    sameNames(a?.virtualGateways, b?.virtualGateways);
  const before = out.length;
  diff(mesh, a?.virtualNodes, b?.virtualNodes, depKey.node, sameNode, out);
  diff(mesh, a?.virtualGateways, b?.virtualGateways, depKey.gateway, sameGateway, out);
  // Every node and gateway the same input object: the same namespaces, without walking them all.
  const membersChanged = out.length > before;
  diff(mesh, a?.virtualServices, b?.virtualServices, depKey.service, stable ? sameInput : sameService, out);
  diff(mesh, a?.virtualRouters, b?.virtualRouters, depKey.router, stable ? sameInput : sameRouter, out);
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
