/**
 * The envoy stage: a MeshGraph (plus endpoints) → the Envoy v3 resources of each proxy
 * group, incrementally; the checks every generated resource passes; the Envoy bootstrap.
 * Other stages import it from here only (docs/ARCHITECTURE.md, "Boundaries").
 */
export {
  translateGroup,
  translateGroupDetailed,
  encodeResources,
  edsServiceNames,
  encodeOne,
  UnknownGroupError,
  type EnvoyResources,
  type GroupTranslation,
  type EncodedResources,
} from './translate.js';
export { Translator, type GroupStep, type TranslatorResult } from './translator.js';
export {
  proxyGroups,
  parseGroupKey,
  groupKey,
  nodeIdOf,
  parseNodeId,
  shownNodeId,
  flavourOf,
  GRPC_SUFFIX,
  type ProxyGroup,
  type ProxyKind,
  type ClaimedIdentity,
  type ParseResult,
  type FlavourHints,
} from './groups.js';
export type { ProxyFlavour, EdsTarget } from './context.js';
export {
  staticEndpoints,
  NO_ENDPOINTS,
  endpointKey,
  type Endpoint,
  type EndpointHealth,
  type EndpointSource,
  type VirtualNodeRef,
} from './endpoints.js';
export {
  MATCH_SHORT_NAMES_ANNOTATION,
  DEFAULT_SDS_SOCKET_PATH,
  type AcmSource,
  type TranslateOptions,
  type TranslateWarning,
  type CaTranslateOptions,
} from './options.js';
export { resolveProxy, type ProxyLookup } from './resolve-proxy.js';
export { kubernetesSpiffeId, meshSpiffeId } from './spiffe.js';
export { CA_CERTIFICATE_SECRET_PREFIX, CA_TRUST_BUNDLE_SECRET, caCertificateSecretName } from './names.js';
export { MESH_MTLS_ANNOTATION, MESH_MTLS_CALLERS_ANNOTATION, type MeshMtlsMode } from './mesh-mtls.js';
export { resourcesView, type ResourcesView } from './view.js';
export { encodePlain } from './encode-plain.js';
export {
  bootstrap,
  bootstrapJson,
  bootstrapProblems,
  parseXdsAddress,
  meshResourceOf,
  BootstrapEnvError,
  BOOTSTRAP_TYPE,
  ADMIN_PORT,
  ADMIN_ACCESS_LOG,
  ADMIN_SOCKET,
  type Bootstrap,
  type BootstrapOptions,
  type AgentEnvironment,
  type FileReader,
  type XdsAddress,
  type XdsTls,
  type XdsTransport,
} from './bootstrap.js';
export { CUSTOM_CONFIG_VARIABLES, mergeCustomConfigs, type MergeResult } from './bootstrap-custom.js';
export { serviceDiscoveryName } from './tls.js';
export * from './check/index.js';
