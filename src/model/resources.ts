/**
 * The seven App Mesh kinds as Kubernetes objects (`appmesh.k8s.aws/v1beta2`): the
 * canonical in-memory form that every source (files, REST API, Kubernetes) is
 * converted to, and that the mesh graph consumes.
 */
import type { TSchema } from '@sinclair/typebox';
import type { Kind } from './kinds.js';
import type { API_VERSION } from './kinds.js';
import {
  BackendGroupSpec,
  BackendGroupStatus,
  GatewayRouteSpec,
  GatewayRouteStatus,
  MeshSpec,
  MeshStatus,
  VirtualGatewaySpec,
  VirtualGatewayStatus,
  VirtualNodeSpec,
  VirtualNodeStatus,
  VirtualRouterSpec,
  VirtualRouterStatus,
  VirtualServiceSpec,
  VirtualServiceStatus,
} from './schema/index.js';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
}

export interface AppMeshObject<K extends Kind, S, St> {
  apiVersion: typeof API_VERSION;
  kind: K;
  metadata: ObjectMeta;
  spec: S;
  status?: St;
}

export type Mesh = AppMeshObject<'Mesh', MeshSpec, MeshStatus>;
export type VirtualNode = AppMeshObject<'VirtualNode', VirtualNodeSpec, VirtualNodeStatus>;
export type VirtualService = AppMeshObject<'VirtualService', VirtualServiceSpec, VirtualServiceStatus>;
export type VirtualRouter = AppMeshObject<'VirtualRouter', VirtualRouterSpec, VirtualRouterStatus>;
export type VirtualGateway = AppMeshObject<'VirtualGateway', VirtualGatewaySpec, VirtualGatewayStatus>;
export type GatewayRoute = AppMeshObject<'GatewayRoute', GatewayRouteSpec, GatewayRouteStatus>;
export type BackendGroup = AppMeshObject<'BackendGroup', BackendGroupSpec, BackendGroupStatus>;

export type AnyResource =
  Mesh | VirtualNode | VirtualService | VirtualRouter | VirtualGateway | GatewayRoute | BackendGroup;

export type ResourceOfKind<K extends Kind> = Extract<AnyResource, { kind: K }>;

export interface KindInfo {
  kind: Kind;
  plural: string;
  spec: TSchema;
  status: TSchema;
  /** `<Kind>Active` condition type; none for BackendGroup. */
  conditionType?: string;
  /** The status field holding the ARN (`virtualNodeARN`); none for BackendGroup. */
  arnStatusField?: string;
  /** Segment used in App Mesh ARNs and REST paths (`virtualNode`). */
  arnSegment?: string;
}

export const KIND_INFO: Readonly<Record<Kind, KindInfo>> = {
  Mesh: {
    kind: 'Mesh',
    plural: 'meshes',
    spec: MeshSpec,
    status: MeshStatus,
    conditionType: 'MeshActive',
    arnStatusField: 'meshARN',
    arnSegment: 'mesh',
  },
  VirtualNode: {
    kind: 'VirtualNode',
    plural: 'virtualnodes',
    spec: VirtualNodeSpec,
    status: VirtualNodeStatus,
    conditionType: 'VirtualNodeActive',
    arnStatusField: 'virtualNodeARN',
    arnSegment: 'virtualNode',
  },
  VirtualService: {
    kind: 'VirtualService',
    plural: 'virtualservices',
    spec: VirtualServiceSpec,
    status: VirtualServiceStatus,
    conditionType: 'VirtualServiceActive',
    arnStatusField: 'virtualServiceARN',
    arnSegment: 'virtualService',
  },
  VirtualRouter: {
    kind: 'VirtualRouter',
    plural: 'virtualrouters',
    spec: VirtualRouterSpec,
    status: VirtualRouterStatus,
    conditionType: 'VirtualRouterActive',
    arnStatusField: 'virtualRouterARN',
    arnSegment: 'virtualRouter',
  },
  VirtualGateway: {
    kind: 'VirtualGateway',
    plural: 'virtualgateways',
    spec: VirtualGatewaySpec,
    status: VirtualGatewayStatus,
    conditionType: 'VirtualGatewayActive',
    arnStatusField: 'virtualGatewayARN',
    arnSegment: 'virtualGateway',
  },
  GatewayRoute: {
    kind: 'GatewayRoute',
    plural: 'gatewayroutes',
    spec: GatewayRouteSpec,
    status: GatewayRouteStatus,
    conditionType: 'GatewayRouteActive',
    arnStatusField: 'gatewayRouteARN',
    arnSegment: 'gatewayRoute',
  },
  BackendGroup: {
    kind: 'BackendGroup',
    plural: 'backendgroups',
    spec: BackendGroupSpec,
    status: BackendGroupStatus,
  },
};
