/** Bytes of a manifest file → text. UTF-8 (with or without BOM) or UTF-16 with a BOM. */
export type Decoded = { text: string } | { error: string };

export function decode(bytes: Uint8Array): Decoded {
  let encoding = 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = 'utf-16be';
  try {
    // fatal: a file that is not text should say so, not load as replacement characters.
    return { text: new TextDecoder(encoding, { fatal: true }).decode(bytes) };
  } catch {
    return { error: `not valid ${encoding.toUpperCase()} text` };
  }
}
