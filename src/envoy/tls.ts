/**
 * TLS: listener (server) contexts for STRICT/PERMISSIVE listeners with optional mTLS
 * validation, and client contexts on egress clusters from client policies and
 * backendDefaults (appmesh.md §1.1, §4.4).
 *
 * Certificates: `file` → paths in the proxy's file system; `sds` → the local SDS
 * agent (SPIRE) through `static_cluster_sds_unix_socket`, as App Mesh; `acm` → an SDS
 * secret over ADS named by the ARN, served from `options.acm` when it has the material,
 * else from Amime's CA (`options.ca`) under the CA's names (without either the port is
 * refused: it never falls back to plaintext). The mesh-level switch (mesh-mtls.ts)
 * adds listener TLS and client TLS from Amime's CA where a node has none of its own.
 */
import type { ClientPolicy } from '../model/index.js';
import type { ResolvedVirtualNode } from '../mesh/index.js';
import { typedConfig, EXT } from '../proto/index.js';
import { shared, type TranslateContext } from './context.js';
import { DEFAULT_SDS_SOCKET_PATH } from './options.js';
import { CA_TRUST_BUNDLE_SECRET, FILTER, SDS_CLUSTER, caCertificateSecretName } from './names.js';
import { depKey } from './lookup.js';
import { meshMtls, MESH_MTLS_ANNOTATION, type MeshMtls } from './mesh-mtls.js';
import { meshSpiffePrefix, namespaceSpiffePrefix } from './spiffe.js';
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

/** App Mesh's certificate sources, and `amime`: the group's certificate from Amime's CA (mesh switch). */
type Cert = {
  acm?: { certificateARN: string };
  file?: { certificateChain: string; privateKey: string };
  sds?: { secretName: string };
  amime?: true;
};
type Trust = {
  acm?: { certificateAuthorityARNs: string[] };
  file?: { certificateChain: string };
  sds?: { secretName: string };
  amime?: true;
};
export interface TlsValidation {
  trust: Trust;
  subjectAlternativeNames?: { match: { exact: string[] } };
  /** URI SAN prefixes a peer must match (the mesh switch: the mesh's SPIFFE IDs). */
  uriPrefixes?: string[];
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

/** The group's own certificate from Amime's CA; the content is added when the group is published. */
function caCertificate(ctx: TranslateContext): SdsSecretConfig {
  const name = caCertificateSecretName(ctx.groupKey);
  ctx.out.caSecrets.add(name);
  return { name, sds_config: ADS };
}

/** The roots of Amime's CA; the content is added when the group is published. */
function caTrust(ctx: TranslateContext): SdsSecretConfig {
  ctx.out.caSecrets.add(CA_TRUST_BUNDLE_SECRET);
  return { name: CA_TRUST_BUNDLE_SECRET, sds_config: ADS };
}

/** Whether an ACM certificate is served from Amime's CA (no material of its own, the CA running). */
function acmFromCa(ctx: TranslateContext, arn: string): boolean {
  return ctx.options.ca !== undefined && ctx.options.acm?.certificate(arn) === undefined;
}

/** The ACM certificate as an ADS secret; undefined (with a warning) when neither material nor the CA can serve it. */
function acmCertificate(ctx: TranslateContext, arn: string): SdsSecretConfig | undefined {
  const material = ctx.options.acm?.certificate(arn);
  if (!material) {
    if (ctx.options.ca) {
      ctx.warn(
        `ACM certificate ${arn}: App Mesh delivered it from ACM, which Amime cannot; served from Amime's certificate authority instead (callers must trust Amime's root: a client policy with ACM trust, or the mesh's mTLS switch, does)`,
      );
      return caCertificate(ctx);
    }
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
    if (ctx.options.ca) {
      ctx.warn(
        `ACM certificate authorities ${name}: App Mesh's ACM Private CA is not reachable from Amime; trusting Amime's certificate authority instead`,
      );
      return caTrust(ctx);
    }
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
  } else if (cert.amime) {
    common.tls_certificate_sds_secret_configs = [caCertificate(ctx)];
  }
  return true;
}

/** SANs as typed matchers: URIs (SPIFFE IDs) by URI, everything else by DNS name; then URI prefixes. */
function sanMatchers(
  sans: ReadonlyArray<string>,
  uriPrefixes: ReadonlyArray<string> = [],
): CertificateValidationContext['match_typed_subject_alt_names'] {
  return [
    ...sans.map((s) => ({
      san_type: s.includes('://') ? ('URI' as const) : ('DNS' as const),
      matcher: { exact: s },
    })),
    ...uriPrefixes.map((prefix) => ({ san_type: 'URI' as const, matcher: { prefix } })),
  ];
}

/** Adds the validation; false when it cannot be had (ACM without material). */
function withValidation(
  ctx: TranslateContext,
  common: CommonTlsContext,
  v: TlsValidation,
  sans: ReadonlyArray<string>,
): boolean {
  const prefixes = v.uriPrefixes ?? [];
  const matchers: CertificateValidationContext =
    sans.length + prefixes.length > 0 ? { match_typed_subject_alt_names: sanMatchers(sans, prefixes) } : {};
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
  } else if (v.trust.amime) {
    common.combined_validation_context = {
      default_validation_context: matchers,
      validation_context_sds_secret_config: caTrust(ctx),
    };
  }
  return true;
}

