/**
 * Who is at the other end of an xDS stream, and what they may do.
 *
 * Authentication (a bearer token, or a verified client certificate) yields a
 * Principal; authorization asks the principal's IAM policies whether
 * `appmesh:StreamAggregatedResources` is allowed on the proxy's resource ARN, as
 * App Mesh does. The interface is small so other schemes (SigV4, OIDC) can plug in.
 */
import type { PeerCertificate } from 'node:tls';
import { evaluate, type CompiledPolicy, type EvaluationResult } from './iam-policy.js';

/** What a stream presents: request metadata and, over mTLS, the verified client certificate. */
export interface Credentials {
  /** Request metadata lookup (gRPC `Metadata.get`). */
  readonly metadata: { get(key: string): ReadonlyArray<string | Buffer> };
  /** Set only when the TLS layer verified the certificate against the server's CA. */
  readonly peerCertificate?: PeerCertificate;
  /** `ip:port` of the peer, for logs. */
  readonly peer: string;
  /** The request's `:authority` (SigV4 signs it as `host`). */
  readonly authority?: string;
  /** The gRPC method path (`/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources`). */
  readonly path?: string;
}

export interface Principal {
  readonly name: string;
  /** How the principal proved who it is. */
  readonly method: 'token' | 'certificate' | 'sigv4' | 'none';
  authorize(action: string, resourceArn: string): EvaluationResult;
}

export type AuthenticationResult =
  { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly message: string };

export interface Authenticator {
  authenticate(credentials: Credentials): AuthenticationResult | Promise<AuthenticationResult>;
}

/** A principal whose permissions are IAM policy documents. */
export class PolicyPrincipal implements Principal {
  constructor(
    readonly name: string,
    readonly method: 'token' | 'certificate' | 'sigv4',
    readonly policies: readonly CompiledPolicy[],
  ) {}

  authorize(action: string, resourceArn: string): EvaluationResult {
    return evaluate(this.policies, action, resourceArn);
  }
}

/** `authorization: Bearer <token>` → the token; undefined when absent or of another scheme. */
export function bearerToken(credentials: Credentials): string | undefined {
  for (const v of credentials.metadata.get('authorization')) {
    const s = typeof v === 'string' ? v : v.toString('utf8');
    const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(s);
    if (m) return m[1];
  }
  return undefined;
}

/** Subject CN and URI SANs of a peer certificate. */
export function certificateNames(cert: PeerCertificate): { subjectCN?: string; uriSans: string[] } {
  const cnRaw: unknown = cert.subject?.CN;
  const subjectCN = Array.isArray(cnRaw) ? String(cnRaw[0]) : typeof cnRaw === 'string' ? cnRaw : undefined;
  const uriSans: string[] = [];
  for (const part of (cert.subjectaltname ?? '').split(/,\s*/)) {
    if (part.startsWith('URI:')) uriSans.push(part.slice(4));
  }
  return { ...(subjectCN !== undefined ? { subjectCN } : {}), uriSans };
}
