/**
 * `buildMeshGraph`: resources in, the immutable resolved graph out (graph.ts).
 * Pure, synchronous and deterministic; it never throws — every problem, even an
 * internal one, becomes a diagnostic. The rules live one concern per file; this
 * file only runs them in App Mesh's order and assembles the result.
 */
import type {
  Diagnostic,
  GatewayRoute,
  Mesh,
  VirtualGateway,
  VirtualNode,
  VirtualRouter,
  VirtualService,
  Route,
} from '../model/index.js';
import { settleActivity } from './activity.js';
import { checkAwsNameLength, checkAwsNameUniqueness } from './aws-names.js';
import { BuildContext, type ResourceEntry } from './context.js';
import { indexInput } from './entries.js';
import {
  DEFAULT_QUOTAS,
  type GraphInput,
  type GraphOptions,
  type MeshGraph,
  type MeshView,
  type Quotas,
  type ResolvedBackend,
  type ResolvedGatewayRoute,
  type ResolvedMesh,
  type ResolvedRoute,
  type ResolvedVirtualGateway,
  type ResolvedVirtualNode,
  type ResolvedVirtualRouter,
  type ResolvedVirtualService,
  type UnplacedResource,
} from './graph.js';
import { assignMeshes } from './membership.js';
import { checkPods } from './pods.js';
import { checkQuotas, QUOTA_NAMES } from './quotas.js';
import {
  attachGatewayRoute,
  checkGatewayRoute,
  checkGatewayRouteNames,
  gatewayRouteTypeOf,
  GATEWAY_PROTOCOL_OF,
  resolveGatewayRouteTarget,
} from './rules-gateway-route.js';
import { checkVirtualGateway } from './rules-virtual-gateway.js';
import { checkVirtualNode, resolveVirtualNodeBackends } from './rules-virtual-node.js';
import { checkVirtualRouter, PROTOCOL_OF, resolveRouteTargets, routeTypeOf } from './rules-virtual-router.js';
import { assignHostnames, resolveVirtualServiceProvider } from './rules-virtual-service.js';
import { checkShortNames } from './short-names.js';
import { checkSelectors, hasBrokenSelector } from './rules-selectors.js';
import { sortDiagnostics } from './sort.js';

export function buildMeshGraph(input: GraphInput, options: GraphOptions = {}): MeshGraph {
  const quotas = quotasFrom(options.quotas);
  const clusterDomain =
    typeof options.clusterDomain === 'string' && options.clusterDomain !== ''
      ? options.clusterDomain
      : 'cluster.local';
  const enableBackendGroups = options.enableBackendGroups ?? true;
  const ctx = new BuildContext(quotas, clusterDomain, enableBackendGroups, options.refsFromFiles === true);
  const graphOptions = { clusterDomain, enableBackendGroups, quotas };
  try {
    runRules(ctx, input ?? { resources: [] });
    const { meshes, unplaced } = assemble(ctx);
    return {
      meshes,
      unplaced,
      diagnostics: sortDiagnostics(ctx.diagnostics),
      counts: {
        meshes: ctx.entries.filter((e) => e.kind === 'Mesh').length,
        resources: ctx.entries.filter((e) => e.kind !== 'Mesh').length,
      },
      options: graphOptions,
    };
  } catch (error) {
    const internal: Diagnostic = {
      severity: 'error',
      code: 'internal.error',
      path: '',
      message: `internal error while building the mesh graph (please report it): ${error instanceof Error ? error.message : String(error)}`,
    };
    return {
      meshes: new Map(),
      unplaced: [],
      diagnostics: [...sortDiagnostics(ctx.diagnostics), internal],
      counts: { meshes: 0, resources: 0 },
      options: graphOptions,
    };
  }
}

function quotasFrom(overrides: Partial<Quotas> | undefined): Quotas {
  const q: Quotas = { ...DEFAULT_QUOTAS };
  for (const name of QUOTA_NAMES) {
    const v = overrides?.[name];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) q[name] = Math.floor(v);
  }
  return q;
}

