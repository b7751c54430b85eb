/** Public surface of Amime's Kubernetes side. */
export { KubernetesRuntime, type KubernetesRuntimeOptions } from './runtime.js';
export {
  KubernetesController,
  type ControllerOptions,
  type ControllerLogger,
  type GraphUpdate,
} from './controller.js';
export { ClusterCache, type CacheChange, type ClusterCacheOptions } from './cluster-cache.js';
export { KubernetesStore, type KubernetesStoreOptions } from './kubernetes-store.js';
export { KubernetesEndpoints, computeEndpoints, type EndpointsListener } from './endpoints.js';
export {
  TokenReviewAuthenticator,
  ServiceAccountPrincipal,
  identitiesOf,
  type TokenReviewAuthenticatorOptions,
  type PlacementSource,
} from './xds-auth.js';
export { LeaderElector, type LeaderElectionOptions } from './leader-election.js';
export {
  RestKubeClient,
  KubeApiError,
  isKubeError,
  type KubeClient,
  type PatchType,
  type WatchEvent,
} from './rest-client.js';
export { Reflector, type Change, type ChangeType, type ReflectorOptions } from './reflector.js';
export {
  desiredStatus,
  statusMergePatch,
  type AppMeshStatus,
  type Condition,
  type StatusInputs,
} from './status.js';
export {
  planFinalizers,
  MESH_MEMBERS_FINALIZER,
  VIRTUAL_GATEWAY_MEMBERS_FINALIZER,
  AWS_RESOURCES_FINALIZER,
  type FinalizerUpdate,
} from './finalizers.js';
export { toGraphInput, idKey, type ConvertedInput, type InputObjects } from './graph-input.js';
export { placements, errorsOf, rootCausesOf, type Placement } from './placement.js';
export {
  AdmissionWebhookServer,
  type AdmissionHandler,
  type WebhookServerOptions,
  type WebhookTls,
} from './webhook/server.js';
export {
  SelfSignedWebhookCertificate,
  WEBHOOK_CONFIGURATIONS,
  WEBHOOK_SERVICE,
  WEBHOOK_TLS_SECRET,
  apiUnreachable,
  type SelfSignedOptions,
  type SecretAction,
  type SyncResult,
} from './webhook/self-signed.js';
export {
  syncCaBundle,
  caBundleOf,
  type CaBundleSync,
  type WebhookConfigurationNames,
} from './webhook/ca-bundle.js';
export {
  generateWebhookCertificate,
  checkWebhookCertificate,
  webhookDnsNames,
  type WebhookCertificate,
  type CertificateCheck,
} from './webhook/certificate.js';
export {
  admissionHandlers,
  mutatePath,
  validatePath,
  POD_WEBHOOK_PATH,
  type HandlerDeps,
} from './webhook/handlers.js';
export { mutateCrd, validateCrd, type CrdAdmissionDeps } from './webhook/crd-admission.js';
export { admissionObjects } from './webhook/admission-objects.js';
export type {
  AdmissionRequest,
  AdmissionResponse,
  AdmissionReview,
  AdmissionVerdict,
} from './webhook/admission-review.js';
export { mutatePod, type PodMutation, type MutatePodInput } from './inject/mutate-pod.js';
export {
  decideInjection,
  injectionMode,
  type InjectionDecision,
  type InjectionMode,
} from './inject/decide.js';
export {
  DEFAULT_INJECTOR_CONFIG,
  flavourOf,
  type InjectorConfig,
  type SidecarFlavour,
} from './inject/config.js';
export { envoyBootstrap, type BootstrapOptions } from './inject/bootstrap.js';
export type { KubeObject, Pod, Namespace, EndpointSlice, Lease, Container } from './objects.js';
