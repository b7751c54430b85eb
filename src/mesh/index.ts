/** The mesh stage: resources in, the resolved and checked MeshGraph out. */
export * from './graph.js';
export { buildMeshGraph } from './build.js';
export { MeshDiagnostics, canonicalDiagnostics } from './incremental.js';
export { IncrementalGraph, type GraphBuildKind, type IncrementalTuning } from './incremental-graph.js';
export {
  graphInputFromLoad,
  validateLoaded,
  type MeshValidation,
  type ValidateOptions,
} from './from-load.js';
export { checkUpdate, checkUserSetSystemFields, type CompareOptions } from './immutability.js';
export { QUOTA_INFO, QUOTA_NAMES, describeQuota, quotaNameOf, type QuotaInfo } from './quotas.js';
export {
  selectorMatches,
  selectorProblems,
  describeSelector,
  type Labels,
  type AbsentMeans,
  type SelectorProblem,
} from './selectors.js';
export { compareDiagnostics, sortDiagnostics, isReconcileTime } from './sort.js';
export { gatewaysSelecting, meshesSelecting, meshRefName, usableMeshes } from './placement.js';
export { injectionMode, type InjectionMode } from './pods.js';
export { MATCH_SHORT_NAMES_ANNOTATION, isKubernetesServiceName } from './short-names.js';
