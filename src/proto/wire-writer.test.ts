import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs';
import { WireWriter } from './wire-writer.js';

/** The same writes through WireWriter and protobufjs' Writer. */
function both(write: (w: WireWriter) => void, reference: (w: protobuf.Writer) => void): [Buffer, Buffer] {
  const w = new WireWriter(16); // small, so the tests grow it too
  write(w);
  const r = protobuf.Writer.create();
  reference(r);
  return [w.copy(0), Buffer.from(r.finish())];
}

const expectSame = ([ours, theirs]: [Buffer, Buffer]) =>
  expect(ours.toString('hex')).toBe(theirs.toString('hex'));

describe('WireWriter', () => {
  it('writes varints, zig-zag and fixed-width numbers as protobufjs does', () => {
    const u32 = [0, 1, 127, 128, 16383, 16384, 2097151, 2097152, 268435455, 268435456, 2 ** 32 - 1, -1];
    const i32 = [0, 5, -1, -(2 ** 31), 2 ** 31 - 1, 300];
    const i64: Array<number | string> = [
      0,
      1,
      -1,
      2 ** 53 - 1,
      -(2 ** 40),
      '9223372036854775807',
      '-5',
      '300',
    ];
    const floats = [0, -0, 1.5, -2.25, 1e-40, 3.4e38, NaN, Infinity, -Infinity];
    expectSame(
      both(
        (w) => {
          for (const v of u32) w.uint32(v);
          for (const v of i32) {
            w.int32(v);
            w.sint32(v);
            w.fixed32(v);
          }
          for (const v of i64) {
            w.int64(v);
            w.sint64(v);
            w.fixed64(v);
          }
          for (const v of floats) {
            w.float(v);
            w.double(v);
          }
          w.bool(true);
          w.bool(false);
        },
        (r) => {
          for (const v of u32) r.uint32(v);
          for (const v of i32) r.int32(v).sint32(v).fixed32(v);
          for (const v of i64) r.int64(v).sint64(v).fixed64(v);
          for (const v of floats) r.float(v).double(v);
          r.bool(true).bool(false);
        },
      ),
    );
  });

  it('writes strings short and long, ASCII or not, lone surrogates included, as protobufjs does', () => {
    const strings = [
      '',
      'abc',
      'x'.repeat(39),
      'x'.repeat(40),
      'x'.repeat(200),
      'héllo wörld',
      '日本語',
      'emoji 😀 pair',
      'lone \ud800 high',
      'lone \udc00 low',
      'ends high \ud800',
      `long ${'é'.repeat(50)} \ud800 😀`,
      'y'.repeat(20000),
    ];
    expectSame(
      both(
        (w) => {
          for (const s of strings) w.string(s);
        },
        (r) => {
          for (const s of strings) r.string(s);
        },
      ),
    );
  });

  it('writes bytes given as an array or as base64', () => {
    const raw = new Uint8Array([0, 1, 2, 255]);
    const big = new Uint8Array(300).fill(7);
    expectSame(
      both(
        (w) => {
          w.bytes(raw);
          w.bytes(new Uint8Array());
          w.bytes('AAEC/w==');
          w.bytes(big);
        },
        (r) => r.bytes(raw).bytes(new Uint8Array()).bytes('AAEC/w==').bytes(big),
      ),
    );
  });

  it('puts a delimited value’s length in front of it, however long, nested', () => {
    for (const inner of [0, 1, 127, 128, 200, 16383, 16384, 20000]) {
      for (const outer of [0, 100, 130]) {
        expectSame(
          both(
            (w) => {
              w.uint32(10);
              const a = w.beginDelimited();
              w.string('o'.repeat(outer));
              w.uint32(18);
              const b = w.beginDelimited();
              w.bytes(new Uint8Array(inner).fill(1));
              w.endDelimited(b);
              w.uint32(3);
              w.endDelimited(a);
              w.uint32(4);
            },
            (r) =>
              r
                .uint32(10)
                .fork()
                .string('o'.repeat(outer))
                .uint32(18)
                .fork()
                .bytes(new Uint8Array(inner).fill(1))
                .ldelim()
                .uint32(3)
                .ldelim()
                .uint32(4),
          ),
        );
      }
    }
  });

  it('grows to hold what is written', () => {
    const w = new WireWriter(4);
    expect(w.capacity).toBe(4);
    w.bytes(new Uint8Array(100));
    expect(w.capacity).toBeGreaterThanOrEqual(101);
    expect(w.copy(0).length).toBe(101);
  });

  it('copies from any position, leaving the writer as it was', () => {
    const w = new WireWriter(4);
    w.string('head');
    const start = w.pos;
    w.string('tail that grows the buffer');
    expect(w.copy(start).toString('hex')).toBe(
      Buffer.from(protobuf.Writer.create().string('tail that grows the buffer').finish()).toString('hex'),
    );
    expect(w.copy(0).length).toBe(5 + 27);
  });
});
