/**
 * App Mesh's service quotas checked on Create/Update, from the catalog's counts: the
 * request that would go past a limit is refused with LimitExceededException, as App
 * Mesh does (appmesh.md §5), whatever else is wrong with the mesh.
 */
import { DEFAULT_QUOTAS, type Quotas } from '../mesh/index.js';
import type { Catalog } from './catalog.js';
import { limitExceeded } from './errors.js';

export type QuotaName = keyof Quotas;

const TITLES: Readonly<Record<QuotaName, [string, string]>> = {
  meshes: ['Meshes per account', 'L-AC861A39'],
  virtualNodesPerMesh: ['Virtual nodes per mesh', 'L-E043DFB4'],
  virtualRoutersPerMesh: ['Virtual routers per mesh', 'L-50F6C35A'],
  virtualServicesPerMesh: ['Virtual services per mesh', 'L-DA7495A7'],
  virtualGatewaysPerMesh: ['Virtual gateways per mesh', 'L-87E74146'],
  routesPerVirtualRouter: ['Routes per virtual router', 'L-BB90B7FF'],
  gatewayRoutesPerVirtualGateway: ['Gateway routes per virtual gateway', 'L-F6F26D09'],
  backendsPerVirtualNode: ['Backends per virtual node', 'L-8775AB18'],
  weightedTargetsPerRoute: ['Weighted targets per route', 'L-AE1D9567'],
  listenersPerVirtualNode: ['Listeners per virtual node', 'an Amime limit'],
  listenersPerVirtualRouter: ['Listeners per virtual router', 'an Amime limit'],
  listenersPerVirtualGateway: ['Listeners per virtual gateway', 'an Amime limit'],
};

export function resolveQuotas(overrides: Partial<Quotas> = {}): Quotas {
  return { ...DEFAULT_QUOTAS, ...overrides };
}

/** Throws LimitExceededException when `count` (after the change) is over the quota. */
export function enforce(quotas: Quotas, name: QuotaName, count: number, scope: string): void {
  const limit = quotas[name];
  if (count <= limit) return;
  const [title, code] = TITLES[name];
  throw limitExceeded(`${scope} would have ${count}; the limit "${title}" (${code}) is ${limit}.`);
}

const PER_MESH: Partial<Record<string, QuotaName>> = {
  VirtualNode: 'virtualNodesPerMesh',
  VirtualService: 'virtualServicesPerMesh',
  VirtualRouter: 'virtualRoutersPerMesh',
  VirtualGateway: 'virtualGatewaysPerMesh',
};

/** Count quotas for creating one more resource of `kind`. */
export function enforceCreate(
  quotas: Quotas,
  catalog: Catalog,
  kind: string,
  mesh: string,
  gateway?: string,
): void {
  if (kind === 'Mesh') return enforce(quotas, 'meshes', catalog.count('Mesh') + 1, 'This account');
  if (kind === 'GatewayRoute' && gateway !== undefined) {
    return enforce(
      quotas,
      'gatewayRoutesPerVirtualGateway',
      catalog.count('GatewayRoute', mesh, gateway) + 1,
      `Virtual gateway ${gateway}`,
    );
  }
  const name = PER_MESH[kind];
  if (
    name === 'virtualNodesPerMesh' ||
    name === 'virtualServicesPerMesh' ||
    name === 'virtualRoutersPerMesh' ||
    name === 'virtualGatewaysPerMesh'
  ) {
    enforce(quotas, name, catalog.count(kind as 'VirtualNode', mesh) + 1, `Mesh ${mesh}`);
  }
}

/** Quotas on the content of a spec (backends, weighted targets), on create and update. */
export function enforceSpec(quotas: Quotas, kind: string, name: string, spec: Record<string, unknown>): void {
  if (kind === 'VirtualNode') {
    const backends = (spec.backends as unknown[] | undefined)?.length ?? 0;
    enforce(quotas, 'backendsPerVirtualNode', backends, `Virtual node ${name}`);
  }
  if (kind === 'Route') {
    for (const type of ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute']) {
      const targets =
        (spec[type] as { action?: { weightedTargets?: unknown[] } } | undefined)?.action?.weightedTargets
          ?.length ?? 0;
      enforce(quotas, 'weightedTargetsPerRoute', targets, `Route ${name}`);
    }
  }
}
