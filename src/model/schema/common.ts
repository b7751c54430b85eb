/** Sub-types shared by several kinds (appmesh.md §1.1). */
import {
  FormatRegistry,
  Kind,
  Type,
  TypeRegistry,
  type Static,
  type TSchema,
  type TObject,
  type TOptional,
  type TProperties,
  type ObjectOptions,
} from '@sinclair/typebox';
import {
  AT_LEAST_ONE,
  AT_MOST_ONE,
  EXACTLY_ONE,
  SYSTEM_POPULATED,
  API_DEFAULT,
  MAX_DURATION_MS_KEYWORD,
} from './annotations.js';
import { MAX_DURATION_MS, MAX_EXACT_INTEGER, MAX_INT32, MAX_UINT32 } from './bounds.js';

const opt = Type.Optional;

/** A union encoded App Mesh style: an object whose members are optional, exactly one set. */
export function Union<P extends TProperties>(
  props: P,
  options: ObjectOptions = {},
): TObject<{ [K in keyof P]: TOptional<P[K]> }> {
  const optional = Object.fromEntries(
    Object.entries(props).map(([k, v]) => [k, Type.Optional(v as TSchema)]),
  );
  return Type.Object(optional, { ...options, [EXACTLY_ONE]: Object.keys(props) }) as never;
}

export function Obj<P extends TProperties>(props: P, options: ObjectOptions = {}): TObject<P> {
  return Type.Object(props, options);
}

export const atMostOne = (...keys: string[]): ObjectOptions => ({ [AT_MOST_ONE]: keys });
export const atLeastOne = (...keys: string[]): ObjectOptions => ({ [AT_LEAST_ONE]: keys });
export const exactlyOne = (...keys: string[]): ObjectOptions => ({ [EXACTLY_ONE]: keys });
export const apiDefault = (value: unknown): Record<string, unknown> => ({ [API_DEFAULT]: value });

export const Int64 = (opts: { minimum?: number; maximum?: number; description?: string } = {}) =>
  Type.Integer(opts);
export const Str = (
  opts: { minLength?: number; maxLength?: number; description?: string; pattern?: string } = {},
) => Type.String(opts);
// A string enum rendered as JSON Schema `{type: string, enum: [...]}` (what CRDs use),
// checked through a registered kind since TypeBox has no native string-enum kind.
TypeRegistry.Set<{ enum: string[] }>(
  'StringEnum',
  (schema, value) => typeof value === 'string' && schema.enum.includes(value),
);
// RFC 3339 timestamps as Kubernetes writes them (conditions' lastTransitionTime).
FormatRegistry.Set('date-time', (value) =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value),
);

export function Enum<const T extends readonly string[]>(values: T, description?: string) {
  return Type.Unsafe<T[number]>({
    [Kind]: 'StringEnum',
    type: 'string',
    enum: [...values],
    ...(description ? { description } : {}),
  });
}

/** The longest duration Envoy can hold, in either unit (bounds.ts). */
export const maxDuration = (): ObjectOptions => ({ [MAX_DURATION_MS_KEYWORD]: MAX_DURATION_MS });
const durationOf = (minimum: number) =>
  Obj(
    {
      unit: Enum(['s', 'ms'] as const),
      value: Int64({ minimum, maximum: MAX_DURATION_MS }),
    },
    maxDuration(),
  );
export const Duration = durationOf(0);
export type Duration = Static<typeof Duration>;
/** Envoy refuses 0 here (outlier_detection.interval and base_ejection_time must be > 0). */
export const PositiveDuration = durationOf(1);

export const PortNumber = Int64({ minimum: 1, maximum: 65535 });
/**
 * Match / target ports: the CRD says int64 ≥ 0, but App Mesh's API (`ListenerPort`)
 * refused anything outside 1..65535, so the controller could never create such a route.
 */
export const MatchPort = Int64({ minimum: 1, maximum: 65535 });
/** Counts Envoy holds as `UInt32Value`; App Mesh's API sets only the minimum. */
export const UInt32Count = (minimum: number) => Int64({ minimum, maximum: MAX_UINT32 });
/** Counts App Mesh's API types as `integer` (32-bit). */
export const Int32Count = (minimum: number) => Int64({ minimum, maximum: MAX_INT32 });
/** int64 in App Mesh; JavaScript holds integers exactly only up to 2^53 - 1. */
export const ExactInteger = () => Int64({ minimum: -MAX_EXACT_INTEGER, maximum: MAX_EXACT_INTEGER });

