/**
 * The key-encryption key file (`--ca-key-file`): 32 random bytes, written as base64
 * (also read: 64 hex digits, or the 32 raw bytes). On Kubernetes it is a Secret
 * mounted as a file. Created only when no CA exists yet, and never overwritten.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { KEK_BYTES } from './seal.js';
import { CaError } from './errors.js';

export function readKek(file: string): Buffer {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CaError(
      code === 'ENOENT'
        ? `CA key-encryption key ${file} does not exist`
        : `CA key-encryption key ${file} cannot be read: ${(err as Error).message}`,
    );
  }
  if (raw.length === KEK_BYTES) return raw;
  const text = raw.toString('utf8').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text)) {
    const b = Buffer.from(text, 'base64');
    if (b.length === KEK_BYTES) return b;
  }
  throw new CaError(
    `CA key-encryption key ${file} is not 32 bytes (base64, hex or raw); make one with: openssl rand -base64 32 > ${file}`,
  );
}

/** Makes a new key file (mode 0600); fails rather than replace one that exists. */
export function createKek(file: string): Buffer {
  const kek = randomBytes(KEK_BYTES);
  try {
    writeFileSync(file, `${kek.toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    throw new CaError(`cannot create CA key-encryption key ${file}: ${(err as Error).message}`);
  }
  return kek;
}
