/**
 * TlsContextIR → a TLS transport socket (upstream when it names an SNI, else
 * downstream). A certificate or trust from the local SDS agent reads it through
 * `static_cluster_sds_unix_socket` (the builder adds that cluster); one over ADS comes
 * from Amime. Trust from a file is a plain validation context; trust over SDS is a
 * combined one, with the SAN matchers as its default part.
 */
import { EXT, typedConfig } from '../../proto/index.js';
import { emitShared } from './shared.js';
import type { CertificateIR, SanIR, SdsSecretIR, TlsContextIR, ValidationIR } from '../ir/types.js';
import { FILTER, SDS_CLUSTER } from '../names.js';
import type {
  CertificateValidationContext,
  CommonTlsContext,
  ConfigSource,
  DownstreamTlsContext,
  SdsSecretConfig,
  TransportSocket,
  UpstreamTlsContext,
} from '../types.js';

const ADS: ConfigSource = { ads: {}, resource_api_version: 'V3' };
const LOCAL_SDS: ConfigSource = {
  api_config_source: {
    api_type: 'GRPC',
    transport_api_version: 'V3',
    grpc_services: [{ envoy_grpc: { cluster_name: SDS_CLUSTER } }],
  },
  resource_api_version: 'V3',
};

/** A shared IR context gives one shared socket (its bytes kept and spliced in, shared.ts). */
export function transportSocket(ir: TlsContextIR): TransportSocket {
  return emitShared(ir, build);
}

function build(ir: TlsContextIR): TransportSocket {
  const common: CommonTlsContext = {};
  if (ir.certificate) certificate(common, ir.certificate);
  if (ir.validation) validation(common, ir.validation);
  if (ir.sni !== undefined) {
    const context: UpstreamTlsContext = { sni: ir.sni, common_tls_context: common };
    return { name: FILTER.tlsTransport, typed_config: typedConfig(EXT.upstreamTlsContext, context) };
  }
  const context: DownstreamTlsContext = { common_tls_context: common };
  if (ir.requireClientCertificate) context.require_client_certificate = { value: true };
  return { name: FILTER.tlsTransport, typed_config: typedConfig(EXT.downstreamTlsContext, context) };
}

function sdsSecret(s: SdsSecretIR): SdsSecretConfig {
  return { name: s.name, sds_config: s.source === 'local' ? LOCAL_SDS : ADS };
}

function certificate(common: CommonTlsContext, c: CertificateIR): void {
  if ('files' in c)
    common.tls_certificates = [
      {
        certificate_chain: { filename: c.files.certificateChain },
        private_key: { filename: c.files.privateKey },
      },
    ];
  else common.tls_certificate_sds_secret_configs = [sdsSecret(c.sds)];
}

function validation(common: CommonTlsContext, v: ValidationIR): void {
  const matchers: CertificateValidationContext =
    v.subjectAltNames.length > 0 ? { match_typed_subject_alt_names: v.subjectAltNames.map(sanMatcher) } : {};
  if ('file' in v.trust) common.validation_context = { trusted_ca: { filename: v.trust.file }, ...matchers };
  else
    common.combined_validation_context = {
      default_validation_context: matchers,
      validation_context_sds_secret_config: sdsSecret(v.trust.sds),
    };
}

function sanMatcher(
  s: SanIR,
): NonNullable<CertificateValidationContext['match_typed_subject_alt_names']>[number] {
  return {
    san_type: s.type,
    matcher: s.prefix !== undefined ? { prefix: s.prefix } : { exact: s.exact ?? '' },
  };
}
