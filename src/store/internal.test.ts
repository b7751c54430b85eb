import { describe, expect, it } from 'vitest';
import { compareKeys, decodeContinueToken, encodeContinueToken, prefixEnd } from './internal.js';
import { InvalidArgumentError } from './errors.js';

const utf8Order = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('key order helpers', () => {
  it('compareKeys agrees with UTF-8 byte order', () => {
    const samples = [
      '',
      'a',
      'ab',
      'b',
      '\u007f',
      '\u0080',
      'é',
      '\uD7FF',
      '\uE000',
      '\uFFFD',
      '\uFFFF',
      '😀',
      '😁',
      '\u{10FFFF}',
      'a😀',
      'a\uFFFF',
    ];
    for (const a of samples) {
      for (const b of samples) expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(utf8Order(a, b)));
    }
  });

  it('prefixEnd bounds exactly the keys with the prefix', () => {
    expect(prefixEnd('')).toBeUndefined();
    expect(prefixEnd('ab')).toBe('ac');
    expect(prefixEnd('a\uD7FF')).toBe('a\uE000');
    expect(prefixEnd('a\u{10FFFF}')).toBe('b');
    const p = 'k/\uFFFF';
    const end = prefixEnd(p) as string;
    for (const inside of [p, `${p}x`, `${p}😀`, `${p}\u{10FFFF}`])
      expect(compareKeys(inside, end)).toBeLessThan(0);
    expect(compareKeys('k/😀', end)).toBeGreaterThanOrEqual(0);
  });

  it('continue tokens carry the prefix and reject tampering', () => {
    const t = encodeContinueToken('p/', 'p/b');
    expect(decodeContinueToken(t, 'p/')).toBe('p/b\0');
    expect(() => decodeContinueToken(t, 'q/')).toThrow(InvalidArgumentError);
    const forged = Buffer.from(JSON.stringify({ v: 1, p: 'p/', a: 'z' })).toString('base64url');
    expect(() => decodeContinueToken(forged, 'p/')).toThrow(InvalidArgumentError);
    expect(() => decodeContinueToken('%%%', 'p/')).toThrow(InvalidArgumentError);
  });
});
