import { Type, type Static } from '@sinclair/typebox';
import {
  Enum,
  HTTPMethod,
  HTTPPathMatch,
  HeaderMatch,
  Int64,
  MatchMethod,
  MatchPort,
  MeshReference,
  Obj,
  QueryParameterMatch,
  Status,
  Str,
  Union,
  VirtualGatewayReference,
  VirtualServiceReference,
  atLeastOne,
  atMostOne,
  exactlyOne,
} from './common.js';

const opt = Type.Optional;

export const GatewayRouteHostnameMatch = Union({
  exact: Str({ minLength: 1, maxLength: 253 }),
  suffix: Str({ minLength: 1, maxLength: 253 }),
});

export const GatewayRouteTarget = Obj({
  virtualService: Obj(
    { virtualServiceRef: opt(VirtualServiceReference), virtualServiceARN: opt(Str()) },
    exactlyOne('virtualServiceRef', 'virtualServiceARN'),
  ),
  port: opt(MatchPort),
});
export type GatewayRouteTarget = Static<typeof GatewayRouteTarget>;

const EnabledDisabled = Enum(['ENABLED', 'DISABLED'] as const);
export const HostnameRewrite = Obj({ defaultTargetHostname: opt(EnabledDisabled) });

export const HTTPGatewayRouteRewrite = Obj(
  {
    hostname: opt(HostnameRewrite),
    path: opt(Obj({ exact: opt(Str({ minLength: 1, maxLength: 255 })) })),
    prefix: opt(
      Obj(
        { defaultPrefix: opt(EnabledDisabled), value: opt(Str({ minLength: 1, maxLength: 255 })) },
        exactlyOne('defaultPrefix', 'value'),
      ),
    ),
  },
  { ...atLeastOne('prefix', 'path', 'hostname'), ...atMostOne('prefix', 'path') },
);

export const HTTPGatewayRouteMatch = Obj(
  {
    headers: opt(Type.Array(HeaderMatch, { minItems: 1, maxItems: 10 })),
    hostname: opt(GatewayRouteHostnameMatch),
    method: opt(HTTPMethod),
    path: opt(HTTPPathMatch),
    port: opt(MatchPort),
    prefix: opt(Str()),
    queryParameters: opt(Type.Array(QueryParameterMatch, { minItems: 1, maxItems: 10 })),
  },
  { ...atLeastOne('prefix', 'path', 'hostname'), ...atMostOne('prefix', 'path') },
);
export type HTTPGatewayRouteMatch = Static<typeof HTTPGatewayRouteMatch>;

export const HTTPGatewayRoute = Obj({
  match: HTTPGatewayRouteMatch,
  action: Obj({ target: GatewayRouteTarget, rewrite: opt(HTTPGatewayRouteRewrite) }),
});
export type HTTPGatewayRoute = Static<typeof HTTPGatewayRoute>;

export const GRPCGatewayRouteMatch = Obj(
  {
    hostname: opt(GatewayRouteHostnameMatch),
    metadata: opt(
      Type.Array(
        Obj({
          invert: opt(Type.Boolean()),
          match: opt(MatchMethod),
          name: Str({ minLength: 1, maxLength: 50 }),
        }),
        {
          minItems: 1,
          maxItems: 10,
        },
      ),
    ),
    port: opt(MatchPort),
    serviceName: opt(Str()),
  },
  atLeastOne('serviceName', 'hostname'),
);
export type GRPCGatewayRouteMatch = Static<typeof GRPCGatewayRouteMatch>;

export const GRPCGatewayRoute = Obj({
  match: GRPCGatewayRouteMatch,
  action: Obj({ target: GatewayRouteTarget, rewrite: opt(Obj({ hostname: opt(HostnameRewrite) })) }),
});
export type GRPCGatewayRoute = Static<typeof GRPCGatewayRoute>;

export const GatewayRouteSpec = Obj(
  {
    awsName: opt(Str({ description: 'App Mesh name; defaults to <name>_<namespace>; immutable' })),
    priority: opt(
      Int64({ minimum: 0, maximum: 1000, description: '0 is the highest priority; unset = lowest' }),
    ),
    httpRoute: opt(HTTPGatewayRoute),
    http2Route: opt(HTTPGatewayRoute),
    grpcRoute: opt(GRPCGatewayRoute),
    meshRef: opt(MeshReference),
    virtualGatewayRef: opt(VirtualGatewayReference),
  },
  exactlyOne('httpRoute', 'http2Route', 'grpcRoute'),
);
export type GatewayRouteSpec = Static<typeof GatewayRouteSpec>;

export const GatewayRouteStatus = Status({ gatewayRouteARN: opt(Str()) });
export type GatewayRouteStatus = Static<typeof GatewayRouteStatus>;