/** The mesh switch when it is on and Amime's CA runs to back it. */
export function meshSwitch(ctx: TranslateContext): MeshMtls | undefined {
  const m = meshMtls(ctx.view.mesh);
  return m.mode !== 'DISABLED' && ctx.options.ca ? m : undefined;
}

/** What the mesh switch cannot do as set: said once per group. */
export function meshSwitchProblems(ctx: TranslateContext): string[] {
  const m = meshMtls(ctx.view.mesh);
  const out = m.problem ? [m.problem] : [];
  if (m.mode !== 'DISABLED' && !ctx.options.ca)
    out.push(
      `Mesh ${ctx.mesh}: ${MESH_MTLS_ANNOTATION} ${m.mode} needs Amime's certificate authority, which is not running here; mesh mTLS stays off`,
    );
  return out;
}

/**
 * Who may call a listener under the mesh switch: the workloads of this mesh, by their
 * SPIFFE IDs (mesh form, and the Kubernetes form of the namespaces its members live in).
 */
function meshPeerPrefixes(ctx: TranslateContext, trustDomain: string): string[] {
  ctx.deps.add(depKey.meshNamespaces());
  const namespaces = new Set<string>();
  for (const e of [...ctx.view.virtualNodes.values(), ...ctx.view.virtualGateways.values()])
    if (e.id.namespace) namespaces.add(e.id.namespace);
  return [
    meshSpiffePrefix(trustDomain, ctx.mesh),
    ...[...namespaces].sort().map((ns) => namespaceSpiffePrefix(trustDomain, ns)),
  ];
}

/** A listener's TLS: its own, else the mesh switch's (Amime's certificate, callers of this mesh only). */
export function effectiveListenerTls(
  ctx: TranslateContext,
  own: ListenerTls | undefined,
): ListenerTls | undefined {
  if (own) return own;
  const m = meshSwitch(ctx);
  if (!m || m.mode === 'DISABLED') return undefined;
  return {
    mode: m.mode,
    certificate: { amime: true },
    validation: { trust: { amime: true }, uriPrefixes: meshPeerPrefixes(ctx, ctx.options.ca!.trustDomain) },
  };
}

/** Whether TLS serves the group's own certificate from the CA: chains with it cannot be shared between groups. */
export function usesGroupCertificate(ctx: TranslateContext, tls: ListenerTls | undefined): boolean {
  if (!tls || tls.mode === 'DISABLED') return false;
  const c = tls.certificate;
  return c.amime === true || (c.acm !== undefined && acmFromCa(ctx, c.acm.certificateARN));
}

/** Whether this group's egress clusters carry its own certificate (callers under the mesh switch). */
export function originatesMeshMtls(ctx: TranslateContext): boolean {
  return ctx.flavour === 'envoy' && meshSwitch(ctx)?.callersOriginate === true;
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
  const own = listener?.tls;
  if (!own && listener && originatesMeshMtls(ctx)) {
    // The mesh switch covers the target's listener: mTLS with the caller's own certificate,
    // the target verified by the name App Mesh callers verify (its service-discovery name).
    return shared(ctx, `upstream-tls:${sni}:mesh`, () => {
      const common: CommonTlsContext = {};
      withCertificate(ctx, common, { amime: true });
      withValidation(ctx, common, { trust: { amime: true } }, [sni]);
      const context: UpstreamTlsContext = { sni, common_tls_context: common };
      return { name: FILTER.tlsTransport, typed_config: typedConfig(EXT.upstreamTlsContext, context) };
    });
  }
  const mode = own?.mode;
  if (mode === 'STRICT' || mode === 'PERMISSIVE') {
    // App Mesh: a target serving an ACM certificate is verified against its issuing CA,
    // which is now Amime's; any other certificate is accepted as it is (appmesh.md §4.4).
    const caIssued = own?.certificate.acm !== undefined && acmFromCa(ctx, own.certificate.acm.certificateARN);
    return shared(ctx, `upstream-tls:${sni}:server${caIssued ? ':ca' : ''}`, () => {
      const common: CommonTlsContext = {};
      if (caIssued) withValidation(ctx, common, { trust: { amime: true } }, []);
      const context: UpstreamTlsContext = { sni, common_tls_context: common };
      return { name: FILTER.tlsTransport, typed_config: typedConfig(EXT.upstreamTlsContext, context) };
    });
  }
  return undefined;
}
