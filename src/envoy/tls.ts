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
import { shared, type TranslateContext } from './context.js';
import { DEFAULT_SDS_SOCKET_PATH } from './options.js';
import { CA_TRUST_BUNDLE_SECRET, SDS_CLUSTER, caCertificateSecretName } from './names.js';
import { depKey } from './lookup.js';
import { meshMtls, MESH_MTLS_ANNOTATION, type MeshMtls } from './mesh-mtls.js';
import { meshSpiffePrefix, namespaceSpiffePrefix } from './spiffe.js';
import type { CertificateIR, ClusterIR, SanIR, SdsSecretIR, TlsContextIR, ValidationIR } from './ir/types.js';

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

/** A secret from the local SDS agent; adds the agent's cluster to the group. */
function localSds(ctx: TranslateContext, name: string): SdsSecretIR {
  ctx.out.addCluster(sdsCluster(ctx.options.sdsSocketPath ?? DEFAULT_SDS_SOCKET_PATH));
  return { name, source: 'local' };
}

/** `static_cluster_sds_unix_socket`: HTTP/2 to the SDS agent's Unix socket. */
export function sdsCluster(socketPath: string): ClusterIR {
  return {
    name: SDS_CLUSTER,
    discovery: { type: 'STATIC', endpoints: [{ pipe: socketPath }] },
    connectTimeout: 1000,
    http2: true,
  };
}

/** The group's own certificate from Amime's CA; the content is added when the group is published. */
function caCertificate(ctx: TranslateContext): SdsSecretIR {
  const name = caCertificateSecretName(ctx.groupKey);
  ctx.out.caSecrets.add(name);
  return { name, source: 'ads' };
}

/** The roots of Amime's CA; the content is added when the group is published. */
function caTrust(ctx: TranslateContext): SdsSecretIR {
  ctx.out.caSecrets.add(CA_TRUST_BUNDLE_SECRET);
  return { name: CA_TRUST_BUNDLE_SECRET, source: 'ads' };
}

/** Whether an ACM certificate is served from Amime's CA (no material of its own, the CA running). */
function acmFromCa(ctx: TranslateContext, arn: string): boolean {
  return ctx.options.ca !== undefined && ctx.options.acm?.certificate(arn) === undefined;
}

/** The ACM certificate as an ADS secret; undefined (with a warning) when neither material nor the CA can serve it. */
function acmCertificate(ctx: TranslateContext, arn: string): SdsSecretIR | undefined {
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
    certificate: { chain: material.certificateChain, privateKey: material.privateKey },
  });
  return { name: arn, source: 'ads' };
}

function acmTrust(ctx: TranslateContext, arns: string[]): SdsSecretIR | undefined {
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
  ctx.out.addSecret({ name, trustedCa: bundles.join('\n') });
  return { name, source: 'ads' };
}

/** The certificate as IR: undefined when there is none, false when it cannot be had (ACM without material). */
function certificateOf(ctx: TranslateContext, cert: Cert | undefined): CertificateIR | undefined | false {
  if (!cert) return undefined;
  if (cert.file)
    return { files: { certificateChain: cert.file.certificateChain, privateKey: cert.file.privateKey } };
  if (cert.sds) return { sds: localSds(ctx, cert.sds.secretName) };
  if (cert.acm) {
    const secret = acmCertificate(ctx, cert.acm.certificateARN);
    return secret ? { sds: secret } : false;
  }
  if (cert.amime) return { sds: caCertificate(ctx) };
  return undefined;
}

/** SANs: URIs (SPIFFE IDs) by URI, everything else by DNS name; then URI prefixes. */
function sanMatchers(sans: ReadonlyArray<string>, uriPrefixes: ReadonlyArray<string> = []): SanIR[] {
  return [
    ...sans.map((s): SanIR => ({ type: s.includes('://') ? 'URI' : 'DNS', exact: s })),
    ...uriPrefixes.map((prefix): SanIR => ({ type: 'URI', prefix })),
  ];
}

