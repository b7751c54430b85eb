/** Translation options and the mesh-level switches Amime reads from annotations. */
import { MATCH_SHORT_NAMES_ANNOTATION, type ResolvedMesh } from '../mesh/index.js';

/**
 * Mesh annotation (src/mesh/short-names.ts): `"true"` makes egress virtual hosts also
 * match the bare short name of Kubernetes-form services (`svc-v` for `svc-v.mesh-test`).
 * Off by default because App Mesh never matched it (the bare name went through the
 * egress filter instead).
 */
export { MATCH_SHORT_NAMES_ANNOTATION };

/** Certificate material for ACM ARNs, which Amime cannot fetch from AWS itself. */
export interface AcmSource {
  /** PEM chain and key of an ACM certificate, by certificate ARN. */
  certificate(arn: string): { certificateChain: string; privateKey: string } | undefined;
  /** PEM bundle of an ACM Private CA's certificate, by CA ARN. */
  certificateAuthority(arn: string): string | undefined;
}

/**
 * Amime's certificate authority, as translation sees it: TLS that needs a certificate
 * or trust Amime issues (ACM without material, the mesh-level mTLS switch) refers to
 * the SDS secrets `caCertificateSecretName(group)` and `CA_TRUST_BUNDLE_SECRET` over
 * ADS; their content is added when the group is published (src/ca). Without it, such
 * TLS cannot be had (refused port, 503 cluster) as before.
 */
export interface CaTranslateOptions {
  /** SPIFFE trust domain of the workload certificates (`spiffe://<trust-domain>/…`). */
  trustDomain: string;
}

export interface TranslateWarning {
  /** Proxy group key. */
  group: string;
  message: string;
}

export interface TranslateOptions {
  /** Match bare short names of Kubernetes-form services; overrides the mesh annotation. */
  matchShortNames?: boolean;
  /** Unix socket of the local SDS agent (App Mesh controller `--sds-uds-path`). */
  sdsSocketPath?: string;
  /** Where ACM certificate and CA material comes from; without it ACM secrets are left to SDS over ADS. */
  acm?: AcmSource;
  /** Amime's CA issues what ACM used to deliver and what mesh-level mTLS needs. */
  ca?: CaTranslateOptions;
  /** Told about each thing the translation had to leave out (never about valid input). */
  onWarning?: (warning: TranslateWarning) => void;
}

export const DEFAULT_SDS_SOCKET_PATH = '/run/spire/sockets/agent.sock';

export function matchShortNames(mesh: ResolvedMesh, options: TranslateOptions): boolean {
  if (options.matchShortNames !== undefined) return options.matchShortNames;
  return mesh.resource.metadata.annotations?.[MATCH_SHORT_NAMES_ANNOTATION] === 'true';
}
