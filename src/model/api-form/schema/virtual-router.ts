import { Type, type Static } from '@sinclair/typebox';
import { Enum, Obj, Str, UInt32Count, exactlyOne } from '../../schema/common.js';
import {
  Duration,
  HeaderMatch,
  HttpMethod,
  HttpPathMatch,
  HttpScheme,
  HttpTimeout,
  ListenerPort,
  MatchMethod,
  PortMapping,
  QueryParameter,
  ResourceName,
  TcpTimeout,
} from './common.js';

const opt = Type.Optional;

export const ApiVirtualRouterSpec = Obj({
  listeners: opt(Type.Array(Obj({ portMapping: PortMapping }))),
});
export type ApiVirtualRouterSpec = Static<typeof ApiVirtualRouterSpec>;

export const ApiWeightedTarget = Obj({
  port: opt(ListenerPort),
  virtualNode: ResourceName,
  weight: Type.Integer({ minimum: 0, maximum: 100 }),
});
const RouteAction = Obj({ weightedTargets: Type.Array(ApiWeightedTarget, { minItems: 1, maxItems: 10 }) });

const HttpRetryEvents = Type.Array(
  Enum(['server-error', 'gateway-error', 'client-error', 'stream-error'] as const),
  { minItems: 1, maxItems: 25 },
);
const TcpRetryEvents = Type.Array(Enum(['connection-error'] as const), { minItems: 1, maxItems: 1 });
const retry = {
  httpRetryEvents: opt(HttpRetryEvents),
  maxRetries: UInt32Count(0),
  perRetryTimeout: Duration,
  tcpRetryEvents: opt(TcpRetryEvents),
};

export const ApiHttpRoute = Obj({
  action: RouteAction,
  match: Obj({
    headers: opt(Type.Array(HeaderMatch, { minItems: 1, maxItems: 10 })),
    method: opt(HttpMethod),
    path: opt(HttpPathMatch),
    port: opt(ListenerPort),
    prefix: opt(Str()),
    queryParameters: opt(Type.Array(QueryParameter, { minItems: 1, maxItems: 10 })),
    scheme: opt(HttpScheme),
  }),
  retryPolicy: opt(Obj(retry)),
  timeout: opt(HttpTimeout),
});

export const ApiGrpcRoute = Obj({
  action: RouteAction,
  match: Obj({
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
    methodName: opt(Str({ minLength: 1, maxLength: 50 })),
    port: opt(ListenerPort),
    serviceName: opt(Str()),
  }),
  retryPolicy: opt(
    Obj({
      ...retry,
      grpcRetryEvents: opt(
        Type.Array(
          Enum(['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'] as const),
          { minItems: 1, maxItems: 5 },
        ),
      ),
    }),
  ),
  timeout: opt(HttpTimeout),
});

export const ApiTcpRoute = Obj({
  action: RouteAction,
  match: opt(Obj({ port: opt(ListenerPort) })),
  timeout: opt(TcpTimeout),
});

/** The API does not model "exactly one route type" as a union, but App Mesh rejects anything else. */
export const ApiRouteSpec = Obj(
  {
    grpcRoute: opt(ApiGrpcRoute),
    http2Route: opt(ApiHttpRoute),
    httpRoute: opt(ApiHttpRoute),
    priority: opt(Type.Integer({ minimum: 0, maximum: 1000 })),
    tcpRoute: opt(ApiTcpRoute),
  },
  exactlyOne('grpcRoute', 'http2Route', 'httpRoute', 'tcpRoute'),
);
export type ApiRouteSpec = Static<typeof ApiRouteSpec>;
