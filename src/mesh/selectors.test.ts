import { describe, expect, it } from 'vitest';
import {
  describeLabels,
  describeSelector,
  labelKeyProblem,
  labelValueProblem,
  selectorKeys,
  selectorMatches,
  selectorProblems,
} from './selectors.js';

const labels = { app: 'web', tier: 'front', 'example.com/team': 'a' };

describe('LabelSelector matching', () => {
  it('absent selects nothing or everything, as the caller says; empty selects everything', () => {
    expect(selectorMatches(undefined, labels, 'none')).toBe(false);
    expect(selectorMatches(undefined, labels, 'all')).toBe(true);
    expect(selectorMatches({}, labels, 'none')).toBe(true);
    expect(selectorMatches({ matchLabels: {}, matchExpressions: [] }, {}, 'none')).toBe(true);
  });

  it('matchLabels needs every pair', () => {
    expect(selectorMatches({ matchLabels: { app: 'web' } }, labels, 'none')).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'web', tier: 'back' } }, labels, 'none')).toBe(false);
    expect(selectorMatches({ matchLabels: { missing: '' } }, labels, 'none')).toBe(false);
  });

  it.each([
    ['In', 'app', ['web', 'api'], true],
    ['In', 'app', ['api'], false],
    ['In', 'missing', ['x'], false],
    ['NotIn', 'app', ['api'], true],
    ['NotIn', 'app', ['web'], false],
    ['NotIn', 'missing', ['x'], true],
    ['Exists', 'tier', undefined, true],
    ['Exists', 'missing', undefined, false],
    ['DoesNotExist', 'missing', undefined, true],
    ['DoesNotExist', 'tier', undefined, false],
  ] as const)('%s %s %j → %s', (operator, key, values, expected) => {
    const sel = { matchExpressions: [{ key, operator, ...(values ? { values: [...values] } : {}) }] };
    expect(selectorMatches(sel, labels, 'none')).toBe(expected);
  });

  it('ANDs matchLabels and matchExpressions', () => {
    const sel = {
      matchLabels: { app: 'web' },
      matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }],
    };
    expect(selectorMatches(sel, labels, 'none')).toBe(false);
  });

  it('does not match inherited object keys', () => {
    expect(selectorMatches({ matchLabels: { constructor: 'x' } }, {}, 'none')).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'toString', operator: 'Exists' }] }, {}, 'none')).toBe(
      false,
    );
  });
});

describe('LabelSelector problems (what Kubernetes refuses)', () => {
  it('accepts valid selectors', () => {
    expect(
      selectorProblems({
        matchLabels: { 'example.com/team': 'a-b_c.d', app: '' },
        matchExpressions: [{ key: 'x', operator: 'Exists' }],
      }),
    ).toEqual([]);
  });
  it.each([
    [{ matchExpressions: [{ key: 'x', operator: 'Equals', values: ['a'] }] }, 'matchExpressions.0.operator'],
    [{ matchExpressions: [{ key: 'x', operator: 'In' }] }, 'matchExpressions.0.values'],
    [{ matchExpressions: [{ key: 'x', operator: 'Exists', values: ['a'] }] }, 'matchExpressions.0.values'],
    [{ matchExpressions: [{ key: 'bad key', operator: 'Exists' }] }, 'matchExpressions.0.key'],
    [{ matchLabels: { app: 'has space' } }, 'matchLabels.app'],
    [{ matchLabels: { ['Upper.Case/x']: 'a' } }, 'matchLabels.Upper.Case/x'],
    [{ matchLabels: { app: 'v'.repeat(64) } }, 'matchLabels.app'],
  ])('rejects %j at %s', (sel, path) => {
    const problems = selectorProblems(sel);
    expect(problems.map((p) => p.path.join('.'))).toContain(path);
    expect(problems.every((p) => p.message.length > 0)).toBe(true);
  });
  it('describes selectors for messages', () => {
    expect(
      describeSelector(
        {
          matchLabels: { a: 'b' },
          matchExpressions: [
            { key: 'c', operator: 'NotIn', values: ['d', 'e'] },
            { key: 'f', operator: 'DoesNotExist' },
          ],
        },
        'none',
      ),
    ).toBe('a=b, c notin (d,e), !f');
    expect(describeSelector(undefined, 'none')).toBe('nothing (no selector)');
    expect(describeSelector({}, 'none')).toBe('everything (empty selector)');
  });
});

