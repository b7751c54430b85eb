/**
 * Protobuf wire format written straight into one growable buffer, with protobufjs'
 * BufferWriter's exact bytes for every scalar (its varints, zig-zag, 64-bit forms,
 * floats, UTF-8 and base64 bytes).
 *
 * protobufjs' Writer queues an operation object per value and a state object per
 * sub-message, then copies everything into the result: bench:translate's encoding
 * allocated ~170 MB of those per full translation. Here a value is written where it
 * goes. A sub-message's length comes before its content and is not known until the
 * content is written, so one byte is kept for it (most sub-messages are shorter than
 * 128 bytes) and the content is moved along in the rare case the length needs more.
 */
import protobuf from 'protobufjs';

const { LongBits, float, utf8 } = protobuf.util;

/** Below this many UTF-16 units protobufjs writes a string with its own UTF-8 code, at or above it with Buffer's. */
const SHORT_STRING = 40;

export class WireWriter {
  private buf: Buffer;
  /** Where the next byte goes. */
  pos = 0;

  constructor(initialSize = 64 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(initialSize);
  }

  /** The bytes the buffer holds before it grows. */
  get capacity(): number {
    return this.buf.length;
  }

  /** Makes room for `n` more bytes. */
  private reserve(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    const next = Buffer.allocUnsafeSlow(Math.max(2 * this.buf.length, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** An unsigned 32-bit varint (protobufjs `uint32`; also field tags and lengths). */
  uint32(value: number): void {
    this.reserve(5);
    this.pos = writeUint32At(this.buf, this.pos, value);
  }

  /** protobufjs `int32`: a negative value takes ten bytes, sign-extended to 64 bits. */
  int32(value: number): void {
    const v = value | 0;
    if (v < 0) this.varint64(v >>> 0, 0xffffffff);
    else this.uint32(v);
  }

  sint32(value: number): void {
    this.uint32(((value << 1) ^ (value >> 31)) >>> 0);
  }

  /** protobufjs `int64` and `uint64` (a number, a Long, or a decimal string). */
  int64(value: unknown): void {
    const bits = LongBits.from(value as number);
    this.varint64(bits.lo, bits.hi);
  }

  sint64(value: unknown): void {
    const bits = LongBits.from(value as number).zzEncode();
    this.varint64(bits.lo, bits.hi);
  }

  private varint64(lo: number, hi: number): void {
    this.reserve(10);
    const buf = this.buf;
    let pos = this.pos;
    while (hi) {
      buf[pos++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 127) {
      buf[pos++] = (lo & 127) | 128;
      lo = lo >>> 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  fixed32(value: number): void {
    this.reserve(4);
    const v = value >>> 0;
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = v & 255;
    buf[pos + 1] = (v >>> 8) & 255;
    buf[pos + 2] = (v >>> 16) & 255;
    buf[pos + 3] = v >>> 24;
    this.pos = pos + 4;
  }

  fixed64(value: unknown): void {
    const bits = LongBits.from(value as number);
    this.fixed32(bits.lo);
    this.fixed32(bits.hi);
  }

  float(value: number): void {
    this.reserve(4);
    float.writeFloatLE(value, this.buf, this.pos);
    this.pos += 4;
  }

  double(value: number): void {
    this.reserve(8);
    float.writeDoubleLE(value, this.buf, this.pos);
    this.pos += 8;
  }

  bool(value: boolean): void {
    this.reserve(1);
    this.buf[this.pos++] = value ? 1 : 0;
  }

  /** A length and the string's UTF-8 bytes. */
  string(value: string): void {
    const n = value.length;
    if (n < SHORT_STRING) {
      // At most 3 bytes per unit: the length fits in the one byte kept for it.
      this.reserve(1 + 3 * n);
      const buf = this.buf;
      const at = this.pos;
      let pos = at + 1;
      for (let i = 0; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 128) {
          pos = at + 1 + utf8.write(value, buf, at + 1);
          break;
        }
        buf[pos++] = c;
      }
      buf[at] = pos - at - 1;
      this.pos = pos;
      return;
    }
    const len = Buffer.byteLength(value);
    this.uint32(len);
    this.reserve(len);
    this.buf.write(value, this.pos, len, 'utf8');
    this.pos += len;
  }

  /** A length and the bytes (a string is base64, as protobufjs takes it). */
  bytes(value: Uint8Array | string): void {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'base64') : value;
    const len = bytes.length >>> 0;
    this.uint32(len);
    if (len === 0) return;
    this.reserve(len);
    this.buf.set(bytes, this.pos);
    this.pos += len;
  }

  /**
   * Starts a length-delimited value (a sub-message, a packed list, a map entry): keeps
   * a byte for its length and returns where its content starts, for `endDelimited`.
   */
  beginDelimited(): number {
    this.reserve(1);
    return ++this.pos;
  }

  /** Writes the length of the content written since `start` in front of it. */
  endDelimited(start: number): void {
    const len = this.pos - start;
    if (len < 128) {
      this.buf[start - 1] = len;
      return;
    }
    const extra = varintLength(len) - 1;
    this.reserve(extra);
    this.buf.copyWithin(start + extra, start, this.pos);
    const end = this.pos + extra;
    this.pos = start - 1;
    this.uint32(len);
    this.pos = end;
  }

  /** A copy of the bytes from `start` to the current position (a Buffer, as protobufjs' `finish` gives). */
  copy(start: number): Buffer {
    const out = Buffer.allocUnsafe(this.pos - start);
    this.buf.copy(out, 0, start, this.pos);
    return out;
  }
}

/** Writes `value` as an unsigned 32-bit varint into `buf` at `pos` (room for 5 bytes is the caller's); returns the position after it. */
export function writeUint32At(buf: Uint8Array, pos: number, value: number): number {
  let v = value >>> 0;
  while (v > 127) {
    buf[pos++] = (v & 127) | 128;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/** The bytes an unsigned 32-bit varint of `v` takes. */
export function varintLength(v: number): number {
  return v < 128 ? 1 : v < 16384 ? 2 : v < 2097152 ? 3 : v < 268435456 ? 4 : 5;
}
