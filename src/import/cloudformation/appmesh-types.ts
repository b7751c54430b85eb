/**
 * The seven `AWS::AppMesh::*` resource types: their properties besides `Spec` and
 * `Tags`, and what `Ref` and `Fn::GetAtt` return. CloudFormation resource reference
 * (aws-resource-appmesh-*.md, "Return values"): `Ref` returns the resource ARN for
 * every type; `Fn::GetAtt` offers Arn, MeshName, MeshOwner, ResourceOwner, Uid and the
 * resource's own name (routes and gateway routes also their router's or gateway's).
 */
import type { ApiKind } from '../../model/api-form/index.js';

export interface AppMeshType {
  kind: ApiKind;
  /** `VirtualNodeName` */
  nameProperty: string;
  /** Routes: `VirtualRouterName`; gateway routes: `VirtualGatewayName`. */
  parentProperty?: string;
}

export const APPMESH_TYPES: Readonly<Record<string, AppMeshType>> = {
  'AWS::AppMesh::Mesh': { kind: 'Mesh', nameProperty: 'MeshName' },
  'AWS::AppMesh::VirtualNode': { kind: 'VirtualNode', nameProperty: 'VirtualNodeName' },
  'AWS::AppMesh::VirtualService': { kind: 'VirtualService', nameProperty: 'VirtualServiceName' },
  'AWS::AppMesh::VirtualRouter': { kind: 'VirtualRouter', nameProperty: 'VirtualRouterName' },
  'AWS::AppMesh::Route': { kind: 'Route', nameProperty: 'RouteName', parentProperty: 'VirtualRouterName' },
  'AWS::AppMesh::VirtualGateway': { kind: 'VirtualGateway', nameProperty: 'VirtualGatewayName' },
  'AWS::AppMesh::GatewayRoute': {
    kind: 'GatewayRoute',
    nameProperty: 'GatewayRouteName',
    parentProperty: 'VirtualGatewayName',
  },
};

/** Properties a type accepts besides its names. */
export const COMMON_PROPERTIES = ['MeshName', 'MeshOwner', 'Spec', 'Tags'] as const;

export function attributesOf(type: AppMeshType): string[] {
  const own = new Set(['Arn', 'MeshName', 'MeshOwner', 'ResourceOwner', 'Uid', type.nameProperty]);
  if (type.parentProperty) own.add(type.parentProperty);
  return [...own].sort();
}
