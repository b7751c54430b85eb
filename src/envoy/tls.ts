/**
 * TLS: listener (server) contexts for STRICT/PERMISSIVE listeners with optional mTLS
 * validation, and client contexts on egress clusters from client policies and
 * backendDefaults (appmesh.md §1.1, §4.4).
 *
 * Certificates: `file` → paths in the proxy's file system; `sds` → the local SDS
 * agent (SPIRE) through `static_cluster_sds_unix_socket`, as App Mesh; `acm` → an SDS
 * secret over ADS named by the ARN, served from `options.acm` when it has the material
 * (without it the proxy waits for the secret: it never falls back to plaintext).
 */
import type { ClientPolicy } from '../model/index.js';
import type { ResolvedVirtualNode } from '../mesh/index.js';
import { typedConfig, EXT } from '../proto/index.js';
import { shared, type TranslateContext } from './context.js';
import { DEFAULT_SDS_SOCKET_PATH } from './options.js';
import { FILTER, SDS_CLUSTER } from './names.js';
import { durationFromMillis } from './duration.js';
import type {
  CertificateValidationContext,
  Cluster,
  CommonTlsContext,
  ConfigSource,
  DownstreamTlsContext,
  HttpProtocolOptions,
  SdsSecretConfig,
  TransportSocket,
  UpstreamTlsContext,
} from './types.js';

type Cert = {
  acm?: { certificateARN: string };
  file?: { certificateChain: string; privateKey: string };
  sds?: { secretName: string };
};
type Trust = {
  acm?: { certificateAuthorityARNs: string[] };
  file?: { certificateChain: string };
  sds?: { secretName: string };
};
export interface TlsValidation {
  trust: Trust;
  subjectAlternativeNames?: { match: { exact: string[] } };
}
export interface ListenerTls {
  mode: 'DISABLED' | 'PERMISSIVE' | 'STRICT';
  certificate: Cert;
  validation?: TlsValidation;
}

/** The local SDS agent as a config source; adds its cluster to the group. */
function localSds(ctx: TranslateContext): ConfigSource {
  ctx.out.addCluster(sdsCluster(ctx.options.sdsSocketPath ?? DEFAULT_SDS_SOCKET_PATH));
  return {
    api_config_source: {
      api_type: 'GRPC',
      transport_api_version: 'V3',
      grpc_services: [{ envoy_grpc: { cluster_name: SDS_CLUSTER } }],
    },
    resource_api_version: 'V3',
  };
}

/** `static_cluster_sds_unix_socket`: HTTP/2 to the SDS agent's Unix socket. */
export function sdsCluster(socketPath: string): Cluster {
  const h2: HttpProtocolOptions = { explicit_http_config: { http2_protocol_options: {} } };
  return {
    name: SDS_CLUSTER,
    type: 'STATIC',
    connect_timeout: durationFromMillis(1000),
    load_assignment: {
      cluster_name: SDS_CLUSTER,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { pipe: { path: socketPath } } } }] }],
    },
    typed_extension_protocol_options: {
      [FILTER.httpProtocolOptions]: typedConfig(EXT.httpProtocolOptions, h2),
    },
  };
}

const ADS: ConfigSource = { ads: {}, resource_api_version: 'V3' };

/** The ACM certificate as an ADS secret; undefined (with a warning) when there is no material for it. */
function acmCertificate(ctx: TranslateContext, arn: string): SdsSecretConfig | undefined {
  const material = ctx.options.acm?.certificate(arn);
  if (!material) {
    ctx.warn(`ACM certificate ${arn}: no certificate material configured`);
    return undefined;
  }
  ctx.out.addSecret({
    name: arn,
    tls_certificate: {
      certificate_chain: { inline_string: material.certificateChain },
      private_key: { inline_string: material.privateKey },
    },
  });
  return { name: arn, sds_config: ADS };
}

function acmTrust(ctx: TranslateContext, arns: string[]): SdsSecretConfig | undefined {
  const name = arns.join(',');
  const bundles = arns.map((a) => ctx.options.acm?.certificateAuthority(a));
  if (!bundles.every((b): b is string => b !== undefined)) {
    ctx.warn(`ACM certificate authorities ${name}: no CA material configured`);
    return undefined;
  }
  ctx.out.addSecret({ name, validation_context: { trusted_ca: { inline_string: bundles.join('\n') } } });
  return { name, sds_config: ADS };
}

/** Adds the certificate; false when it cannot be had (ACM without material). */
function withCertificate(ctx: TranslateContext, common: CommonTlsContext, cert: Cert | undefined): boolean {
  if (!cert) return true;
  if (cert.file) {
    common.tls_certificates = [
      {
        certificate_chain: { filename: cert.file.certificateChain },
        private_key: { filename: cert.file.privateKey },
      },
    ];
  } else if (cert.sds) {
    common.tls_certificate_sds_secret_configs = [{ name: cert.sds.secretName, sds_config: localSds(ctx) }];
  } else if (cert.acm) {
    const secret = acmCertificate(ctx, cert.acm.certificateARN);
    if (!secret) return false;
    common.tls_certificate_sds_secret_configs = [secret];
  }
  return true;
}

