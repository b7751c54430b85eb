import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { ClientTokenCache, fingerprintOf } from './idempotency.js';

describe('ClientTokenCache', () => {
  it('runs once per token and input, conflicts on other input, forgets failures and old tokens', async () => {
    let t = 0;
    const cache = new ClientTokenCache({ ttlMs: 1000, maxEntries: 2, now: () => t });
    let runs = 0;
    const op = async () => ++runs;
    expect(await cache.run('Op', 'a', { x: 1 }, op)).toBe(1);
    expect(await cache.run('Op', 'a', { x: 1 }, op)).toBe(1);
    expect(await cache.run('Other', 'a', { x: 1 }, op)).toBe(2);
    await expect(cache.run('Op', 'a', { x: 2 }, op)).rejects.toMatchObject({
      errorType: 'ConflictException',
    });
    await expect(
      cache.run('Op', 'f', {}, async () => Promise.reject(new ApiError('BadRequestException', 'no'))),
    ).rejects.toBeInstanceOf(ApiError);
    await new Promise((r) => setTimeout(r, 0));
    expect(await cache.run('Op', 'f', {}, op)).toBe(3);
    t = 5000;
    expect(await cache.run('Op', 'a', { x: 2 }, op)).toBe(4);
    expect(cache.size).toBeLessThanOrEqual(2);
    expect(await cache.run('Op', undefined, {}, op)).toBe(5);
  });

  it('concurrent duplicates share one execution', async () => {
    const cache = new ClientTokenCache();
    let runs = 0;
    const slow = () => new Promise<number>((r) => setTimeout(() => r(++runs), 10));
    const [a, b] = await Promise.all([cache.run('Op', 't', {}, slow), cache.run('Op', 't', {}, slow)]);
    expect([a, b, runs]).toEqual([1, 1, 1]);
  });

  it('fingerprints ignore key order', () => {
    expect(fingerprintOf({ a: 1, b: [{ c: 2, d: 3 }] })).toBe(fingerprintOf({ b: [{ d: 3, c: 2 }], a: 1 }));
    expect(fingerprintOf({ a: 1 })).not.toBe(fingerprintOf({ a: 2 }));
  });
});
