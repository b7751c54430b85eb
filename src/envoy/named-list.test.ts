import { describe, expect, it } from 'vitest';
import { NamedList, NameTable } from './named-list.js';

describe('NamedList', () => {
  it('keeps the first item of a name with addFirst, and replaces in place with set', () => {
    const list = new NamedList<string>(new NameTable(), 0);
    expect(list.addFirst('a', 'a1')).toBe(true);
    expect(list.addFirst('b', 'b1')).toBe(true);
    expect(list.addFirst('a', 'a2')).toBe(false);
    list.set('a', 'a3');
    list.set('c', 'c1');
    expect(list.items).toEqual(['a3', 'b1', 'c1']);
    expect(list.has('b')).toBe(true);
    expect(list.has('d')).toBe(false);
  });

  it('keeps lists nested at other depths apart while they are filled together', () => {
    const table = new NameTable();
    const group = new NamedList<string>(table, 0);
    group.addFirst('x', 'group-x');
    const unit = new NamedList<string>(table, 1);
    expect(unit.has('x')).toBe(false);
    expect(unit.addFirst('x', 'unit-x')).toBe(true);
    const inner = new NamedList<string>(table, 2);
    inner.set('x', 'inner-x');
    expect(group.has('x')).toBe(true);
    expect(unit.items).toEqual(['unit-x']);
    group.set('x', 'group-x2');
    expect(group.items).toEqual(['group-x2']);
    expect(inner.items).toEqual(['inner-x']);
  });

  it('does not see the names of an earlier list at the same depth', () => {
    const table = new NameTable();
    const first = new NamedList<number>(table, 0);
    first.addFirst('x', 1);
    first.addFirst('y', 2);
    const next = new NamedList<number>(table, 0);
    expect(next.has('x')).toBe(false);
    expect(next.addFirst('y', 3)).toBe(true);
    next.set('y', 4);
    expect(next.items).toEqual([4]);
    expect(first.items).toEqual([1, 2]);
  });
});

describe('NameTable', () => {
  it('gives one slot per name, which lists fill through addFirstAt as through addFirst', () => {
    const table = new NameTable();
    const slot = table.slot('x');
    expect(table.slot('x')).toBe(slot);
    const a = new NamedList<string>(table, 0);
    expect(a.addFirstAt(slot, 'x1')).toBe(true);
    expect(a.addFirst('x', 'x2')).toBe(false);
    const b = new NamedList<string>(table, 1);
    expect(b.addFirstAt(slot, 'x3')).toBe(true);
    expect([a.items, b.items, table.size]).toEqual([['x1'], ['x3'], 1]);
  });
});
