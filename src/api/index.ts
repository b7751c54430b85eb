/** Public surface of the App Mesh REST API. */
export { createApiServer, type ApiServerOptions } from './server.js';
export { appMeshApi, apiVerifier, type AppMeshApiOptions, type ApiRequestMetric } from './plugin.js';
export { fastifyLimits, DEFAULT_HTTP_LIMITS, DEFAULT_BODY_LIMITS, type HttpLimits } from './http-limits.js';
export { OPERATIONS, API_PREFIX, locationPath, type OperationSpec } from './operations.js';
export { ApiError, ERROR_STATUS, type ApiErrorName } from './errors.js';
export { graphValidator, type MeshValidator } from './validate.js';
export {
  createSigV4Verifier,
  loadCredentialsFile,
  type SigV4Credential,
  type SigV4Verifier,
} from './sigv4.js';
export type { RateLimitOptions } from './rate-limit.js';
export { API_METADATA_ANNOTATION } from './metadata.js';
export { Catalog } from './catalog.js';
export {
  planApply,
  applyStep,
  stepPath,
  sameJson,
  APPLY_ORDER,
  type ApplyStep,
  type ApplyPlan,
  type ApplyOutcome,
  type StepResult,
} from './apply-plan.js';
export {
  AppMeshHttpClient,
  AppMeshClientError,
  credentialsFromEnv,
  type ClientCredentials,
  type AppMeshClientOptions,
} from './client.js';
export { TokenLedger } from './token-ledger.js';
