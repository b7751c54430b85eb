import { Type, type Static } from '@sinclair/typebox';
import {
  BackendDefaults,
  GatewayPortMapping,
  HTTPConnectionPool,
  LabelSelector,
  ListenerTLS,
  Logging,
  MeshReference,
  Obj,
  RequestsConnectionPool,
  Status,
  Str,
  Union,
  VirtualGatewayHealthCheck,
  VirtualGatewayListenerTLSValidation,
} from './common.js';

const opt = Type.Optional;

export const VirtualGatewayListener = Obj({
  portMapping: GatewayPortMapping,
  connectionPool: opt(
    Union({ http: HTTPConnectionPool, http2: RequestsConnectionPool, grpc: RequestsConnectionPool }),
  ),
  healthCheck: opt(VirtualGatewayHealthCheck),
  tls: opt(ListenerTLS(VirtualGatewayListenerTLSValidation)),
});
export type VirtualGatewayListener = Static<typeof VirtualGatewayListener>;

export const VirtualGatewaySpec = Obj({
  awsName: opt(Str({ description: 'App Mesh name; defaults to <name>_<namespace>; immutable' })),
  namespaceSelector: opt(LabelSelector),
  gatewayRouteSelector: opt(LabelSelector),
  podSelector: opt(LabelSelector),
  listeners: opt(Type.Array(VirtualGatewayListener)),
  backendDefaults: opt(BackendDefaults),
  logging: opt(Logging),
  meshRef: opt(MeshReference),
});
export type VirtualGatewaySpec = Static<typeof VirtualGatewaySpec>;

export const VirtualGatewayStatus = Status({ virtualGatewayARN: opt(Str()) });
export type VirtualGatewayStatus = Static<typeof VirtualGatewayStatus>;
