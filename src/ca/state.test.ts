import { describe, expect, it } from 'vitest';
import {
  nextTransition,
  parseAuthorityState,
  signingRoot,
  trustedRoots,
  withRotation,
  type AuthorityState,
} from './state.js';

const key = { alg: 'A256GCM' as const, kid: 'k', iv: '', tag: '', data: '' };
const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const initial: AuthorityState = {
  format: 1,
  roots: [{ certificate: 'A', key, addedAt: iso(T0), signsFrom: iso(T0) }],
};

describe('root rotation timeline', () => {
  const rotated = withRotation(initial, { certificate: 'B', key }, T0 + 1000, {
    activateAfterMs: 60_000,
    overlapMs: 3_600_000,
  });

  it('adds the new root to the bundle at once, signs with it after activateAfter, drops the old after overlap', () => {
    const names = (s: AuthorityState, t: number) => trustedRoots(s, t).map((r) => r.certificate);
    expect(signingRoot(rotated, T0 + 1000).certificate).toBe('A');
    expect(names(rotated, T0 + 1000)).toEqual(['A', 'B']);
    expect(signingRoot(rotated, T0 + 61_000).certificate).toBe('B');
    expect(names(rotated, T0 + 61_000 + 3_599_999)).toEqual(['A', 'B']);
    expect(names(rotated, T0 + 61_000 + 3_600_000)).toEqual(['B']);
  });

  it('names the next change: activation, then the end of overlap, then none', () => {
    expect(nextTransition(rotated, T0 + 1000)).toBe(T0 + 61_000);
    expect(nextTransition(rotated, T0 + 61_000)).toBe(T0 + 61_000 + 3_600_000);
    expect(nextTransition(rotated, T0 + 61_000 + 3_600_000)).toBeUndefined();
  });

  it('refuses a second rotation before the first root took over, and drops untrusted roots on the next', () => {
    expect(() =>
      withRotation(rotated, { certificate: 'C', key }, T0 + 2000, { activateAfterMs: 0, overlapMs: 0 }),
    ).toThrow(/already under way/);
    const later = withRotation(rotated, { certificate: 'C', key }, T0 + 61_000 + 3_600_000, {
      activateAfterMs: 0,
      overlapMs: 10,
    });
    expect(later.roots.map((r) => r.certificate)).toEqual(['B', 'C']);
  });

  it('parses what it writes and names the record when a document is damaged', () => {
    expect(parseAuthorityState(JSON.parse(JSON.stringify(rotated)), 'rec')).toEqual(rotated);
    expect(() => parseAuthorityState({ format: 1, roots: [] }, 'store record X')).toThrow(
      /store record X is corrupted .*left as it is/,
    );
    expect(() =>
      parseAuthorityState({ ...initial, roots: [{ ...initial.roots[0], signsFrom: 'soon' }] }, 'rec'),
    ).toThrow(/"soon" is not a date/);
  });
});
