/**
 * Just enough of the protobuf wire format to assemble discovery responses from
 * stored bytes, and to peek at one field of an encoded resource without decoding
 * it. Full encoding/decoding stays with protobufjs (`src/envoy/proto/root.ts`);
 * this exists because a response is mostly pre-encoded bytes and re-encoding it
 * through reflection would cost ~5x (control-plane-lessons §D).
 */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;

export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Writes `n` (a non-negative safe integer) at `off`; returns the offset after it. */
export function writeVarint(buf: Uint8Array, off: number, n: number): number {
  while (n >= 0x80) {
    buf[off++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[off++] = n;
  return off;
}

export function tagOf(fieldNo: number, wireType: number): number {
  return fieldNo * 8 + wireType;
}

/** Size of a length-delimited field (tag + length + payload). */
export function lenFieldSize(fieldNo: number, payloadLength: number): number {
  return varintSize(tagOf(fieldNo, WIRE_LEN)) + varintSize(payloadLength) + payloadLength;
}

/** Writes the tag and length of a length-delimited field; the caller writes the payload. */
export function writeLenHeader(buf: Uint8Array, off: number, fieldNo: number, payloadLength: number): number {
  off = writeVarint(buf, off, tagOf(fieldNo, WIRE_LEN));
  return writeVarint(buf, off, payloadLength);
}

/** A complete length-delimited field holding `payload`. */
export function bytesField(fieldNo: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(lenFieldSize(fieldNo, payload.length));
  const off = writeLenHeader(out, 0, fieldNo, payload.length);
  out.set(payload, off);
  return out;
}

/** A complete string field; proto3 omits empty strings, and so does this. */
export function stringField(fieldNo: number, value: string): Buffer {
  if (value === '') return Buffer.alloc(0);
  return bytesField(fieldNo, Buffer.from(value, 'utf8'));
}

/**
 * The bytes that precede an Any's value when the Any is field `fieldNo` of an outer
 * message: outer tag + length, `type_url` (1), then the tag and length of `value`
 * (2). Appending the value's `valueLength` bytes completes the field, so stored
 * resource bytes never need copying into a new Any.
 */
export function anyFieldHeader(
  fieldNo: number,
  typeUrl: string,
  valueLength: number,
): { head: Buffer; anyOffset: number } {
  const typeBytes = Buffer.from(typeUrl, 'utf8');
  const anyLength = lenFieldSize(1, typeBytes.length) + lenFieldSize(2, valueLength);
  const headLength = lenFieldSize(fieldNo, anyLength) - valueLength;
  const head = Buffer.allocUnsafe(headLength);
  let off = writeLenHeader(head, 0, fieldNo, anyLength);
  const anyOffset = off;
  off = writeLenHeader(head, off, 1, typeBytes.length);
  head.set(typeBytes, off);
  off += typeBytes.length;
  off = writeLenHeader(head, off, 2, valueLength);
  if (off !== headLength) throw new Error('anyFieldHeader: length mismatch');
  return { head, anyOffset };
}

/** One field read by {@link readFields}: varints as numbers, length-delimited as views. */
export interface WireField {
  fieldNo: number;
  wireType: number;
  varint?: number;
  bytes?: Uint8Array;
}

/** A varint at `off`: [value, offset after it]. */
export function readVarint(buf: Uint8Array, off: number): [number, number] {
  let result = 0;
  let mul = 1;
  for (;;) {
    if (off >= buf.length) throw new Error('truncated varint');
    const b = buf[off++]!;
    result += (b & 0x7f) * mul;
    if (b < 0x80) return [result, off];
    mul *= 128;
    if (mul > 2 ** 63) throw new Error('varint too long');
  }
}

/**
 * Iterates the top-level fields of an encoded message. Groups (wire types 3/4)
 * are not used by proto3 and are rejected.
 */
export function* readFields(buf: Uint8Array): Generator<WireField> {
  let off = 0;
  while (off < buf.length) {
    const [tag, afterTag] = readVarint(buf, off);
    off = afterTag;
    const fieldNo = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (wireType === WIRE_VARINT) {
      const [v, next] = readVarint(buf, off);
      off = next;
      yield { fieldNo, wireType, varint: v };
    } else if (wireType === WIRE_LEN) {
      const [len, next] = readVarint(buf, off);
      if (next + len > buf.length) throw new Error('truncated length-delimited field');
      yield { fieldNo, wireType, bytes: buf.subarray(next, next + len) };
      off = next + len;
    } else {
      off = skipField(wireType, off);
    }
    if (off > buf.length) throw new Error('truncated field');
  }
}

/** Offset after a fixed-size field's payload (wire types 1 and 5). */
export function skipField(wireType: number, off: number): number {
  if (wireType === 1) return off + 8;
  if (wireType === 5) return off + 4;
  throw new Error(`unsupported wire type ${wireType}`);
}

/** The first length-delimited field `fieldNo` of a message, or undefined. */
export function firstBytesField(buf: Uint8Array, fieldNo: number): Uint8Array | undefined {
  for (const f of readFields(buf)) if (f.fieldNo === fieldNo && f.bytes) return f.bytes;
  return undefined;
}
