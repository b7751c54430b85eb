/** Amime's own root CA: ECDSA P-256, self-signed, ten years by default. */
import { webcrypto } from 'node:crypto';
import { ECDSA_SHA256, generateKeyPair, privateKeyPem } from './keys.js';
import { loadX509 } from './x509.js';

export const ROOT_VALIDITY_MS = 10 * 365 * 86_400_000;
/** Starts an hour early, so a node whose clock lags still accepts it. */
const ROOT_BACKDATE_MS = 3_600_000;

export interface RootMaterial {
  /** PEM. */
  certificate: string;
  /** PEM, PKCS#8. */
  privateKey: string;
}

export interface RootOptions {
  now: Date;
  validityMs?: number;
  /** Distinguishes roots in `amime ca` and in openssl output. */
  commonName?: string;
}

export async function createRoot(options: RootOptions): Promise<RootMaterial> {
  const x509 = await loadX509();
  const keys = await generateKeyPair();
  const now = options.now.getTime();
  const cn = options.commonName ?? `Amime root CA ${options.now.toISOString().slice(0, 19)}Z`;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: [{ CN: [cn] }, { O: ['Amime'] }],
      keys,
      signingAlgorithm: ECDSA_SHA256,
      notBefore: new Date(now - ROOT_BACKDATE_MS),
      notAfter: new Date(now + (options.validityMs ?? ROOT_VALIDITY_MS)),
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  return { certificate: cert.toString('pem'), privateKey: privateKeyPem(keys.privateKey) };
}
