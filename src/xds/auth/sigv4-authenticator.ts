/**
 * SigV4-signed xDS streams, as the App Mesh Envoy image sends them when its agent
 * writes the bootstrap (APPMESH_XDS_ENDPOINT): Envoy's `envoy.grpc_credentials.aws_iam`
 * call credentials sign a bodiless `POST <gRPC method path>` for `host` = the stream's
 * `:authority` (without a default port), service `appmesh`, and send the result as
 * metadata `authorization`, `x-amz-date`, `x-amz-content-sha256` and, with temporary
 * credentials, `x-amz-security-token` (envoy `source/extensions/grpc_credentials/aws_iam/config.cc`
 * GetMetadata/buildMessageToSign and `source/extensions/common/aws/signer_impl.cc` sign;
 * the agent's bootstrap: aws/amazon-ecs-service-connect-agent@1ba8235
 * agent/envoy_bootstrap/envoy_bootstrap.go l.603-650).
 *
 * The request is rebuilt from that metadata and checked by a SigV4 verifier that knows
 * the secret of each access key (the REST API's, with the same credentials file);
 * the verified access key is then the principal its `accessKeyId` names in the proxy
 * credentials file, whose IAM policies are evaluated as for any principal. What this
 * cannot verify: temporary STS credentials (a task role's), whose secret only AWS
 * knows — such a stream is refused unless its key is in the credentials file.
 * Streams without a SigV4 `authorization` go to the fallback authenticator (tokens,
 * client certificates).
 */
import type { AuthConfig } from './auth-file.js';
import {
  PolicyPrincipal,
  type AuthenticationResult,
  type Authenticator,
  type Credentials,
  type Principal,
} from './authenticator.js';

/** A request to verify, in the shape of the REST API's verifier (`src/api/sigv4.ts`). */
export interface SigV4Request {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/** Resolves to the verified access key id; rejects with an Error saying why. */
export type SigV4Verify = (request: SigV4Request) => Promise<string>;

export interface SigV4AuthenticatorOptions {
  readonly verify: SigV4Verify;
  /** Access key id → the principal it authenticates. */
  readonly principals: ReadonlyMap<string, Principal>;
  /** For streams that are not SigV4-signed. */
  readonly fallback?: Authenticator;
}

const SIGV4 = /^\s*AWS4-HMAC-SHA256\s/;
/** The metadata Envoy's signer adds and may sign. */
const SIGNED_METADATA = ['authorization', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token'];

function first(credentials: Credentials, key: string): string | undefined {
  const v = credentials.metadata.get(key)[0];
  return v === undefined ? undefined : typeof v === 'string' ? v : v.toString('utf8');
}

/** Envoy signs `:authority` as `host`, without a default port (envoy aws utility `canonicalizeHeaders`). */
export function signedHost(authority: string): string {
  return authority.replace(/:(80|443)$/, '');
}

export class SigV4Authenticator implements Authenticator {
  constructor(private readonly options: SigV4AuthenticatorOptions) {}

  authenticate(credentials: Credentials): AuthenticationResult | Promise<AuthenticationResult> {
    const authorization = first(credentials, 'authorization');
    if (authorization === undefined || !SIGV4.test(authorization)) {
      if (this.options.fallback) return this.options.fallback.authenticate(credentials);
      return { ok: false, message: 'missing credentials: sign the stream with SigV4 (service appmesh)' };
    }
    return this.verify(credentials);
  }

  private async verify(credentials: Credentials): Promise<AuthenticationResult> {
    if (!credentials.authority || !credentials.path)
      return {
        ok: false,
        message: 'SigV4: the stream has no :authority or path to verify the signature against',
      };
    const headers: Record<string, string | undefined> = { host: signedHost(credentials.authority) };
    for (const key of SIGNED_METADATA) headers[key] = first(credentials, key);
    let accessKeyId: string;
    try {
      accessKeyId = await this.options.verify({ method: 'POST', url: credentials.path, headers });
    } catch (e) {
      return { ok: false, message: `SigV4: ${(e as Error).message}` };
    }
    const principal = this.options.principals.get(accessKeyId);
    if (!principal)
      return {
        ok: false,
        message: `SigV4: access key ${accessKeyId} is valid but no principal in the proxy credentials file has accessKeyId ${accessKeyId}`,
      };
    return { ok: true, principal };
  }
}

/** The principals of a proxy credentials file that name an access key, by access key id. */
export function sigv4Principals(config: AuthConfig): Map<string, Principal> {
  const out = new Map<string, Principal>();
  for (const e of config.principals)
    if (e.accessKeyId) out.set(e.accessKeyId, new PolicyPrincipal(e.name, 'sigv4', e.policies));
  return out;
}
