import { describe, expect, it } from 'vitest';
import { LayeredMap } from './layered-map.js';

/** The layers, for the tests of the copying cost (the class keeps them private). */
const layers = (m: LayeredMap<string, number>) => ({
  base: Reflect.get(m, 'base') as ReadonlyMap<string, number>,
  top: Reflect.get(m, 'top') as ReadonlyMap<string, number>,
});

describe('LayeredMap', () => {
  it('reads like the map it was made of', () => {
    const m = LayeredMap.of(
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
    );
    expect(m.size).toBe(2);
    expect(m.get('a')).toBe(1);
    expect(m.has('b')).toBe(true);
    expect(m.has('c')).toBe(false);
    expect(m.get('c')).toBeUndefined();
    expect([...m.entries()]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('with() adds or replaces an entry in a copy, leaving the original as it was', () => {
    const m = LayeredMap.of(new Map([['a', 1]]));
    const added = m.with('b', 2);
    const replaced = added.with('a', 10);
    expect(added.size).toBe(2);
    expect(replaced.size).toBe(2);
    expect(added.has('b')).toBe(true);
    expect(added.has('c')).toBe(false);
    expect(replaced.get('a')).toBe(10);
    expect(replaced.get('b')).toBe(2);
    expect([...replaced.entries()]).toEqual([
      ['a', 10],
      ['b', 2],
    ]);
    // The earlier maps are untouched.
    expect(m.size).toBe(1);
    expect(m.has('b')).toBe(false);
    expect([...m.entries()]).toEqual([['a', 1]]);
    expect(added.get('a')).toBe(1);
  });

  it('counts a new key once however often it is set', () => {
    let m = LayeredMap.of(new Map<string, number>());
    for (let i = 0; i < 5; i++) m = m.with('k', i);
    expect(m.size).toBe(1);
    expect([...m.entries()]).toEqual([['k', 4]]);
    expect(m.with('other', 0).size).toBe(2);
  });

  it('stays equal to a plain map over many writes, across flattenings', () => {
    const plain = new Map<string, number>([
      ['k0', -1],
      ['k1', -1],
    ]);
    let m = LayeredMap.of(new Map(plain));
    for (let i = 0; i < 300; i++) {
      const key = `k${(i * 7) % 97}`;
      plain.set(key, i);
      m = m.with(key, i);
      expect(m.size).toBe(plain.size);
      expect(m.get(key)).toBe(i);
    }
    expect([...m.entries()]).toEqual([...plain.entries()]);
  });

  it('copies share the base and keep a top layer of fewer than 64 changes', () => {
    const base = new Map<string, number>();
    for (let i = 0; i < 1000; i++) base.set(`b${i}`, i);
    let m = LayeredMap.of(base);
    const first = m.with('x', 1);
    // One write copies the small top layer, not the 1,000-entry base.
    expect(layers(first).base).toBe(base);
    expect(layers(first).top.size).toBe(1);
    let largestTop = 0;
    let flattenings = 0;
    for (let i = 0; i < 200; i++) {
      const next = m.with(`n${i}`, i);
      if (layers(next).base !== layers(m).base) flattenings++;
      largestTop = Math.max(largestTop, layers(next).top.size);
      m = next;
    }
    expect(largestTop).toBe(63);
    expect(flattenings).toBe(3);
    expect(m.size).toBe(1200);
  });
});
