/**
 * The ca stage: Amime's certificate authority — roots in the store or an operator's
 * CA, workload certificates kept current, the `amime ca` view. Other stages import it
 * from here only (docs/ARCHITECTURE.md, "Boundaries").
 */
export { CaError } from './errors.js';
export { parseDuration } from './duration.js';
export {
  CaRuntime,
  DEFAULT_ACTIVATE_AFTER_MS,
  type CaRuntimeOptions,
  type RotateRequest,
} from './runtime.js';
export { ephemeralKek, kekFile, type KekSource } from './built-in.js';
export { storeAuthorityRecord, AUTHORITY_RECORD_KEY, type AuthorityRecord } from './record.js';
export { parseAuthorityState, type AuthorityState } from './state.js';
export { checkTrustDomain, DEFAULT_TRUST_DOMAIN, MeshIdentities, type ServiceAccountOf } from './identity.js';
export type { IssuedCertificate, WorkloadIdentity } from './issue.js';
export type { CertificateChange, WorkloadCertificateStats } from './workloads.js';
export type { CaView, CertificateView, RootView } from './describe.js';
export { loadX509, type X509 } from './x509.js';
