import { describe, expect, it } from 'vitest';
import { describeSelector, selectorMatches, selectorProblems } from './selectors.js';

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
