/** Keys with Node's WebCrypto: new ECDSA P-256 pairs, PEM (PKCS#8) export, and CA signing keys. */
import { createPrivateKey, KeyObject, webcrypto } from 'node:crypto';

export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

export const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A CA's private key and the signature algorithm that goes with it. */
export interface SigningKey {
  readonly key: CryptoKey;
  readonly algorithm: { name: string; hash: string };
}

/** A new P-256 pair; the private key is extractable so it can be handed to a proxy or sealed. */
export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
}

export function privateKeyPem(key: CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }).toString();
}

/**
 * A PEM private key (PKCS#8, SEC1 or PKCS#1) as a signing key. Amime's own roots are
 * P-256; an operator's CA (cert-manager, a corporate PKI) may also be P-384 or RSA.
 */
export async function importSigningKey(pem: string): Promise<SigningKey> {
  const key = createPrivateKey(pem);
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType === 'ec' && (curve === 'prime256v1' || curve === 'secp384r1')) {
    const p384 = curve === 'secp384r1';
    const params = { name: 'ECDSA', namedCurve: p384 ? 'P-384' : 'P-256' };
    return {
      key: await webcrypto.subtle.importKey('pkcs8', der, params, true, ['sign']),
      algorithm: { name: 'ECDSA', hash: p384 ? 'SHA-384' : 'SHA-256' },
    };
  }
  if (key.asymmetricKeyType === 'rsa') {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    return { key: await webcrypto.subtle.importKey('pkcs8', der, algorithm, true, ['sign']), algorithm };
  }
  throw new Error(
    `unsupported key type ${key.asymmetricKeyType ?? 'unknown'}${curve ? ` (${curve})` : ''}; expected ECDSA P-256, P-384 or RSA`,
  );
}
