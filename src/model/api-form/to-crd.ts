/**
 * App Mesh REST API form → CRD form (`appmesh.k8s.aws/v1beta2`), the form the store
 * keeps and the mesh graph reads.
 *
 * - `metadata.name` = the API name, no namespace; `spec.awsName` = the API name;
 *   `spec.meshRef` = the mesh (GatewayRoutes also get `spec.virtualGatewayRef`).
 * - Name references become `*ARN` fields (`arnOf(resourcePath(...))`), which resolve by
 *   awsName inside the mesh whatever form the target was created in.
 * - A Route becomes an entry of its VirtualRouter's `spec.routes` (`routeToCrd`).
 * - `*Arn` keys become `*ARN`; API-only values go to the API-only annotation.
 */
import { API_VERSION } from '../kinds.js';
import type {
  GatewayRoute,
  Mesh,
  VirtualGateway,
  VirtualNode,
  VirtualRouter,
  VirtualService,
} from '../resources.js';
import { arnOf, resourcePath, type ArnContext, DEFAULT_ARN_CONTEXT } from '../names.js';
import type { MeshReference } from '../schema/common.js';
import type { Route } from '../schema/virtual-router.js';
import { withApiOnlyFields, type ApiOnlyFields } from './api-only.js';
import { deepCopy, renameArnKeysToCrd } from './rename.js';
import type {
  ApiGatewayRouteSpec,
  ApiMeshSpec,
  ApiRouteSpec,
  ApiVirtualGatewaySpec,
  ApiVirtualNodeSpec,
  ApiVirtualRouterSpec,
  ApiVirtualServiceSpec,
} from './schema/index.js';

export interface ToCrdContext {
  /** Mesh awsName: the mesh segment of the ARNs built for references. */
  mesh: string;
  /** The mesh's Kubernetes name and uid, as the mutating webhook would set them. */
  meshRef: MeshReference;
  arn?: ArnContext;
}

type Obj = Record<string, unknown>;

const ONLY_PREFERENCES = new Set(['IPv4_ONLY', 'IPv6_ONLY']);

export function meshToCrd(meshName: string, spec: ApiMeshSpec = {}): Mesh {
  const out: Obj = { awsName: meshName };
  const apiOnly: ApiOnlyFields = {};
  if (spec.egressFilter !== undefined) out.egressFilter = deepCopy(spec.egressFilter);
  if (spec.serviceDiscovery !== undefined) {
    const { ipPreference, ...rest } = spec.serviceDiscovery;
    const sd: Obj = deepCopy(rest);
    if (ipPreference !== undefined) {
      if (ONLY_PREFERENCES.has(ipPreference)) sd.ipPreference = ipPreference;
      else apiOnly['spec.serviceDiscovery.ipPreference'] = ipPreference;
    }
    out.meshServiceDiscovery = sd;
  }
  return object('Mesh', meshName, out, apiOnly) as Mesh;
}

export function virtualNodeToCrd(name: string, spec: ApiVirtualNodeSpec, ctx: ToCrdContext): VirtualNode {
  const { backends, serviceDiscovery, ...rest } = spec;
  const out: Obj = { awsName: name, meshRef: { ...ctx.meshRef }, ...renameArnKeysToCrd(rest) };
  const apiOnly: ApiOnlyFields = {};
  if (serviceDiscovery !== undefined) {
    const sd: Obj = {};
    for (const [member, value] of Object.entries(serviceDiscovery) as Array<[string, Obj | undefined]>) {
      if (value === undefined) continue;
      const { ipPreference, ...fields } = value;
      if (typeof ipPreference === 'string')
        apiOnly[`spec.serviceDiscovery.${member}.ipPreference`] = ipPreference;
      sd[member] = deepCopy(fields);
    }
    out.serviceDiscovery = sd;
  }
  if (backends !== undefined) {
    out.backends = backends.map((b) => {
      if (b.virtualService === undefined) return deepCopy(b);
      const { virtualServiceName, ...vs } = b.virtualService;
      return {
        ...deepCopy(b),
        virtualService: {
          ...renameArnKeysToCrd(vs),
          virtualServiceARN: refArn(ctx, 'VirtualService', virtualServiceName),
        },
      };
    });
  }
  return object('VirtualNode', name, out, apiOnly) as VirtualNode;
}

