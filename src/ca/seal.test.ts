import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seal, unseal, keyId, type UnsealError } from './seal.js';

describe('sealing the CA key', () => {
  const kek = randomBytes(32);
  const secret = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n';

  it('round-trips, and the sealed form holds none of the plaintext', () => {
    const sealed = seal(kek, secret, 'fp');
    expect(JSON.stringify(sealed)).not.toContain('PRIVATE KEY');
    expect(sealed.kid).toBe(keyId(kek));
    expect(unseal(kek, sealed, 'fp')).toBe(secret);
  });

  it('tells a wrong key from a damaged record', () => {
    const sealed = seal(kek, secret, 'fp');
    const other = randomBytes(32);
    expect(() => unseal(other, sealed, 'fp')).toThrow(
      expect.objectContaining({ reason: 'wrong-key' }) as UnsealError,
    );
    const damaged = { ...sealed, data: Buffer.from('x' + sealed.data).toString('base64') };
    expect(() => unseal(kek, damaged, 'fp')).toThrow(
      expect.objectContaining({ reason: 'corrupted' }) as UnsealError,
    );
    // Bound to its certificate: the same ciphertext under another certificate's fingerprint fails.
    expect(() => unseal(kek, sealed, 'another')).toThrow(
      expect.objectContaining({ reason: 'corrupted' }) as UnsealError,
    );
  });
});
