import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Debouncer, KeyedDebouncer } from './debounce.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Debouncer', () => {
  it('leading: a change after quiet goes out on a 0 ms timer, the changes made before it fires with it', () => {
    const out: string[][] = [];
    const d = new Debouncer<string[]>((v) => out.push(v), { leading: true, merge: (a, b) => [...a, ...b] });
    d.push(['a']);
    d.push(['b']);
    expect(out).toEqual([]);
    vi.advanceTimersByTime(0);
    expect(out).toEqual([['a', 'b']]);
    expect(d.hasPending).toBe(false);
  });

  it('leading: the changes that follow within the quiet period are coalesced as without it', () => {
    const out: number[] = [];
    const d = new Debouncer<number>((v) => out.push(v), { leading: true });
    d.push(1);
    vi.advanceTimersByTime(0);
    expect(out).toEqual([1]);
    vi.advanceTimersByTime(10);
    d.push(2);
    vi.advanceTimersByTime(50);
    d.push(3);
    vi.advanceTimersByTime(99);
    expect(out).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(out).toEqual([1, 3]);
    // Quiet for 100 ms since the last change: the next one goes out at once again.
    vi.advanceTimersByTime(100);
    d.push(4);
    vi.advanceTimersByTime(0);
    expect(out).toEqual([1, 3, 4]);
  });

  it('leading: a steady trickle still flushes at least every maxMs', () => {
    const out: number[] = [];
    const d = new Debouncer<number>((v) => out.push(v), { leading: true });
    for (let i = 0; i < 30; i++) {
      d.push(i);
      vi.advanceTimersByTime(50);
    }
    // The first at once, then one flush 1 s after the second began the batch (at 50 ms).
    expect(out).toEqual([0, 20]);
  });

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
