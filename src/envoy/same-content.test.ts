import { describe, expect, it } from 'vitest';
import { keepEqual, sameContent } from './same-content.js';

describe('sameContent', () => {
  it('compares data member by member, whatever the key order', () => {
    expect(sameContent({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBe(true);
    expect(sameContent({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameContent([1, 2], [1, 2, 3])).toBe(false);
    expect(sameContent({ a: undefined }, {})).toBe(false);
    expect(sameContent({}, { a: undefined })).toBe(false);
    expect(sameContent([1], { 0: 1, length: 1 })).toBe(false);
    expect(sameContent(null, {})).toBe(false);
    expect(sameContent('1', 1)).toBe(false);
  });

  it('treats objects that are not plain data as equal only to themselves', () => {
    const m = new Map([[1, 2]]);
    expect(sameContent(m, m)).toBe(true);
    expect(sameContent(m, new Map([[1, 2]]))).toBe(false);
    expect(sameContent({ m }, { m: new Map([[1, 2]]) })).toBe(false);
  });
});

describe('keepEqual', () => {
  it('keeps the old object when the content is the same', () => {
    const old = { a: [1, 2] };
    expect(keepEqual(old, { a: [1, 2] })).toBe(old);
  });

  it('keeps the unchanged items of a list one by one', () => {
    const old = [{ n: 1 }, { n: 2 }, { n: 3 }];
    const fresh = [{ n: 1 }, { n: 20 }, { n: 3 }];
    const kept = keepEqual(old, fresh);
    expect(kept[0]).toBe(old[0]);
    expect(kept[1]).toBe(fresh[1]);
    expect(kept[2]).toBe(old[2]);
  });

  it('returns the fresh value when it differs and is not a list', () => {
    const fresh = { a: 2 };
    expect(keepEqual({ a: 1 }, fresh)).toBe(fresh);
  });
});
