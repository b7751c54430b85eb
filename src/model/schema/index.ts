export * from './mesh.js';
export * from './virtual-node.js';
export * from './virtual-service.js';
export * from './virtual-router.js';
export * from './virtual-gateway.js';
export * from './gateway-route.js';
export * from './backend-group.js';
export type {
  Duration,
  PortProtocol,
  PortMapping,
  LabelSelector,
  MatchMethod,
  HeaderMatch,
  ObjectReference,
  MeshReference,
  ClientPolicy,
  Logging,
  OutlierDetection,
  HealthCheck,
} from './common.js';