/** The validation as IR: undefined when no trust is given, false when it cannot be had (ACM without material). */
function validationOf(
  ctx: TranslateContext,
  v: TlsValidation,
  sans: ReadonlyArray<string>,
): ValidationIR | undefined | false {
  const subjectAltNames = sanMatchers(sans, v.uriPrefixes ?? []);
  if (v.trust.file) return { trust: { file: v.trust.file.certificateChain }, subjectAltNames };
  if (v.trust.sds) return { trust: { sds: localSds(ctx, v.trust.sds.secretName) }, subjectAltNames };
  if (v.trust.acm) {
    const secret = acmTrust(ctx, v.trust.acm.certificateAuthorityARNs);
    return secret ? { trust: { sds: secret }, subjectAltNames } : false;
  }
  if (v.trust.amime) return { trust: { sds: caTrust(ctx) }, subjectAltNames };
  return undefined;
}

/** A TLS context of `certificate` and `validation`; undefined when either cannot be had. */
function tlsContext(
  ctx: TranslateContext,
  cert: Cert | undefined,
  v: { validation: TlsValidation; sans: ReadonlyArray<string> } | undefined,
  extra: Pick<TlsContextIR, 'sni' | 'requireClientCertificate'>,
): TlsContextIR | undefined {
  const certificate = certificateOf(ctx, cert);
  if (certificate === false) return undefined;
  const validation = v ? validationOf(ctx, v.validation, v.sans) : undefined;
  if (validation === false) return undefined;
  return {
    ...(extra.sni !== undefined ? { sni: extra.sni } : {}),
    ...(certificate ? { certificate } : {}),
    ...(validation ? { validation } : {}),
    ...(extra.requireClientCertificate ? { requireClientCertificate: true } : {}),
  };
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
export function downstreamTls(ctx: TranslateContext, tls: ListenerTls): TlsContextIR | undefined {
  const v = tls.validation;
  return tlsContext(
    ctx,
    tls.certificate,
    v ? { validation: v, sans: v.subjectAlternativeNames?.match.exact ?? [] } : undefined,
    { requireClientCertificate: v !== undefined },
  );
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
export function upstreamTls(
  ctx: TranslateContext,
  policy: ClientPolicy | undefined,
  node: ResolvedVirtualNode,
  port: number,
): TlsContextIR | undefined | typeof TLS_UNAVAILABLE {
  const tls = policy?.tls;
  const applies =
    tls !== undefined &&
    tls.enforce !== false &&
    (!tls.ports || tls.ports.length === 0 || tls.ports.includes(port));
  const sni = serviceDiscoveryName(node);
  if (applies) {
    const key = `upstream-tls:${sni}:${JSON.stringify(tls)}`;
    return shared(
      ctx,
      key,
      () =>
        tlsContext(
          ctx,
          tls.certificate,
          {
            validation: tls.validation,
            sans: tls.validation.subjectAlternativeNames?.match.exact ?? [sni],
          },
          { sni },
        ) ?? TLS_UNAVAILABLE,
    );
  }
  const listener = node.resource.spec.listeners?.find((l) => l.portMapping.port === port);
  const own = listener?.tls;
  if (!own && listener && originatesMeshMtls(ctx)) {
    // The mesh switch covers the target's listener: mTLS with the caller's own certificate,
    // the target verified by the name App Mesh callers verify (its service-discovery name).
    return shared(ctx, `upstream-tls:${sni}:mesh`, () =>
      tlsContext(ctx, { amime: true }, { validation: { trust: { amime: true } }, sans: [sni] }, { sni }),
    );
  }
  const mode = own?.mode;
  if (mode === 'STRICT' || mode === 'PERMISSIVE') {
    // App Mesh: a target serving an ACM certificate is verified against its issuing CA,
    // which is now Amime's; any other certificate is accepted as it is (appmesh.md §4.4).
    const caIssued = own?.certificate.acm !== undefined && acmFromCa(ctx, own.certificate.acm.certificateARN);
    return shared(ctx, `upstream-tls:${sni}:server${caIssued ? ':ca' : ''}`, () =>
      tlsContext(
        ctx,
        undefined,
        caIssued ? { validation: { trust: { amime: true } }, sans: [] } : undefined,
        { sni },
      ),
    );
  }
  return undefined;
}
