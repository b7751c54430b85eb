/** Public surface of the xDS server. */
export { XdsServer, CSDS_ACTION, type XdsServerOptions, type TlsOptions } from './ads-server.js';
export {
  SnapshotCache,
  CachedResource,
  TypeSnapshot,
  Snapshot,
  type SnapshotInput,
  type SnapshotOptions,
  type ResourceBytesInput,
  type EndpointsInput,
  type SetResult,
  type GroupChange,
  type GroupListener,
} from './snapshot-cache.js';
export { TYPE_URL, PUSH_ORDER, shortTypeName, type KnownTypeUrl } from './type-urls.js';
export {
  parseNodeId,
  resolveIdentity,
  defaultGroupKeyFor,
  type ClaimedIdentity,
  type IdentityResult,
  type MeshOwnerOf,
  type ProxyIdentity,
  type ProxyKind,
  type ProxyFlavour,
  type NodeInfo,
  type GroupKeyFor,
  type GroupKeyInput,
  type ParseResult,
} from './identity.js';
export { STREAM_ACTION, type ResourceOwner } from './connection.js';
export { Debouncer, KeyedDebouncer, type DebounceOptions } from './debounce.js';
export { TokenBucket, type XdsLimits } from './limits.js';
export type {
  ClientStatus,
  TypeStatus,
  ResourceStatus,
  SentStatus,
  NackStatus,
  GroupStatus,
  GroupNack,
} from './client-status.js';
export {
  XdsEvents,
  consoleLogger,
  type XdsEventMap,
  type XdsCounters,
  type XdsLogger,
  type XdsProtocol,
  type ConnectEvent,
  type DisconnectEvent,
  type RejectEvent,
  type PushEvent,
  type AckEvent,
  type NackEvent,
} from './events.js';
export {
  PolicyPrincipal,
  bearerToken,
  certificateNames,
  type Authenticator,
  type AuthenticationResult,
  type Credentials,
  type Principal,
} from './auth/authenticator.js';
export { FileAuthenticator } from './auth/file-authenticator.js';
export {
  SigV4Authenticator,
  sigv4Principals,
  signedHost,
  type SigV4AuthenticatorOptions,
  type SigV4Request,
  type SigV4Verify,
} from './auth/sigv4-authenticator.js';
export {
  loadAuthConfig,
  parseAuthConfig,
  AuthConfigError,
  type AuthConfig,
  type PrincipalEntry,
  type CertificateMatch,
} from './auth/auth-file.js';
export {
  compilePolicy,
  evaluate,
  isAllowed,
  CompiledPolicy,
  type PolicyDocument,
  type PolicyStatement,
  type Decision,
  type EvaluationResult,
} from './auth/iam-policy.js';
