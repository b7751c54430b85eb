import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Debouncer, KeyedDebouncer } from './debounce.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Debouncer', () => {
  it('flushes the newest value after 100 ms of quiet', () => {
    const out: number[] = [];
    const d = new Debouncer<number>((v) => out.push(v));
    d.push(1);
    vi.advanceTimersByTime(60);
    d.push(2);
    vi.advanceTimersByTime(99);
    expect(out).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(out).toEqual([2]);
    expect(d.hasPending).toBe(false);
  });

  it('flushes at most 1 s after the first pending update, however busy the input', () => {
    const out: number[] = [];
    const d = new Debouncer<number>((v) => out.push(v));
    for (let i = 0; i < 30; i++) {
      d.push(i);
      vi.advanceTimersByTime(50);
    }
    // 1.5 s of updates every 50 ms: one flush at 1 s, the next one 1 s after that batch began.
    expect(out).toEqual([19]);
    vi.advanceTimersByTime(100);
    expect(out).toEqual([19, 29]);
  });

  it('merges values when asked and honours custom timings', () => {
    const out: string[][] = [];
    const d = new Debouncer<string[]>((v) => out.push(v), {
      quietMs: 10,
      maxMs: 20,
      merge: (a, b) => [...a, ...b],
    });
    d.push(['a']);
    vi.advanceTimersByTime(5);
    d.push(['b']);
    vi.advanceTimersByTime(10);
    expect(out).toEqual([['a', 'b']]);
  });

  it('can flush now or cancel', () => {
    const out: number[] = [];
    const d = new Debouncer<number>((v) => out.push(v));
    d.push(1);
    d.flush();
    expect(out).toEqual([1]);
    d.push(2);
    d.cancel();
    vi.advanceTimersByTime(2000);
    expect(out).toEqual([1]);
    d.flush();
    expect(out).toEqual([1]);
  });

  it('refuses inconsistent timings', () => {
    expect(() => new Debouncer(() => {}, { quietMs: 500, maxMs: 100 })).toThrow(/quietMs <= maxMs/);
  });
});

describe('KeyedDebouncer', () => {
  it('debounces each key on its own', () => {
    const out: [string, number][] = [];
    const d = new KeyedDebouncer<string, number>((k, v) => out.push([k, v]));
    d.push('a', 1);
    vi.advanceTimersByTime(50);
    d.push('b', 1);
    d.push('a', 2);
    expect(d.pendingKeys.sort()).toEqual(['a', 'b']);
    vi.advanceTimersByTime(100);
    expect(out).toEqual([
      ['b', 1],
      ['a', 2],
    ]);
    expect(d.pendingKeys).toEqual([]);
    d.push('c', 3);
    d.flushAll();
    expect(out.at(-1)).toEqual(['c', 3]);
  });
});
