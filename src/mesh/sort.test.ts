import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../model/index.js';
import { compareDiagnostics, isReconcileTime, sortDiagnostics } from './sort.js';

function d(message: string, source?: { file: string; line: number; col: number }): Diagnostic {
  return { severity: 'error', code: 'x', path: '', message, ...(source ? { source } : {}) };
}

const at = (file: string, line: number, col: number) => ({ file, line, col });

describe('compareDiagnostics', () => {
  it('puts located diagnostics before unlocated ones', () => {
    expect(compareDiagnostics(d('a', at('f', 1, 1)), d('b'))).toBe(-1);
    expect(compareDiagnostics(d('a'), d('b', at('f', 1, 1)))).toBe(1);
    expect(compareDiagnostics(d('a'), d('b'))).toBe(0);
  });

  it('orders by file name, then line, then column', () => {
    expect(compareDiagnostics(d('a', at('a.yaml', 9, 9)), d('b', at('b.yaml', 1, 1)))).toBe(-1);
    expect(compareDiagnostics(d('a', at('b.yaml', 1, 1)), d('b', at('a.yaml', 9, 9)))).toBe(1);
    expect(compareDiagnostics(d('a', at('f', 2, 9)), d('b', at('f', 5, 1)))).toBeLessThan(0);
    expect(compareDiagnostics(d('a', at('f', 5, 1)), d('b', at('f', 2, 9)))).toBeGreaterThan(0);
    expect(compareDiagnostics(d('a', at('f', 3, 2)), d('b', at('f', 3, 7)))).toBeLessThan(0);
    expect(compareDiagnostics(d('a', at('f', 3, 7)), d('b', at('f', 3, 2)))).toBeGreaterThan(0);
    expect(compareDiagnostics(d('a', at('f', 3, 7)), d('b', at('f', 3, 7)))).toBe(0);
  });
});

describe('sortDiagnostics', () => {
  it('sorts a copy, located first, keeping the found order of equal positions', () => {
    const list = [
      d('unlocated 1'),
      d('b.yaml 1:1', at('b.yaml', 1, 1)),
      d('a.yaml 2:5', at('a.yaml', 2, 5)),
      d('a.yaml 2:3', at('a.yaml', 2, 3)),
      d('unlocated 2'),
      d('a.yaml 10:1', at('a.yaml', 10, 1)),
      d('a.yaml 2:3 again', at('a.yaml', 2, 3)),
    ];
    const before = [...list];
    expect(sortDiagnostics(list).map((x) => x.message)).toEqual([
      'a.yaml 2:3',
      'a.yaml 2:3 again',
      'a.yaml 2:5',
      'a.yaml 10:1',
      'b.yaml 1:1',
      'unlocated 1',
      'unlocated 2',
    ]);
    expect(list).toEqual(before);
  });
});

describe('isReconcileTime', () => {
  it('is true for a missing reference only', () => {
    expect(isReconcileTime({ ...d('m'), code: 'ref.not-found' })).toBe(true);
    expect(isReconcileTime({ ...d('m'), code: 'ref.wrong-mesh' })).toBe(false);
    expect(isReconcileTime({ ...d('m'), code: '' })).toBe(false);
  });
});
