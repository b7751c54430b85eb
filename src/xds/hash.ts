import { createHash } from 'node:crypto';
import { partsOf, type EncodedBytes } from '../proto/index.js';

/** Hex characters kept from a SHA-256 digest: 64 bits, plenty to tell versions apart. */
const VERSION_HEX_LENGTH = 16;

/** Content version of one encoded resource (in parts: the same as of its joined bytes). */
export function contentVersion(bytes: EncodedBytes): string {
  const h = createHash('sha256');
  for (const p of partsOf(bytes)) h.update(p);
  return h.digest('hex').slice(0, VERSION_HEX_LENGTH);
}

/**
 * Version of a list of (name, version) pairs; the caller passes them sorted by name.
 * The hash of `name\0version\n` for each pair, in one update: four per pair were ~a
 * quarter of the cache's intake of a full translation (774,000 pairs for bench:translate's
 * mesh). The same digest: the pieces are joined at ASCII separators, so their UTF-8
 * encodings join to the encoding of the whole.
 */
export function listVersion(pairs: Iterable<readonly [string, string]>): string {
  let text = '';
  for (const [name, version] of pairs) text += `${name}\0${version}\n`;
  return createHash('sha256').update(text).digest('hex').slice(0, VERSION_HEX_LENGTH);
}

/** Version derived from several strings (e.g. a resource version folded with its dependencies). */
export function foldVersions(parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\n');
  return h.digest('hex').slice(0, VERSION_HEX_LENGTH);
}

/** Version of an empty resource list. */
export const EMPTY_VERSION = listVersion([]);
