/** SecretIR → an xDS Secret with its material inline (a TLS certificate, or a validation context). */
import type { SecretIR } from '../ir/types.js';
import type { Secret } from '../types.js';
import { emitShared } from './shared.js';

export function secret(ir: SecretIR): Secret {
  return emitShared(ir, build);
}

function build(ir: SecretIR): Secret {
  if ('certificate' in ir)
    return {
      name: ir.name,
      tls_certificate: {
        certificate_chain: { inline_string: ir.certificate.chain },
        private_key: { inline_string: ir.certificate.privateKey },
      },
    };
  return { name: ir.name, validation_context: { trusted_ca: { inline_string: ir.trustedCa } } };
}
