/**
 * A CA that signs workload certificates: Amime's own root, or an intermediate the
 * operator supplies. Everything a signature needs is prepared once here (the key,
 * the issuer name, the authority key identifier, the chain sent after each leaf).
 */
import { createPrivateKey, X509Certificate as NodeCertificate } from 'node:crypto';
import { webcrypto } from 'node:crypto';
import { importSigningKey, type SigningKey } from './keys.js';
import { loadX509, type Certificate, type X509 } from './x509.js';

type Extension = InstanceType<X509['Extension']>;

export interface Signer {
  readonly x509: X509;
  readonly certificate: Certificate;
  /** The signer's certificate, PEM. */
  readonly pem: string;
  /** PEM certificates sent after a leaf: the signer and the intermediates above it (no self-signed root). */
  readonly chain: string;
  readonly signingKey: SigningKey;
  readonly authorityKeyId: Extension;
  readonly notAfter: Date;
  /** SHA-256 of the certificate (colon-separated hex, as openssl and Node print it). */
  readonly fingerprint: string;
}

/**
 * `certificates`: the signer first, then the intermediates that issued it (PEM).
 * Throws with a plain reason when the certificate is not a CA or the key is not its key.
 */
export async function makeSigner(certificates: readonly string[], keyPem: string): Promise<Signer> {
  const x509 = await loadX509();
  const [first] = certificates;
  if (!first) throw new Error('no certificate');
  const node = new NodeCertificate(first);
  if (!node.ca) throw new Error('the certificate is not a CA certificate (basicConstraints CA:TRUE)');
  if (!node.checkPrivateKey(createPrivateKey(keyPem)))
    throw new Error('the private key does not belong to the certificate');
  const certificate = new x509.X509Certificate(first);
  const chain = certificates
    .map((pem) => new NodeCertificate(pem))
    .filter((c) => !(c.issuer === c.subject && c.verify(c.publicKey)))
    .map((c) => c.toString())
    .join('');
  return {
    x509,
    certificate,
    pem: node.toString(),
    chain,
    signingKey: await importSigningKey(keyPem),
    authorityKeyId: await x509.AuthorityKeyIdentifierExtension.create(
      certificate.publicKey,
      false,
      webcrypto,
    ),
    notAfter: certificate.notAfter,
    fingerprint: node.fingerprint256,
  };
}
