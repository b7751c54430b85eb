import { describe, expect, it } from 'vitest';
import { GroupSnapshots } from './group-snapshots.js';

/** A small deterministic generator, so a failure replays. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

function expectSame(got: ReadonlyMap<string, number>, want: ReadonlyMap<string, number>, at: string): void {
  expect(got.size, at).toBe(want.size);
  expect(new Map(got), at).toEqual(want);
  expect([...got.keys()].sort(), at).toEqual([...want.keys()].sort());
  for (const k of ['a', 'b', 'c', 'd', 'e', 'f']) {
    expect(got.get(k), `${at} get ${k}`).toBe(want.get(k));
    expect(got.has(k), `${at} has ${k}`).toBe(want.has(k));
  }
}

describe('GroupSnapshots', () => {
  it('keeps every snapshot as it was when taken, through random sets, deletes and snapshots', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const next = random(seed);
      const table = new GroupSnapshots<number>();
      const model = new Map<string, number>();
      const taken: Array<{ snap: ReadonlyMap<string, number>; copy: Map<string, number> }> = [];
      for (let step = 0; step < 60; step++) {
        const key = 'abcdef'[Math.floor(next() * 6)] as string;
        const op = next();
        if (op < 0.5) {
          table.set(key, step);
          model.set(key, step);
        } else if (op < 0.75) {
          table.delete(key);
          model.delete(key);
        } else taken.push({ snap: table.snapshot(), copy: new Map(model) });
        expect(table.get(key)).toBe(model.get(key));
        for (const [i, t] of taken.entries())
          expectSame(t.snap, t.copy, `seed ${seed} step ${step} snapshot ${i}`);
      }
    }
  });

  it('hands out the same snapshot while nothing changed, and the live order to the newest', () => {
    const table = new GroupSnapshots<number>();
    table.set('x', 1);
    table.set('y', 2);
    const a = table.snapshot();
    expect(table.snapshot()).toBe(a);
    table.delete('x');
    table.set('x', 3);
    const b = table.snapshot();
    expect(b).not.toBe(a);
    expect([...b]).toEqual([
      ['y', 2],
      ['x', 3],
    ]);
    expect([...a.entries()].sort()).toEqual([
      ['x', 1],
      ['y', 2],
    ]);
  });
});
