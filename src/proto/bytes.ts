/**
 * An encoded message whole, or as parts that read one after another give its bytes.
 *
 * Parts let a message that holds large sub-messages shared with other messages (a route
 * configuration's virtual hosts, each in every caller's configuration) point at their
 * bytes instead of copying them: bench:translate's 6,000 route configurations were
 * 60 MB of copies of ~4,000 virtual hosts. Whoever needs the bytes in one piece joins
 * them where it copies them anyway (an xDS response, after the resource's `Any` header).
 */
export class ByteParts {
  /** The total length in bytes. */
  readonly length: number;

  constructor(
    /** Never written to: parts are other messages' bytes. */
    readonly parts: readonly Uint8Array[],
  ) {
    let n = 0;
    for (const p of parts) n += p.length;
    this.length = n;
  }
}

export type EncodedBytes = Uint8Array | ByteParts;

/** The bytes in one piece (the very array when they are one already). */
export function joinBytes(bytes: EncodedBytes): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  const out = new Uint8Array(bytes.length);
  writeBytes(out, 0, bytes);
  return out;
}

/** Copies `bytes` into `target` at `offset`; returns the offset after them. */
export function writeBytes(target: Uint8Array, offset: number, bytes: EncodedBytes): number {
  if (bytes instanceof Uint8Array) {
    target.set(bytes, offset);
    return offset + bytes.length;
  }
  for (const p of bytes.parts) {
    target.set(p, offset);
    offset += p.length;
  }
  return offset;
}

/** The parts in order (one, for bytes in one piece): for a reader that takes them in turn, like a hash. */
export function partsOf(bytes: EncodedBytes): readonly Uint8Array[] {
  return bytes instanceof Uint8Array ? [bytes] : bytes.parts;
}

/**
 * Encoded resources of one type by name, as two arrays, the names unique: what
 * `encodeResources` gives for a group's clusters and assignments, collected by name. A
 * full translation of bench:translate's mesh encodes ~700,000 of those entries into 8,000
 * lists that are only ever walked (the xDS cache copies them into its own map); a Map
 * per list, grown entry by entry, was ~15 % of the encoding. Read as a ReadonlyMap,
 * in order; a lookup by name builds a Map, once.
 */
export class NamedBytes implements ReadonlyMap<string, EncodedBytes> {
  #byName: Map<string, EncodedBytes> | undefined;

  /** `names[i]` is the name of `bytes[i]`; no name twice. */
  constructor(
    readonly names: readonly string[],
    readonly bytes: readonly EncodedBytes[],
  ) {}

  get size(): number {
    return this.names.length;
  }

  get(name: string): EncodedBytes | undefined {
    return this.byName().get(name);
  }

  has(name: string): boolean {
    return this.byName().has(name);
  }

  forEach(each: (bytes: EncodedBytes, name: string, map: ReadonlyMap<string, EncodedBytes>) => void): void {
    for (let i = 0; i < this.names.length; i++) each(this.bytes[i]!, this.names[i]!, this);
  }

  *entries(): MapIterator<[string, EncodedBytes]> {
    for (let i = 0; i < this.names.length; i++) yield [this.names[i]!, this.bytes[i]!];
  }

  keys(): MapIterator<string> {
    return this.names.values();
  }

  values(): MapIterator<EncodedBytes> {
    return this.bytes.values();
  }

  [Symbol.iterator](): MapIterator<[string, EncodedBytes]> {
    return this.entries();
  }

  private byName(): Map<string, EncodedBytes> {
    return (this.#byName ??= new Map(this.entries()));
  }
}
