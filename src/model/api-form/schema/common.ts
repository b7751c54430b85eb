/**
 * Shapes shared by several App Mesh REST API (`2019-01-25`) specs, as the API defines
 * them (botocore/SDK model): `*Arn` casing, `Duration` with optional members, ports
 * 1..65535 everywhere. Unions reuse the model's exactly-one keyword so one checker
 * reports both forms' problems the same way.
 */
import { Type, type Static } from '@sinclair/typebox';
import {
  Enum,
  ExactInteger,
  Int32Count,
  Obj,
  Str,
  UInt32Count,
  Union,
  maxDuration,
} from '../../schema/common.js';
import { MAX_DURATION_MS } from '../../schema/bounds.js';

const opt = Type.Optional;

export const ResourceName = Str({ minLength: 1, maxLength: 255 });
export const AccountId = Str({ minLength: 12, maxLength: 12 });
export const FilePath = Str({ minLength: 1, maxLength: 255 });

const durationOf = (minimum: number) =>
  Obj(
    {
      unit: opt(Enum(['s', 'ms'] as const)),
      value: opt(Type.Integer({ minimum, maximum: MAX_DURATION_MS })),
    },
    maxDuration(),
  );
export const Duration = durationOf(0);
/** Envoy refuses 0 here (outlier_detection.interval and base_ejection_time must be > 0). */
const PositiveDuration = durationOf(1);

export const PortNumber = Type.Integer({ minimum: 1, maximum: 65535 });
export const PortProtocol = Enum(['http', 'tcp', 'http2', 'grpc'] as const);
export const GatewayPortProtocol = Enum(['http', 'http2', 'grpc'] as const);
export const PortMapping = Obj({ port: PortNumber, protocol: PortProtocol });
export const IpPreference = Enum(['IPv6_PREFERRED', 'IPv4_PREFERRED', 'IPv4_ONLY', 'IPv6_ONLY'] as const);
export type IpPreference = Static<typeof IpPreference>;

// ── TLS ─────────────────────────────────────────────────────────────────────
export const FileCertificate = Obj({ certificateChain: FilePath, privateKey: FilePath });
export const SdsCertificate = Obj({ secretName: Str() });
export const AcmCertificate = Obj({ certificateArn: Str() });
export const AcmTrust = Obj({ certificateAuthorityArns: Type.Array(Str(), { minItems: 1, maxItems: 3 }) });
export const FileTrust = Obj({ certificateChain: FilePath });
export const SdsTrust = Obj({ secretName: Str() });
export const SubjectAlternativeNames = Obj({
  match: Obj({ exact: Type.Array(Str({ minLength: 1, maxLength: 254 })) }),
});

export const ListenerTlsCertificate = Union({
  acm: AcmCertificate,
  file: FileCertificate,
  sds: SdsCertificate,
});
export const ListenerTlsMode = Enum(['STRICT', 'PERMISSIVE', 'DISABLED'] as const);
export const ListenerTlsValidationContext = Obj({
  subjectAlternativeNames: opt(SubjectAlternativeNames),
  trust: Union({ file: FileTrust, sds: SdsTrust }),
});
export const ListenerTls = Obj({
  certificate: ListenerTlsCertificate,
  mode: ListenerTlsMode,
  validation: opt(ListenerTlsValidationContext),
});

export const TlsValidationContext = Obj({
  subjectAlternativeNames: opt(SubjectAlternativeNames),
  trust: Union({ acm: AcmTrust, file: FileTrust, sds: SdsTrust }),
});
export const ClientPolicyTls = Obj({
  certificate: opt(Union({ file: FileCertificate, sds: SdsCertificate })),
  enforce: opt(Type.Boolean()),
  ports: opt(Type.Array(PortNumber)),
  validation: TlsValidationContext,
});
export const ClientPolicy = Obj({ tls: opt(ClientPolicyTls) });
export const BackendDefaults = Obj({ clientPolicy: opt(ClientPolicy) });

// ── health checks, pools, timeouts, outlier detection ───────────────────────
const healthCheck = {
  healthyThreshold: Type.Integer({ minimum: 2, maximum: 10 }),
  intervalMillis: Type.Integer({ minimum: 5000, maximum: 300000 }),
  path: opt(Str()),
  port: opt(PortNumber),
  timeoutMillis: Type.Integer({ minimum: 2000, maximum: 60000 }),
  unhealthyThreshold: Type.Integer({ minimum: 2, maximum: 10 }),
};
export const HealthCheckPolicy = Obj({ ...healthCheck, protocol: PortProtocol });
export const VirtualGatewayHealthCheckPolicy = Obj({ ...healthCheck, protocol: GatewayPortProtocol });

export const OutlierDetection = Obj({
  baseEjectionDuration: PositiveDuration,
  interval: PositiveDuration,
  maxEjectionPercent: Type.Integer({ minimum: 0, maximum: 100 }),
  maxServerErrors: UInt32Count(1),
});

export const HttpTimeout = Obj({ idle: opt(Duration), perRequest: opt(Duration) });
export const TcpTimeout = Obj({ idle: opt(Duration) });

export const HttpConnectionPool = Obj({
  maxConnections: Int32Count(1),
  maxPendingRequests: opt(Int32Count(1)),
});
export const RequestsConnectionPool = Obj({ maxRequests: Int32Count(1) });
export const TcpConnectionPool = Obj({ maxConnections: Int32Count(1) });

// ── logging ─────────────────────────────────────────────────────────────────
export const LoggingFormat = Union({
  json: Type.Array(
    Obj({ key: Str({ minLength: 1, maxLength: 100 }), value: Str({ minLength: 1, maxLength: 100 }) }),
  ),
  text: Str({ minLength: 1, maxLength: 1000 }),
});
export const Logging = Obj({
  accessLog: opt(Union({ file: Obj({ format: opt(LoggingFormat), path: FilePath }) })),
});

// ── matching ────────────────────────────────────────────────────────────────
const HeaderMatchValue = Str({ minLength: 1, maxLength: 255 });
export const MatchRange = Obj({ end: ExactInteger(), start: ExactInteger() });
export const MatchMethod = Union({
  exact: HeaderMatchValue,
  prefix: HeaderMatchValue,
  range: MatchRange,
  regex: HeaderMatchValue,
  suffix: HeaderMatchValue,
});
export const HeaderMatch = Obj({
  invert: opt(Type.Boolean()),
  match: opt(MatchMethod),
  name: Str({ minLength: 1, maxLength: 50 }),
});
export const HttpPathMatch = Obj({
  exact: opt(Str({ minLength: 1, maxLength: 255 })),
  regex: opt(Str({ minLength: 1, maxLength: 255 })),
});
export const QueryParameter = Obj({ match: opt(Obj({ exact: opt(Str()) })), name: Str() });
export const HttpMethod = Enum([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
] as const);
export const HttpScheme = Enum(['http', 'https'] as const);
export const ListenerPort = Type.Integer({ minimum: 1, maximum: 65535 });

// ── tags ────────────────────────────────────────────────────────────────────
export const TagRef = Obj({
  key: Str({ minLength: 1, maxLength: 128 }),
  value: Str({ minLength: 0, maxLength: 256 }),
});
export type TagRef = Static<typeof TagRef>;
export const TagList = Type.Array(TagRef, { minItems: 0, maxItems: 50 });
