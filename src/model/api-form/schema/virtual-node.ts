import { Type, type Static } from '@sinclair/typebox';
import { Enum, Obj, Str, Union } from '../../schema/common.js';
import {
  BackendDefaults,
  ClientPolicy,
  HealthCheckPolicy,
  HttpConnectionPool,
  HttpTimeout,
  IpPreference,
  ListenerTls,
  Logging,
  OutlierDetection,
  PortMapping,
  RequestsConnectionPool,
  TcpConnectionPool,
  TcpTimeout,
} from './common.js';

const opt = Type.Optional;

export const ApiListener = Obj({
  connectionPool: opt(
    Union({
      grpc: RequestsConnectionPool,
      http: HttpConnectionPool,
      http2: RequestsConnectionPool,
      tcp: TcpConnectionPool,
    }),
  ),
  healthCheck: opt(HealthCheckPolicy),
  outlierDetection: opt(OutlierDetection),
  portMapping: PortMapping,
  timeout: opt(Union({ grpc: HttpTimeout, http: HttpTimeout, http2: HttpTimeout, tcp: TcpTimeout })),
  tls: opt(ListenerTls),
});

export const ApiDnsServiceDiscovery = Obj({
  hostname: Str(),
  ipPreference: opt(IpPreference),
  responseType: opt(Enum(['LOADBALANCER', 'ENDPOINTS'] as const)),
});
export const ApiCloudMapServiceDiscovery = Obj({
  attributes: opt(
    Type.Array(
      Obj({
        key: Str({ minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9!-~]+$' }),
        value: Str({ minLength: 1, maxLength: 1024 }),
      }),
    ),
  ),
  ipPreference: opt(IpPreference),
  namespaceName: Str({ minLength: 1, maxLength: 1024 }),
  serviceName: Str({ minLength: 1, maxLength: 1024 }),
});

export const ApiBackend = Union({
  virtualService: Obj({ clientPolicy: opt(ClientPolicy), virtualServiceName: Str() }),
});

export const ApiVirtualNodeSpec = Obj({
  backendDefaults: opt(BackendDefaults),
  backends: opt(Type.Array(ApiBackend)),
  listeners: opt(Type.Array(ApiListener)),
  logging: opt(Logging),
  serviceDiscovery: opt(Union({ awsCloudMap: ApiCloudMapServiceDiscovery, dns: ApiDnsServiceDiscovery })),
});
export type ApiVirtualNodeSpec = Static<typeof ApiVirtualNodeSpec>;
