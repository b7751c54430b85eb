import { Type, type Static } from '@sinclair/typebox';
import {
  Duration,
  Enum,
  HTTPMethod,
  HTTPPathMatch,
  HTTPScheme,
  HTTPTimeout,
  HeaderMatch,
  Int64,
  MatchMethod,
  MatchPort,
  MeshReference,
  Obj,
  PortMapping,
  QueryParameterMatch,
  Status,
  Str,
  TCPTimeout,
  UInt32Count,
  VirtualNodeReference,
  exactlyOne,
} from './common.js';

const opt = Type.Optional;

export const WeightedTarget = Obj(
  {
    virtualNodeRef: opt(VirtualNodeReference),
    virtualNodeARN: opt(Str()),
    weight: Int64({ minimum: 0, maximum: 100 }),
    port: opt(MatchPort),
  },
  exactlyOne('virtualNodeRef', 'virtualNodeARN'),
);
export type WeightedTarget = Static<typeof WeightedTarget>;

export const RouteAction = Obj({
  weightedTargets: Type.Array(WeightedTarget, { minItems: 1, maxItems: 10 }),
});

export const HTTPRetryEvent = Enum([
  'server-error',
  'gateway-error',
  'client-error',
  'stream-error',
] as const);
export const TCPRetryEvent = Enum(['connection-error'] as const);
export const GRPCRetryEvent = Enum([
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
] as const);

const retryFields = {
  httpRetryEvents: opt(Type.Array(HTTPRetryEvent, { minItems: 1, maxItems: 25 })),
  maxRetries: UInt32Count(0),
  perRetryTimeout: Duration,
  tcpRetryEvents: opt(Type.Array(TCPRetryEvent, { minItems: 1, maxItems: 1 })),
};
export const HTTPRetryPolicy = Obj(retryFields);
export type HTTPRetryPolicy = Static<typeof HTTPRetryPolicy>;
export const GRPCRetryPolicy = Obj({
  ...retryFields,
  grpcRetryEvents: opt(Type.Array(GRPCRetryEvent, { minItems: 1, maxItems: 5 })),
});
export type GRPCRetryPolicy = Static<typeof GRPCRetryPolicy>;

export const HTTPRouteMatch = Obj(
  {
    headers: opt(Type.Array(HeaderMatch, { minItems: 1, maxItems: 10 })),
    method: opt(HTTPMethod),
    path: opt(HTTPPathMatch),
    port: opt(MatchPort),
    prefix: opt(Str()),
    queryParameters: opt(Type.Array(QueryParameterMatch, { minItems: 1, maxItems: 10 })),
    scheme: opt(HTTPScheme),
  },
  exactlyOne('prefix', 'path'),
);
export type HTTPRouteMatch = Static<typeof HTTPRouteMatch>;

export const HTTPRoute = Obj({
  match: HTTPRouteMatch,
  action: RouteAction,
  retryPolicy: opt(HTTPRetryPolicy),
  timeout: opt(HTTPTimeout),
});
export type HTTPRoute = Static<typeof HTTPRoute>;

export const GRPCRouteMetadata = Obj({
  invert: opt(Type.Boolean()),
  match: opt(MatchMethod),
  name: Str({ minLength: 1, maxLength: 50 }),
});
export const GRPCRouteMatch = Obj({
  metadata: opt(Type.Array(GRPCRouteMetadata, { minItems: 1, maxItems: 10 })),
  methodName: opt(Str({ minLength: 1, maxLength: 50 })),
  port: opt(MatchPort),
  serviceName: opt(Str()),
});
export type GRPCRouteMatch = Static<typeof GRPCRouteMatch>;

export const GRPCRoute = Obj({
  match: GRPCRouteMatch,
  action: RouteAction,
  retryPolicy: opt(GRPCRetryPolicy),
  timeout: opt(HTTPTimeout),
});
export type GRPCRoute = Static<typeof GRPCRoute>;

export const TCPRoute = Obj({
  action: RouteAction,
  match: opt(Obj({ port: opt(MatchPort) })),
  timeout: opt(TCPTimeout),
});
export type TCPRoute = Static<typeof TCPRoute>;

export const Route = Obj(
  {
    name: Str(),
    priority: opt(Int64({ minimum: 0, maximum: 1000, description: '0 is the highest priority' })),
    httpRoute: opt(HTTPRoute),
    http2Route: opt(HTTPRoute),
    grpcRoute: opt(GRPCRoute),
    tcpRoute: opt(TCPRoute),
  },
  exactlyOne('httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'),
);
export type Route = Static<typeof Route>;

export const VirtualRouterListener = Obj({ portMapping: PortMapping });

export const VirtualRouterSpec = Obj({
  awsName: opt(Str({ description: 'App Mesh name; defaults to <name>_<namespace>; immutable' })),
  // Optional in App Mesh's CRD and API (a router without one serves no port); never empty.
  listeners: opt(Type.Array(VirtualRouterListener, { minItems: 1 })),
  routes: opt(Type.Array(Route)),
  meshRef: opt(MeshReference),
});
export type VirtualRouterSpec = Static<typeof VirtualRouterSpec>;

export const VirtualRouterStatus = Status({
  virtualRouterARN: opt(Str()),
  routeARNs: opt(Type.Record(Type.String(), Type.String())),
});
export type VirtualRouterStatus = Static<typeof VirtualRouterStatus>;