describe('label keys and values (Kubernetes syntax)', () => {
  it('a key is an optional DNS-subdomain prefix of 1..253 characters and a name of 1..63', () => {
    expect(labelKeyProblem('app')).toBeUndefined();
    expect(labelKeyProblem('a'.repeat(63))).toBeUndefined();
    expect(labelKeyProblem('a'.repeat(64))).toMatch(/^label key "a+" must be 1-63 characters/);
    expect(labelKeyProblem('')).toMatch(/^label key "" must be 1-63 characters/);
    expect(labelKeyProblem('example.com/app')).toBeUndefined();
    expect(labelKeyProblem(`${'p'.repeat(253)}/app`)).toBeUndefined();
    expect(labelKeyProblem(`${'p'.repeat(254)}/app`)).toMatch(
      /^label key prefix "p+" must be a DNS subdomain/,
    );
    expect(labelKeyProblem('/app')).toBe(
      'label key prefix "" must be a DNS subdomain (lowercase letters, digits, "-" and ".")',
    );
    expect(labelKeyProblem('example.com/')).toMatch(/^label key "example.com\/" must be 1-63 characters/);
    expect(labelKeyProblem('Example.com/app')).toMatch(/^label key prefix "Example.com"/);
  });

  it('a value is at most 63 characters, possibly empty', () => {
    expect(labelValueProblem('')).toBeUndefined();
    expect(labelValueProblem('v'.repeat(63))).toBeUndefined();
    expect(labelValueProblem('v'.repeat(64))).toMatch(/^label value "v+" must be at most 63 characters/);
    expect(labelValueProblem('-v')).toBeDefined();
  });
});

describe('selector problems in detail', () => {
  it('names the operators an unknown one may be, and checks nothing more of that expression', () => {
    expect(selectorProblems({ matchExpressions: [{ key: 'x', operator: 'Equals', values: [] }] })).toEqual([
      {
        path: ['matchExpressions', 0, 'operator'],
        message: 'operator must be one of In, NotIn, Exists, DoesNotExist, got "Equals"',
      },
    ]);
  });

  it('NotIn needs values; DoesNotExist takes none', () => {
    expect(selectorProblems({ matchExpressions: [{ key: 'x', operator: 'NotIn', values: [] }] })).toEqual([
      { path: ['matchExpressions', 0, 'values'], message: 'operator NotIn needs at least one value' },
    ]);
    expect(
      selectorProblems({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist', values: ['a'] }] }),
    ).toEqual([
      { path: ['matchExpressions', 0, 'values'], message: 'operator DoesNotExist takes no values' },
    ]);
  });

  it('each bad value is reported at its index', () => {
    const problems = selectorProblems({
      matchExpressions: [{ key: 'x', operator: 'In', values: ['ok', 'not ok', 'v'.repeat(64)] }],
    });
    expect(problems.map((p) => p.path)).toEqual([
      ['matchExpressions', 0, 'values', 1],
      ['matchExpressions', 0, 'values', 2],
    ]);
    expect(problems[0]!.message).toBe(labelValueProblem('not ok'));
  });

  it('an expression of an unknown operator matches nothing', () => {
    expect(
      selectorMatches(
        { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['web'] }] },
        labels,
        'all',
      ),
    ).toBe(false);
  });

  it('In and Exists without values', () => {
    expect(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'In' }] }, labels, 'none')).toBe(
      false,
    );
    expect(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'NotIn' }] }, labels, 'none')).toBe(
      true,
    );
  });
});

describe('selectors and labels in messages', () => {
  it('every operator, and an absent selector that selects everything', () => {
    expect(
      describeSelector(
        {
          matchExpressions: [
            { key: 'a', operator: 'In', values: ['x', 'y'] },
            { key: 'b', operator: 'Exists' },
            { key: 'c', operator: 'In' },
            { key: 'd', operator: 'Odd', values: ['z'] },
          ],
        },
        'none',
      ),
    ).toBe('a in (x,y), b, c in (), d Odd (z)');
    expect(describeSelector(undefined, 'all')).toBe('everything (no selector)');
  });

  it('labels as pairs, or none', () => {
    expect(describeLabels({ a: 'b', c: 'd' })).toBe('a=b, c=d');
    expect(describeLabels({})).toBe('no labels');
  });

  it('the keys a selector looks at, once each', () => {
    expect(
      selectorKeys({
        matchLabels: { a: 'x', b: 'y' },
        matchExpressions: [
          { key: 'b', operator: 'Exists' },
          { key: 'c', operator: 'DoesNotExist' },
        ],
      }),
    ).toEqual(['a', 'b', 'c']);
    expect(selectorKeys(undefined)).toEqual([]);
    expect(selectorKeys({})).toEqual([]);
  });
});