export const PortProtocol = Enum(['grpc', 'http', 'http2', 'tcp'] as const);
export type PortProtocol = Static<typeof PortProtocol>;
export const GatewayPortProtocol = Enum(['grpc', 'http', 'http2'] as const);

export const PortMapping = Obj({ port: PortNumber, protocol: PortProtocol });
export type PortMapping = Static<typeof PortMapping>;
export const GatewayPortMapping = Obj({ port: PortNumber, protocol: GatewayPortProtocol });

// ── references ──────────────────────────────────────────────────────────────
const NamespacedRef = (what: string) =>
  Obj({
    name: Str({ description: `name of the ${what}` }),
    namespace: opt(Str({ description: 'defaults to the namespace of the referencing object' })),
  });

export const VirtualNodeReference = NamespacedRef('VirtualNode');
export const VirtualServiceReference = NamespacedRef('VirtualService');
export const VirtualRouterReference = NamespacedRef('VirtualRouter');
export const BackendGroupReference = NamespacedRef('BackendGroup');
export type ObjectReference = Static<typeof VirtualNodeReference>;

export const MeshReference = Obj(
  { name: Str(), uid: Str() },
  { [SYSTEM_POPULATED]: true, description: 'set by the mutating webhook; users may not set it on create' },
);
export type MeshReference = Static<typeof MeshReference>;

export const VirtualGatewayReference = Obj(
  { name: Str(), namespace: opt(Str()), uid: Str() },
  { [SYSTEM_POPULATED]: true, description: 'set by the mutating webhook; users may not set it on create' },
);

// ── selectors ───────────────────────────────────────────────────────────────
export const LabelSelectorRequirement = Obj({
  key: Str(),
  operator: Str({ description: 'In, NotIn, Exists or DoesNotExist' }),
  values: opt(Type.Array(Str())),
});
export const LabelSelector = Obj({
  matchLabels: opt(Type.Record(Type.String(), Type.String())),
  matchExpressions: opt(Type.Array(LabelSelectorRequirement)),
});
export type LabelSelector = Static<typeof LabelSelector>;

// ── matching ────────────────────────────────────────────────────────────────
export const MatchRange = Obj({ start: ExactInteger(), end: ExactInteger() });
const Len255 = Str({ minLength: 1, maxLength: 255 });
/** HeaderMatchMethod and GRPCRouteMetadataMatchMethod share this shape. */
export const MatchMethod = Union({
  exact: Len255,
  prefix: Len255,
  range: MatchRange,
  regex: Len255,
  suffix: Len255,
});
export type MatchMethod = Static<typeof MatchMethod>;

export const HeaderMatch = Obj({
  invert: opt(Type.Boolean()),
  match: opt(MatchMethod),
  name: Str({ minLength: 1, maxLength: 50 }),
});
export type HeaderMatch = Static<typeof HeaderMatch>;

export const HTTPPathMatch = Union({ exact: Len255, regex: Len255 });
export const QueryParameterMatch = Obj({
  name: Str(),
  match: opt(Obj({ exact: opt(Str()) })),
});
export const HTTPMethod = Enum([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
] as const);
export const HTTPScheme = Enum(['http', 'https'] as const);

// ── TLS ─────────────────────────────────────────────────────────────────────
const Len1to255 = Str({ minLength: 1, maxLength: 255 });
export const FileCertificate = Obj({ certificateChain: Len1to255, privateKey: Len1to255 });
export const SDSCertificate = Obj({ secretName: Str() });
export const ACMCertificate = Obj({ certificateARN: Str() });
export const ACMTrust = Obj({ certificateAuthorityARNs: Type.Array(Str(), { minItems: 1, maxItems: 3 }) });
export const FileTrust = Obj({ certificateChain: Len1to255 });
export const SDSTrust = Obj({ secretName: Str() });

export const SubjectAlternativeNames = Obj({
  match: Obj({ exact: Type.Array(Str()) }),
});

export const ListenerTLSCertificate = Union({
  acm: ACMCertificate,
  file: FileCertificate,
  sds: SDSCertificate,
});
export const ListenerTLSMode = Enum(['DISABLED', 'PERMISSIVE', 'STRICT'] as const);

/** Listener mTLS validation: no ACM trust on virtual node listeners. */
export const VirtualNodeListenerTLSValidation = Obj({
  subjectAlternativeNames: opt(SubjectAlternativeNames),
  trust: Union({ file: FileTrust, sds: SDSTrust }),
});
export const VirtualGatewayListenerTLSValidation = Obj({
  subjectAlternativeNames: opt(SubjectAlternativeNames),
  trust: Union({ acm: ACMTrust, file: FileTrust, sds: SDSTrust }),
});

