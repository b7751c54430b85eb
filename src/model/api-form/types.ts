/**
 * Response shapes of the App Mesh REST API (`<Resource>Data`, `<Resource>Ref`,
 * `ResourceMetadata`) and the per-kind facts the API layer and the CLI share.
 */
import type { TSchema } from '@sinclair/typebox';
import type { TagRef } from './schema/common.js';
import {
  ApiGatewayRouteSpec,
  ApiMeshSpec,
  ApiRouteSpec,
  ApiVirtualGatewaySpec,
  ApiVirtualNodeSpec,
  ApiVirtualRouterSpec,
  ApiVirtualServiceSpec,
} from './schema/index.js';

export type ApiKind =
  'Mesh' | 'VirtualNode' | 'VirtualService' | 'VirtualRouter' | 'Route' | 'VirtualGateway' | 'GatewayRoute';

export const API_KINDS: readonly ApiKind[] = [
  'Mesh',
  'VirtualNode',
  'VirtualService',
  'VirtualRouter',
  'Route',
  'VirtualGateway',
  'GatewayRoute',
];

export type StatusCode = 'ACTIVE' | 'INACTIVE' | 'DELETED';

export interface ResourceMetadata {
  arn: string;
  /** 1 on create, +1 per update. */
  version: number;
  uid: string;
  /** Epoch seconds (with fractions), as App Mesh sends timestamps in JSON. */
  createdAt: number;
  lastUpdatedAt: number;
  meshOwner: string;
  resourceOwner: string;
}

export interface ApiSpecOfKind {
  Mesh: ApiMeshSpec;
  VirtualNode: ApiVirtualNodeSpec;
  VirtualService: ApiVirtualServiceSpec;
  VirtualRouter: ApiVirtualRouterSpec;
  Route: ApiRouteSpec;
  VirtualGateway: ApiVirtualGatewaySpec;
  GatewayRoute: ApiGatewayRouteSpec;
}

/** `MeshData`, `VirtualNodeData`, ...: names + spec + metadata + status. */
export type ResourceData<K extends ApiKind = ApiKind> = Record<string, unknown> & {
  meshName: string;
  spec: ApiSpecOfKind[K];
  metadata: ResourceMetadata;
  status: { status: StatusCode };
};

/** List items (`MeshRef`, `VirtualNodeRef`, ...): names + metadata fields, no spec. */
export type ResourceRef = Record<string, unknown> & Omit<ResourceMetadata, 'uid'> & { meshName: string };

export type { TagRef };

export interface ApiKindInfo {
  kind: ApiKind;
  /** Body/response member holding the name: `virtualNodeName`. */
  nameField: string;
  /** Response member holding one object: `virtualNode`. */
  dataField: string;
  /** List response member: `virtualNodes`. */
  listField: string;
  /** Collection path segment: `virtualNodes`. */
  collection: string;
  /** Routes and gateway routes: the parent kind and its singular path segment. */
  parent?: { kind: 'VirtualRouter' | 'VirtualGateway'; nameField: string; segment: string };
  /** ARN / resourcePath segment: `virtualNode`. */
  arnSegment: string;
  spec: TSchema;
  /** Whether Create needs a spec (UpdateMesh/CreateMesh take it optionally). */
  specRequired: boolean;
  /** Operation name stem: `VirtualNode` → CreateVirtualNode, ListVirtualNodes. */
  opName: string;
  listOpName: string;
}

export const API_KIND_INFO: Readonly<Record<ApiKind, ApiKindInfo>> = {
  Mesh: info('Mesh', 'mesh', 'meshes', ApiMeshSpec, false, 'Meshes'),
  VirtualNode: info('VirtualNode', 'virtualNode', 'virtualNodes', ApiVirtualNodeSpec, true, 'VirtualNodes'),
  VirtualService: info(
    'VirtualService',
    'virtualService',
    'virtualServices',
    ApiVirtualServiceSpec,
    true,
    'VirtualServices',
  ),
  VirtualRouter: info(
    'VirtualRouter',
    'virtualRouter',
    'virtualRouters',
    ApiVirtualRouterSpec,
    true,
    'VirtualRouters',
  ),
  Route: {
    ...info('Route', 'route', 'routes', ApiRouteSpec, true, 'Routes'),
    parent: { kind: 'VirtualRouter', nameField: 'virtualRouterName', segment: 'virtualRouter' },
  },
  VirtualGateway: info(
    'VirtualGateway',
    'virtualGateway',
    'virtualGateways',
    ApiVirtualGatewaySpec,
    true,
    'VirtualGateways',
  ),
  GatewayRoute: {
    ...info('GatewayRoute', 'gatewayRoute', 'gatewayRoutes', ApiGatewayRouteSpec, true, 'GatewayRoutes'),
    parent: { kind: 'VirtualGateway', nameField: 'virtualGatewayName', segment: 'virtualGateway' },
  },
};

function info(
  kind: ApiKind,
  field: string,
  plural: string,
  spec: TSchema,
  specRequired: boolean,
  listStem: string,
): ApiKindInfo {
  return {
    kind,
    nameField: `${field}Name`,
    dataField: field,
    listField: plural,
    collection: plural,
    arnSegment: field,
    spec,
    specRequired,
    opName: kind,
    listOpName: `List${listStem}`,
  };
}
