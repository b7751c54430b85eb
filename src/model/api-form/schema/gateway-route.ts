import { Type, type Static } from '@sinclair/typebox';
import { Enum, Obj, Str, exactlyOne } from '../../schema/common.js';
import {
  HeaderMatch,
  HttpMethod,
  HttpPathMatch,
  ListenerPort,
  MatchMethod,
  QueryParameter,
  ResourceName,
} from './common.js';

const opt = Type.Optional;

const EnabledDisabled = Enum(['ENABLED', 'DISABLED'] as const);
const HostnameMatch = Obj({
  exact: opt(Str({ minLength: 1, maxLength: 253 })),
  suffix: opt(Str({ minLength: 1, maxLength: 253 })),
});
const HostnameRewrite = Obj({ defaultTargetHostname: opt(EnabledDisabled) });

export const ApiGatewayRouteTarget = Obj({
  port: opt(ListenerPort),
  virtualService: Obj({ virtualServiceName: ResourceName }),
});

export const ApiHttpGatewayRoute = Obj({
  action: Obj({
    rewrite: opt(
      Obj({
        hostname: opt(HostnameRewrite),
        path: opt(Obj({ exact: opt(Str({ minLength: 1, maxLength: 255 })) })),
        prefix: opt(
          Obj({ defaultPrefix: opt(EnabledDisabled), value: opt(Str({ minLength: 1, maxLength: 255 })) }),
        ),
      }),
    ),
    target: ApiGatewayRouteTarget,
  }),
  match: Obj({
    headers: opt(Type.Array(HeaderMatch, { minItems: 1, maxItems: 10 })),
    hostname: opt(HostnameMatch),
    method: opt(HttpMethod),
    path: opt(HttpPathMatch),
    port: opt(ListenerPort),
    prefix: opt(Str()),
    queryParameters: opt(Type.Array(QueryParameter, { minItems: 1, maxItems: 10 })),
  }),
});

export const ApiGrpcGatewayRoute = Obj({
  action: Obj({ rewrite: opt(Obj({ hostname: opt(HostnameRewrite) })), target: ApiGatewayRouteTarget }),
  match: Obj({
    hostname: opt(HostnameMatch),
    metadata: opt(
      Type.Array(
        Obj({
          invert: opt(Type.Boolean()),
          match: opt(MatchMethod),
          name: Str({ minLength: 1, maxLength: 50 }),
        }),
        { minItems: 1, maxItems: 10 },
      ),
    ),
    port: opt(ListenerPort),
    serviceName: opt(Str()),
  }),
});

export const ApiGatewayRouteSpec = Obj(
  {
    grpcRoute: opt(ApiGrpcGatewayRoute),
    http2Route: opt(ApiHttpGatewayRoute),
    httpRoute: opt(ApiHttpGatewayRoute),
    priority: opt(Type.Integer({ minimum: 0, maximum: 1000 })),
  },
  exactlyOne('grpcRoute', 'http2Route', 'httpRoute'),
);
export type ApiGatewayRouteSpec = Static<typeof ApiGatewayRouteSpec>;