/** SANs as typed matchers: URIs (SPIFFE IDs) by URI, everything else by DNS name. */
function sanMatchers(
  sans: ReadonlyArray<string>,
): CertificateValidationContext['match_typed_subject_alt_names'] {
  return sans.map((s) => ({ san_type: s.includes('://') ? 'URI' : 'DNS', matcher: { exact: s } }));
}

/** Adds the validation; false when it cannot be had (ACM without material). */
function withValidation(
  ctx: TranslateContext,
  common: CommonTlsContext,
  v: TlsValidation,
  sans: ReadonlyArray<string>,
): boolean {
  const matchers: CertificateValidationContext =
    sans.length > 0 ? { match_typed_subject_alt_names: sanMatchers(sans) } : {};
  if (v.trust.file) {
    common.validation_context = { trusted_ca: { filename: v.trust.file.certificateChain }, ...matchers };
  } else if (v.trust.sds) {
    common.combined_validation_context = {
      default_validation_context: matchers,
      validation_context_sds_secret_config: { name: v.trust.sds.secretName, sds_config: localSds(ctx) },
    };
  } else if (v.trust.acm) {
    const secret = acmTrust(ctx, v.trust.acm.certificateAuthorityARNs);
    if (!secret) return false;
    common.combined_validation_context = {
      default_validation_context: matchers,
      validation_context_sds_secret_config: secret,
    };
  }
  return true;
}

/**
 * Server side of a STRICT or PERMISSIVE listener; mTLS when `validation` is set.
 * Undefined when the certificate or trust cannot be had: the caller then refuses the
 * port rather than serve it in plaintext.
 */
export function downstreamTransportSocket(
  ctx: TranslateContext,
  tls: ListenerTls,
): TransportSocket | undefined {
  const common: CommonTlsContext = {};
  if (!withCertificate(ctx, common, tls.certificate)) return undefined;
  const context: DownstreamTlsContext = { common_tls_context: common };
  if (tls.validation) {
    if (
      !withValidation(ctx, common, tls.validation, tls.validation.subjectAlternativeNames?.match.exact ?? [])
    )
      return undefined;
    context.require_client_certificate = { value: true };
  }
  return { name: FILTER.tlsTransport, typed_config: typedConfig(EXT.downstreamTlsContext, context) };
}

/** The name a target presents: its service-discovery name (App Mesh's default SAN and SNI). */
export function serviceDiscoveryName(node: ResolvedVirtualNode): string {
  const sd = node.resource.spec.serviceDiscovery;
  if (sd?.dns) return sd.dns.hostname;
  if (sd?.awsCloudMap) return `${sd.awsCloudMap.serviceName}.${sd.awsCloudMap.namespaceName}`;
  return node.awsName;
}

/** No TLS context can be built (ACM material missing): the cluster must not carry traffic. */
export const TLS_UNAVAILABLE = 'unavailable';

/**
 * Client side of an egress cluster to `node`'s listener on `port`. A client policy
 * applies when not `enforce: false` and its `ports` (if any) include the port; without
 * one, the server decides (STRICT/PERMISSIVE ⇒ TLS without validation; appmesh.md §4.4).
 */
export function upstreamTransportSocket(
  ctx: TranslateContext,
  policy: ClientPolicy | undefined,
  node: ResolvedVirtualNode,
  port: number,
): TransportSocket | undefined | typeof TLS_UNAVAILABLE {
  const tls = policy?.tls;
  const applies =
    tls !== undefined &&
    tls.enforce !== false &&
    (!tls.ports || tls.ports.length === 0 || tls.ports.includes(port));
  const sni = serviceDiscoveryName(node);
  if (applies) {
    const key = `upstream-tls:${sni}:${JSON.stringify(tls)}`;
    return shared(ctx, key, (): TransportSocket | typeof TLS_UNAVAILABLE => {
      const common: CommonTlsContext = {};
      if (!withCertificate(ctx, common, tls.certificate)) return TLS_UNAVAILABLE;
      if (
        !withValidation(
          ctx,
          common,
          tls.validation,
          tls.validation.subjectAlternativeNames?.match.exact ?? [sni],
        )
      )
        return TLS_UNAVAILABLE;
      const context: UpstreamTlsContext = { sni, common_tls_context: common };
      return { name: FILTER.tlsTransport, typed_config: typedConfig(EXT.upstreamTlsContext, context) };
    });
  }
  const listener = node.resource.spec.listeners?.find((l) => l.portMapping.port === port);
  const mode = listener?.tls?.mode;
  if (mode === 'STRICT' || mode === 'PERMISSIVE') {
    return shared(ctx, `upstream-tls:${sni}:server`, () => {
      const context: UpstreamTlsContext = { sni, common_tls_context: {} };
      return { name: FILTER.tlsTransport, typed_config: typedConfig(EXT.upstreamTlsContext, context) };
    });
  }
  return undefined;
}
