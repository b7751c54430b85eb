/**
 * Workload certificates (X.509-SVIDs): a fresh P-256 key per certificate, one SPIFFE
 * URI SAN plus the DNS names callers verify, usable for both ends of mTLS, never
 * outliving the CA that signs it.
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { generateKeyPair, privateKeyPem } from './keys.js';
import type { Signer } from './signer.js';

/** Who a certificate is for. */
export interface WorkloadIdentity {
  /** `spiffe://<trust-domain>/…` */
  readonly spiffeId: string;
  readonly dnsNames: readonly string[];
}

export interface IssuedCertificate {
  /** PEM: the leaf, then the signer's chain. */
  readonly certificateChain: string;
  /** PEM, PKCS#8. */
  readonly privateKey: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Hex. */
  readonly serial: string;
  readonly spiffeId: string;
  /** Fingerprint of the CA that signed it. */
  readonly issuer: string;
}

export interface IssueOptions {
  now: Date;
  lifetimeMs: number;
}

/** Clock skew allowed for: a certificate starts this long (or its lifetime, if shorter) before it is issued. */
export const BACKDATE_MS = 5 * 60_000;

/** 128 random bits, first bit clear: a positive INTEGER of at most 16 bytes (RFC 5280 §4.1.2.2). */
function serialNumber(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

export async function issueWorkloadCertificate(
  signer: Signer,
  identity: WorkloadIdentity,
  options: IssueOptions,
): Promise<IssuedCertificate> {
  const { x509 } = signer;
  const now = options.now.getTime();
  const notBefore = new Date(now - Math.min(BACKDATE_MS, options.lifetimeMs));
  // A certificate may not outlive its issuer: verifiers would refuse the chain.
  const notAfter = new Date(Math.min(now + options.lifetimeMs, signer.notAfter.getTime()));
  const keys = await generateKeyPair();
  const serial = serialNumber();
  const names = [
    { type: 'url' as const, value: identity.spiffeId },
    ...identity.dnsNames.map((value) => ({ type: 'dns' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serial,
      // SPIFFE X.509-SVID: the identity is the URI SAN; the subject stays empty and the SAN critical.
      subject: [],
      issuer: signer.certificate.subjectName,
      publicKey: keys.publicKey,
      signingKey: signer.signingKey.key,
      signingAlgorithm: signer.signingKey.algorithm,
      notBefore,
      notAfter,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
        new x509.SubjectAlternativeNameExtension(names, true),
        signer.authorityKeyId,
      ],
    },
    webcrypto,
  );
  return {
    certificateChain: cert.toString('pem') + '\n' + signer.chain,
    privateKey: privateKeyPem(keys.privateKey),
    notBefore,
    notAfter,
    serial,
    spiffeId: identity.spiffeId,
    issuer: signer.fingerprint,
  };
}
