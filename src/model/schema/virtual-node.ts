import { Type, type Static } from '@sinclair/typebox';
import {
  BackendDefaults,
  BackendGroupReference,
  ClientPolicy,
  HTTPConnectionPool,
  HTTPTimeout,
  LabelSelector,
  ListenerTLS,
  Logging,
  MeshReference,
  Obj,
  OutlierDetection,
  PortMapping,
  RequestsConnectionPool,
  Status,
  Str,
  TCPConnectionPool,
  TCPTimeout,
  Union,
  VirtualNodeHealthCheck,
  VirtualNodeListenerTLSValidation,
  VirtualServiceReference,
  Enum,
  exactlyOne,
} from './common.js';

const opt = Type.Optional;

export const VirtualNodeListener = Obj({
  portMapping: PortMapping,
  connectionPool: opt(
    Union({
      tcp: TCPConnectionPool,
      http: HTTPConnectionPool,
      http2: RequestsConnectionPool,
      grpc: RequestsConnectionPool,
    }),
  ),
  healthCheck: opt(VirtualNodeHealthCheck),
  outlierDetection: opt(OutlierDetection),
  timeout: opt(Union({ tcp: TCPTimeout, http: HTTPTimeout, http2: HTTPTimeout, grpc: HTTPTimeout })),
  tls: opt(ListenerTLS(VirtualNodeListenerTLSValidation)),
});
export type VirtualNodeListener = Static<typeof VirtualNodeListener>;

export const DNSServiceDiscovery = Obj({
  hostname: Str(),
  responseType: opt(Enum(['ENDPOINTS', 'LOADBALANCER'] as const)),
});
export const CloudMapServiceDiscovery = Obj({
  namespaceName: Str({ minLength: 1, maxLength: 1024 }),
  serviceName: Str({ minLength: 1, maxLength: 1024 }),
  attributes: opt(
    Type.Array(
      Obj({ key: Str({ minLength: 1, maxLength: 255 }), value: Str({ minLength: 1, maxLength: 1024 }) }),
    ),
  ),
});
export const ServiceDiscovery = Union({ dns: DNSServiceDiscovery, awsCloudMap: CloudMapServiceDiscovery });
export type ServiceDiscovery = Static<typeof ServiceDiscovery>;

export const VirtualServiceBackend = Obj(
  {
    virtualServiceRef: opt(VirtualServiceReference),
    virtualServiceARN: opt(Str()),
    clientPolicy: opt(ClientPolicy),
  },
  exactlyOne('virtualServiceRef', 'virtualServiceARN'),
);
export const Backend = Obj({ virtualService: VirtualServiceBackend });
export type Backend = Static<typeof Backend>;

export const VirtualNodeSpec = Obj({
  awsName: opt(Str({ description: 'App Mesh name; defaults to <name>_<namespace>; immutable' })),
  podSelector: opt(LabelSelector),
  listeners: opt(Type.Array(VirtualNodeListener)),
  serviceDiscovery: opt(ServiceDiscovery),
  backends: opt(Type.Array(Backend)),
  backendGroups: opt(Type.Array(BackendGroupReference)),
  backendDefaults: opt(BackendDefaults),
  logging: opt(Logging),
  meshRef: opt(MeshReference),
});
export type VirtualNodeSpec = Static<typeof VirtualNodeSpec>;

export const VirtualNodeStatus = Status({ virtualNodeARN: opt(Str()) });
export type VirtualNodeStatus = Static<typeof VirtualNodeStatus>;
