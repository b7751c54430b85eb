import { describe, expect, it } from 'vitest';
import { GroupCounter, resolveLimits, TokenBucket } from './limits.js';

describe('limits', () => {
  it('has the documented defaults and rejects nonsense', () => {
    expect(resolveLimits()).toEqual({
      maxProxiesPerNode: 50,
      maxStreams: 10_000,
      maxNamesPerStream: 10_000,
      newStreamsPerSecond: 500,
      newStreamBurst: 1000,
      ackTimeoutMs: 30_000,
      maxQueuedRequests: 64,
    });
    expect(() => resolveLimits({ maxProxiesPerNode: 0 })).toThrow(/maxProxiesPerNode/);
    expect(() => resolveLimits({ newStreamsPerSecond: -1 })).toThrow(/newStreamsPerSecond/);
  });

  it('takes a new-stream rate of 0 as no limit, as --xds-new-streams-per-second documents', () => {
    expect(resolveLimits({ newStreamsPerSecond: 0 }).newStreamsPerSecond).toBe(0);
    const b = new TokenBucket(0, 1, () => 0);
    expect(Array.from({ length: 5000 }, () => b.tryTake()).every(Boolean)).toBe(true);
  });

  it('refills the token bucket at the configured rate', () => {
    let now = 0;
    const b = new TokenBucket(10, 3, () => now);
    expect([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, true, false]);
    now += 100; // one token per 100 ms
    expect([b.tryTake(), b.tryTake()]).toEqual([true, false]);
    now += 10_000; // never more than the burst
    expect([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, true, false]);
  });

  it('counts members per group up to the ceiling', () => {
    const c = new GroupCounter(2);
    expect([c.tryAdd('g'), c.tryAdd('g'), c.tryAdd('g'), c.tryAdd('h')]).toEqual([true, true, false, true]);
    c.remove('g');
    expect(c.count('g')).toBe(1);
    expect(c.tryAdd('g')).toBe(true);
  });
});
