import { describe, expect, it } from 'vitest';
import { BuildContext } from './context.js';
import { entryOf } from './fixtures.testkit.js';
import { DEFAULT_QUOTAS } from './graph.js';
import { checkPrefixSlash, checkRanges } from './matches.js';

const entry = entryOf('VirtualRouter', 'r');

function ranges(list: unknown): string[] {
  const ctx = new BuildContext(DEFAULT_QUOTAS, 'cluster.local', true);
  checkRanges(ctx, { ...entry }, ['spec', 'headers'], list as never);
  return ctx.diagnostics.map((d) => `${d.code} @ ${d.path}: ${d.message}`);
}

describe('checkRanges', () => {
  it('a range needs start below end', () => {
    expect(
      ranges([
        { match: { range: { start: 1, end: 2 } } },
        { match: { range: { start: 5, end: 5 } } },
        { match: { range: { start: 9, end: 3 } } },
      ]),
    ).toEqual([
      'match.range @ spec.headers[1].match.range: range start (5) must be less than end (5): the end has to be greater than the start',
      'match.range @ spec.headers[2].match.range: range start (9) must be less than end (3): the end has to be greater than the start',
    ]);
  });

  it('ignores what is not a complete numeric range (left to the schema check)', () => {
    expect(ranges(undefined)).toEqual([]);
    expect(
      ranges([
        null,
        {},
        { match: { exact: 'x' } },
        { match: { range: { start: 9 } } },
        { match: { range: { end: 3 } } },
        { match: { range: { start: '9', end: 3 } } },
        { match: { range: { start: 9, end: '3' } } },
      ]),
    ).toEqual([]);
  });
});

describe('checkPrefixSlash', () => {
  it('a prefix must start with /', () => {
    const ctx = new BuildContext(DEFAULT_QUOTAS, 'cluster.local', true);
    for (const prefix of ['/', '/a', 'a', undefined, 7])
      checkPrefixSlash(ctx, { ...entry }, ['spec', 'p'], prefix);
    expect(ctx.diagnostics.map((d) => d.message)).toEqual([
      'prefix "a" must start with "/" ("/" alone matches every path)',
    ]);
  });
});
