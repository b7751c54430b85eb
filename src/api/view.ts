/** Stored CRD records → App Mesh response shapes (`<Resource>Data`, `<Resource>Ref`). */
import {
  API_KIND_INFO,
  gatewayRouteFromCrd,
  meshFromCrd,
  routeFromCrd,
  virtualGatewayFromCrd,
  virtualNodeFromCrd,
  virtualRouterFromCrd,
  virtualServiceFromCrd,
  type ApiKind,
  type AwsNameResolver,
  type ResourceData,
  type ResourceMetadata,
  type ResourceRef,
  type StatusCode,
} from '../model/api-form/index.js';
import {
  arnOf,
  resourcePath,
  type ArnContext,
  type AnyResource,
  type GatewayRoute,
  type Mesh,
  type VirtualGateway,
  type VirtualNode,
  type VirtualRouter,
  type VirtualService,
  type Route,
} from '../model/index.js';
import type { ApiMeta } from './metadata.js';

export interface ViewContext {
  arn: ArnContext;
  resolve: AwsNameResolver;
}

/** Where a resource sits: mesh, name, and the router/gateway for routes and gateway routes. */
export interface Location {
  kind: ApiKind;
  mesh: string;
  name: string;
  parent?: string;
}

export function arnFor(loc: Location, arn: ArnContext): string {
  return arnOf(resourcePath(loc.kind, loc.mesh, loc.name, loc.parent), arn);
}

export function metadataOf(loc: Location, meta: ApiMeta, ctx: ViewContext): ResourceMetadata {
  return {
    arn: arnFor(loc, ctx.arn),
    version: meta.version,
    uid: meta.uid,
    createdAt: meta.createdAt,
    lastUpdatedAt: meta.lastUpdatedAt,
    meshOwner: ctx.arn.account,
    resourceOwner: ctx.arn.account,
  };
}

function names(loc: Location): Record<string, string> {
  const info = API_KIND_INFO[loc.kind];
  const out: Record<string, string> = { meshName: loc.mesh };
  if (loc.kind !== 'Mesh') out[info.nameField] = loc.name;
  if (info.parent && loc.parent !== undefined) out[info.parent.nameField] = loc.parent;
  return out;
}

/** API spec of a stored resource (`route` for Route locations: the router is `resource`). */
export function apiSpecOf(
  loc: Location,
  resource: AnyResource,
  resolve: AwsNameResolver,
  route?: Route,
): unknown {
  switch (loc.kind) {
    case 'Mesh':
      return meshFromCrd(resource as Mesh);
    case 'VirtualNode':
      return virtualNodeFromCrd(resource as VirtualNode, resolve);
    case 'VirtualService':
      return virtualServiceFromCrd(resource as VirtualService, resolve);
    case 'VirtualRouter':
      return virtualRouterFromCrd(resource as VirtualRouter);
    case 'Route':
      return routeFromCrd(route as Route, resource as VirtualRouter, resolve);
    case 'VirtualGateway':
      return virtualGatewayFromCrd(resource as VirtualGateway);
    case 'GatewayRoute':
      return gatewayRouteFromCrd(resource as GatewayRoute, resolve);
  }
}

export function dataOf(
  loc: Location,
  resource: AnyResource,
  meta: ApiMeta,
  ctx: ViewContext,
  status: StatusCode = 'ACTIVE',
  route?: Route,
): ResourceData {
  return {
    ...names(loc),
    spec: apiSpecOf(loc, resource, ctx.resolve, route),
    metadata: metadataOf(loc, meta, ctx),
    status: { status },
  } as ResourceData;
}

export function refOf(loc: Location, meta: ApiMeta, ctx: ViewContext): ResourceRef {
  const { uid: _uid, ...md } = metadataOf(loc, meta, ctx);
  return { ...names(loc), ...md } as ResourceRef;
}