export function virtualServiceToCrd(
  name: string,
  spec: ApiVirtualServiceSpec,
  ctx: ToCrdContext,
): VirtualService {
  const out: Obj = { awsName: name, meshRef: { ...ctx.meshRef } };
  if (spec.provider !== undefined) {
    const provider: Obj = {};
    if (spec.provider.virtualNode !== undefined) {
      provider.virtualNode = {
        virtualNodeARN: refArn(ctx, 'VirtualNode', spec.provider.virtualNode.virtualNodeName),
      };
    }
    if (spec.provider.virtualRouter !== undefined) {
      provider.virtualRouter = {
        virtualRouterARN: refArn(ctx, 'VirtualRouter', spec.provider.virtualRouter.virtualRouterName),
      };
    }
    out.provider = provider;
  }
  return object('VirtualService', name, out, {}) as VirtualService;
}

/** `routes` are the router's current CRD routes, kept as they are (routes have their own API calls). */
export function virtualRouterToCrd(
  name: string,
  spec: ApiVirtualRouterSpec,
  ctx: ToCrdContext,
  routes?: readonly Route[],
): VirtualRouter {
  const out: Obj = { awsName: name, meshRef: { ...ctx.meshRef }, ...deepCopy(spec) };
  if (routes !== undefined) out.routes = deepCopy(routes);
  return object('VirtualRouter', name, out, {}) as VirtualRouter;
}

/** One entry of a VirtualRouter's `spec.routes`. */
export function routeToCrd(routeName: string, spec: ApiRouteSpec, ctx: ToCrdContext): Route {
  const out: Obj = { name: routeName };
  for (const [key, value] of Object.entries(spec)) {
    if (value === undefined) continue;
    if (key === 'priority') {
      out.priority = value;
      continue;
    }
    const route = deepCopy(value) as Obj & { action?: { weightedTargets?: Obj[] } };
    if (route.action?.weightedTargets) {
      route.action.weightedTargets = route.action.weightedTargets.map(({ virtualNode, ...t }) => ({
        ...t,
        virtualNodeARN: refArn(ctx, 'VirtualNode', String(virtualNode)),
      }));
    }
    out[key] = route;
  }
  return out as Route;
}

export interface GatewayToCrdContext extends ToCrdContext {
  /** The gateway's Kubernetes name, namespace and uid (the `virtualGatewayRef` the webhook sets). */
  virtualGatewayRef: { name: string; namespace?: string; uid: string };
}

export function virtualGatewayToCrd(
  name: string,
  spec: ApiVirtualGatewaySpec,
  ctx: ToCrdContext,
): VirtualGateway {
  const out: Obj = { awsName: name, meshRef: { ...ctx.meshRef }, ...renameArnKeysToCrd(spec) };
  return object('VirtualGateway', name, out, {}) as VirtualGateway;
}

export function gatewayRouteToCrd(
  name: string,
  spec: ApiGatewayRouteSpec,
  ctx: GatewayToCrdContext,
): GatewayRoute {
  const out: Obj = {
    awsName: name,
    meshRef: { ...ctx.meshRef },
    virtualGatewayRef: { ...ctx.virtualGatewayRef },
  };
  for (const [key, value] of Object.entries(spec)) {
    if (value === undefined) continue;
    if (key === 'priority') {
      out.priority = value;
      continue;
    }
    const route = deepCopy(value) as Obj & { action?: { target?: Obj & { virtualService?: Obj } } };
    const target = route.action?.target;
    if (target?.virtualService) {
      target.virtualService = {
        virtualServiceARN: refArn(ctx, 'VirtualService', String(target.virtualService.virtualServiceName)),
      };
    }
    out[key] = route;
  }
  return object('GatewayRoute', name, out, {}) as GatewayRoute;
}

function refArn(
  ctx: ToCrdContext,
  kind: 'VirtualNode' | 'VirtualService' | 'VirtualRouter',
  name: string,
): string {
  return arnOf(resourcePath(kind, ctx.mesh, name), ctx.arn ?? DEFAULT_ARN_CONTEXT);
}

function object(kind: string, name: string, spec: Obj, apiOnly: ApiOnlyFields): unknown {
  const annotations = withApiOnlyFields(undefined, apiOnly);
  return { apiVersion: API_VERSION, kind, metadata: { name, ...(annotations ? { annotations } : {}) }, spec };
}
