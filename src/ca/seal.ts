/**
 * The CA's private key at rest: AES-256-GCM under a key-encryption key (KEK) that is
 * never stored next to it (a file, or a Kubernetes Secret mounted as one). The root
 * certificate's fingerprint is the additional authenticated data, so a sealed key
 * cannot be paired with another certificate unnoticed. `kid` (a hash of the KEK)
 * tells "wrong key" apart from "corrupted" in error messages.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface SealedKey {
  alg: 'A256GCM';
  /** First 16 hex digits of SHA-256 of the key-encryption key. */
  kid: string;
  /** Base64. */
  iv: string;
  tag: string;
  data: string;
}

export const KEK_BYTES = 32;

export function keyId(kek: Buffer): string {
  return createHash('sha256').update(kek).digest('hex').slice(0, 16);
}

export function seal(kek: Buffer, plaintext: string, aad: string): SealedKey {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    alg: 'A256GCM',
    kid: keyId(kek),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

/** Why a sealed key could not be opened. */
export class UnsealError extends Error {
  constructor(
    readonly reason: 'wrong-key' | 'corrupted',
    message: string,
  ) {
    super(message);
  }
}

export function unseal(kek: Buffer, sealed: SealedKey, aad: string): string {
  const kid = keyId(kek);
  if (sealed.kid !== kid)
    throw new UnsealError(
      'wrong-key',
      `it was sealed with key-encryption key ${sealed.kid}, and the one given is ${kid}`,
    );
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new UnsealError('corrupted', 'it does not decrypt (the record was altered or truncated)');
  }
}