/** A listener's TLS block; the kinds differ only in which trusts validation accepts. */
export function ListenerTLS<V extends TSchema>(validation: V) {
  return Obj({
    certificate: ListenerTLSCertificate,
    mode: ListenerTLSMode,
    validation: Type.Optional(validation),
  });
}

export const ClientTLSValidation = Obj({
  subjectAlternativeNames: opt(SubjectAlternativeNames),
  trust: Union({ acm: ACMTrust, file: FileTrust, sds: SDSTrust }),
});
export const ClientPolicyTLS = Obj({
  certificate: opt(Union({ file: FileCertificate, sds: SDSCertificate })),
  enforce: opt(Type.Boolean(apiDefault(true))),
  ports: opt(Type.Array(PortNumber)),
  validation: ClientTLSValidation,
});
export const ClientPolicy = Obj({ tls: opt(ClientPolicyTLS) });
export type ClientPolicy = Static<typeof ClientPolicy>;
export const BackendDefaults = Obj({ clientPolicy: opt(ClientPolicy) });

// ── health checks, pools, timeouts, outlier detection ───────────────────────
const healthCheckFields = {
  intervalMillis: Int64({ minimum: 5000, maximum: 300000 }),
  path: opt(Str({ description: 'used for http and http2 only' })),
  port: opt(PortNumber),
  timeoutMillis: Int64({ minimum: 2000, maximum: 60000 }),
  unhealthyThreshold: Int64({ minimum: 2, maximum: 10 }),
};
/** Virtual node listeners: every threshold is required. */
export const VirtualNodeHealthCheck = Obj({
  ...healthCheckFields,
  healthyThreshold: Int64({ minimum: 2, maximum: 10 }),
  protocol: PortProtocol,
});
export type HealthCheck = Static<typeof VirtualNodeHealthCheck>;
/** Virtual gateway listeners: the CRD does not require healthyThreshold (AWS does). */
export const VirtualGatewayHealthCheck = Obj({
  ...healthCheckFields,
  healthyThreshold: opt(Int64({ minimum: 2, maximum: 10 })),
  protocol: GatewayPortProtocol,
});

export const OutlierDetection = Obj({
  baseEjectionDuration: PositiveDuration,
  interval: PositiveDuration,
  maxEjectionPercent: Int64({ minimum: 0, maximum: 100 }),
  maxServerErrors: UInt32Count(1),
});
export type OutlierDetection = Static<typeof OutlierDetection>;

export const HTTPTimeout = Obj({ idle: opt(Duration), perRequest: opt(Duration) });
export const TCPTimeout = Obj({ idle: opt(Duration) });

export const HTTPConnectionPool = Obj({
  maxConnections: Int32Count(1),
  maxPendingRequests: opt(Type.Integer({ minimum: 1, maximum: MAX_INT32, ...apiDefault(MAX_INT32) })),
});
export const RequestsConnectionPool = Obj({ maxRequests: Int32Count(1) });
export const TCPConnectionPool = Obj({ maxConnections: Int32Count(1) });

// ── logging ─────────────────────────────────────────────────────────────────
export const JSONFormatRef = Obj({ key: Str({ minLength: 1 }), value: Str({ minLength: 1 }) });
export const LoggingFormat = Union({ json: Type.Array(JSONFormatRef), text: Str() });
export const FileAccessLog = Obj({ format: opt(LoggingFormat), path: Len1to255 });
export const Logging = Obj({ accessLog: opt(Obj({ file: opt(FileAccessLog) })) });
export type Logging = Static<typeof Logging>;

// ── status ──────────────────────────────────────────────────────────────────
/**
 * A status condition. The controller writes these; App Mesh's CRD types `type` and
 * `status` as plain strings, so exported objects carrying other values still load.
 * The types App Mesh writes are `<Kind>Active`, and `status` True, False or Unknown.
 */
export const Condition = Obj({
  type: Str(),
  status: Str(),
  lastTransitionTime: opt(Type.String({ format: 'date-time' })),
  reason: opt(Str()),
  message: opt(Str()),
});

export function Status<P extends TProperties>(props: P) {
  return Obj({
    ...props,
    observedGeneration: opt(Type.Integer()),
    conditions: opt(Type.Array(Condition)),
  });
}