/** Runs `fn` per entry; an unexpected exception becomes that resource's diagnostic instead of ending the run. */
function each(ctx: BuildContext, entries: ResourceEntry[], fn: (e: ResourceEntry) => void): void {
  for (const e of entries) {
    try {
      fn(e);
    } catch (error) {
      ctx.error(
        e,
        ['spec'],
        'internal.error',
        `internal error while checking this resource (please report it): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

function runRules(ctx: BuildContext, input: GraphInput): void {
  indexInput(ctx, input);
  const of = (kind: ResourceEntry['kind']) => ctx.ofKind(kind);
  // Rules about one resource (and its references) also check what remains of those with schema errors.
  const checked = (kind: ResourceEntry['kind']) => ctx.checkedOfKind(kind);
  each(ctx, [...ctx.entries, ...ctx.probes], (e) => checkSelectors(ctx, e));
  checkAwsNameLength(ctx);
  assignMeshes(ctx);
  checkAwsNameUniqueness(ctx);

  each(ctx, checked('VirtualNode'), (e) => checkVirtualNode(ctx, e));
  each(ctx, checked('VirtualRouter'), (e) => checkVirtualRouter(ctx, e));
  each(ctx, checked('VirtualGateway'), (e) => checkVirtualGateway(ctx, e));
  const routes = of('GatewayRoute');
  each(ctx, checked('GatewayRoute'), (e) => checkGatewayRoute(ctx, e));

  const groupCache = new Map<ResourceEntry, ResourceEntry[]>();
  each(ctx, checked('VirtualNode'), (e) => resolveVirtualNodeBackends(ctx, e, groupCache));
  each(ctx, checked('VirtualRouter'), (e) => resolveRouteTargets(ctx, e));
  each(ctx, checked('VirtualService'), (e) => resolveVirtualServiceProvider(ctx, e));
  const gateways = of('VirtualGateway');
  const brokenGateway =
    gateways.some((g) => hasBrokenSelector(g)) ||
    [...ctx.invalidInputs.values()].some((i) => i.id.kind === 'VirtualGateway');
  each(ctx, checked('GatewayRoute'), (e) => attachGatewayRoute(ctx, e, gateways, brokenGateway));
  each(ctx, checked('GatewayRoute'), (e) => resolveGatewayRouteTarget(ctx, e));
  checkGatewayRouteNames(ctx, routes);
  assignHostnames(ctx, of('VirtualService'));
  checkShortNames(ctx, of('VirtualService'));

  checkPods(ctx, Array.isArray(input.pods) ? input.pods : []);
  checkQuotas(ctx);
  settleActivity(ctx);
}

type MutableNode = ResolvedVirtualNode & { backends: ResolvedBackend[] };
type MutableGateway = ResolvedVirtualGateway & { routes: ResolvedGatewayRoute[] };

interface Placed {
  view: MeshView & {
    virtualNodes: Map<string, MutableNode>;
    virtualServices: Map<string, ResolvedVirtualService>;
    virtualRouters: Map<string, ResolvedVirtualRouter>;
    virtualGateways: Map<string, MutableGateway>;
  };
  meshEntry: ResourceEntry;
}

function base(e: ResourceEntry) {
  return {
    awsName: e.awsName,
    mesh: e.mesh?.awsName ?? '',
    id: e.id,
    ...(e.locate ? { locate: e.locate } : {}),
    ...(e.inactive ? { inactive: e.inactive } : {}),
  };
}

function assemble(ctx: BuildContext): { meshes: Map<string, MeshView>; unplaced: UnplacedResource[] } {
  const meshes = new Map<string, MeshView>();
  const unplaced: UnplacedResource[] = [];
  const placedMesh = new Map<ResourceEntry, Placed>();
  const unplacedSet = new Set<ResourceEntry>();
  const unplace = (e: ResourceEntry): void => {
    unplacedSet.add(e);
    unplaced.push({
      resource: e.resource,
      id: e.id,
      awsName: e.awsName,
      ...(e.mesh ? { mesh: e.mesh.awsName } : {}),
      ...(e.locate ? { locate: e.locate } : {}),
      inactive: e.inactive ?? {
        reason: 'NotPlaced',
        message: 'the resource could not be placed in its mesh',
      },
    });
  };

  for (const e of ctx.entries) {
    if (e.kind !== 'Mesh') continue;
    if (meshes.has(e.awsName)) {
      unplace(e);
      continue;
    }
    const resolved: ResolvedMesh = {
      ...base(e),
      mesh: e.awsName,
      resource: e.resource as Mesh,
      egressFilter: (e.resource as Mesh).spec.egressFilter?.type ?? 'DROP_ALL',
    };
    const view: Placed['view'] = {
      mesh: resolved,
      virtualNodes: new Map(),
      virtualServices: new Map(),
      virtualRouters: new Map(),
      virtualGateways: new Map(),
    };
    meshes.set(e.awsName, view);
    placedMesh.set(e, { view, meshEntry: e });
  }
  const viewOf = (e: ResourceEntry): Placed['view'] | undefined =>
    e.mesh ? placedMesh.get(e.mesh)?.view : undefined;

  const nodes = new Map<ResourceEntry, MutableNode>();
  const routers = new Map<ResourceEntry, ResolvedVirtualRouter>();
  const services = new Map<ResourceEntry, ResolvedVirtualService>();
  const gateways = new Map<ResourceEntry, MutableGateway>();

  /** Places `e` under its awsName; a second resource with the same name (already an error) stays out. */
  const place = <T>(e: ResourceEntry, map: Map<string, T> | undefined, value: () => T): T | undefined => {
    if (!map || map.has(e.awsName)) {
      unplace(e);
      return undefined;
    }
    const v = value();
    map.set(e.awsName, v);
    return v;
  };

  for (const e of ctx.entries) {
    if (e.kind !== 'VirtualNode') continue;
    const n = place(e, viewOf(e)?.virtualNodes, () => ({
      ...base(e),
      resource: e.resource as VirtualNode,
      backends: [] as ResolvedBackend[],
    }));
    if (n) nodes.set(e, n);
  }
  for (const e of ctx.entries) {
    if (e.kind !== 'VirtualRouter') continue;
    const view = viewOf(e);
    const r = place(e, view?.virtualRouters, () => ({
      ...base(e),
      resource: e.resource as VirtualRouter,
      routes: resolveRoutes(ctx, e, nodes, view!),
    }));
    if (r) routers.set(e, r);
  }
  for (const e of ctx.entries) {
    if (e.kind !== 'VirtualService') continue;
    const view = viewOf(e);
    const s = place(e, view?.virtualServices, () => {
      const providerEntry = ctx.providers.get(e);
      const node = providerEntry ? nodes.get(providerEntry) : undefined;
      const router = providerEntry ? routers.get(providerEntry) : undefined;
      const provider =
        node && sameView(view, node.mesh, meshes)
          ? { kind: 'virtualNode' as const, node }
          : router && sameView(view, router.mesh, meshes)
            ? { kind: 'virtualRouter' as const, router }
            : undefined;
      return {
        ...base(e),
        resource: e.resource as VirtualService,
        hostnames: ctx.hostnames.get(e) ?? [e.awsName],
        ...(provider ? { provider } : {}),
      };
    });
    if (s) services.set(e, s);
  }
  for (const [e, node] of nodes) {
    for (const link of ctx.backends.get(e) ?? []) {
      const service = link.entry ? services.get(link.entry) : undefined;
      node.backends.push({
        serviceName: link.serviceName,
        origin: link.origin,
        found: service !== undefined && service.mesh === node.mesh,
        ...(link.clientPolicy ? { clientPolicy: link.clientPolicy } : {}),
      });
    }
  }
  for (const e of ctx.entries) {
    if (e.kind !== 'VirtualGateway') continue;
    const g = place(e, viewOf(e)?.virtualGateways, () => ({
      ...base(e),
      resource: e.resource as VirtualGateway,
      routes: [] as ResolvedGatewayRoute[],
    }));
    if (g) gateways.set(e, g);
  }
  for (const e of ctx.entries) {
    if (e.kind !== 'GatewayRoute') continue;
    const gwEntry = ctx.gatewayOf.get(e);
    const gw = gwEntry ? gateways.get(gwEntry) : undefined;
    const target = ctx.gatewayRouteTarget.get(e);
    const service = target ? services.get(target.entry) : undefined;
    const type = gatewayRouteTypeOf(e.resource as GatewayRoute);
    if (
      !gw ||
      !service ||
      !type ||
      !e.mesh ||
      gw.mesh !== e.mesh.awsName ||
      service.mesh !== gw.mesh ||
      gw.routes.some((r) => r.awsName === e.awsName)
    ) {
      unplace(e);
      continue;
    }
    gw.routes.push({
      ...base(e),
      resource: e.resource as GatewayRoute,
      gateway: gw.awsName,
      protocol: GATEWAY_PROTOCOL_OF[type],
      target: { service, ...(target?.port !== undefined ? { port: target.port } : {}) },
    });
  }
  for (const gw of gateways.values()) {
    gw.routes.sort((a, b) => {
      const pa = a.resource.spec.priority ?? 1001;
      const pb = b.resource.spec.priority ?? 1001;
      return pa !== pb ? pa - pb : a.awsName < b.awsName ? -1 : a.awsName > b.awsName ? 1 : 0;
    });
  }
  for (const e of ctx.entries) {
    if (e.kind === 'BackendGroup') continue;
    if (e.kind === 'Mesh' || nodes.has(e) || routers.has(e) || services.has(e) || gateways.has(e)) continue;
    if (e.kind === 'GatewayRoute') continue; // placed or unplaced above
    if (!unplacedSet.has(e)) unplace(e);
  }
  const order = new Map(ctx.entries.map((e) => [e.resource, e.index]));
  unplaced.sort((a, b) => (order.get(a.resource) ?? 0) - (order.get(b.resource) ?? 0));
  return { meshes, unplaced };
}

function sameView(view: Placed['view'] | undefined, mesh: string, meshes: Map<string, MeshView>): boolean {
  return view !== undefined && meshes.get(mesh) === view;
}

function resolveRoutes(
  ctx: BuildContext,
  e: ResourceEntry,
  nodes: Map<ResourceEntry, ResolvedVirtualNode>,
  view: Placed['view'],
): ResolvedRoute[] {
  const spec = (e.resource as VirtualRouter).spec;
  const targets = ctx.routeTargets.get(e);
  const out: ResolvedRoute[] = [];
  (spec.routes ?? []).forEach((route: Route, index) => {
    const type = routeTypeOf(route);
    if (!type) return;
    const resolved = (targets?.get(index) ?? []).flatMap((t) => {
      const node = nodes.get(t.entry);
      return node && view.virtualNodes.get(node.awsName) === node
        ? [{ node, weight: t.weight, ...(t.port !== undefined ? { port: t.port } : {}) }]
        : [];
    });
    out.push({
      name: route.name,
      index,
      ...(route.priority !== undefined ? { priority: route.priority } : {}),
      protocol: PROTOCOL_OF[type],
      spec: route,
      targets: resolved,
    });
  });
  return out.sort((a, b) => {
    const pa = a.priority ?? Number.POSITIVE_INFINITY;
    const pb = b.priority ?? Number.POSITIVE_INFINITY;
    return pa !== pb ? (pa < pb ? -1 : 1) : a.index - b.index;
  });
}
