import { describe, expect, it } from 'vitest';
import { StoreFreshness } from './freshness.js';

describe('StoreFreshness', () => {
  it('goes stale once no probe has confirmed the view for longer than the bound, and recovers by itself', async () => {
    let t = 0;
    let cutOff = false;
    let storeRevision = 5;
    let mirrorRevision = 5;
    const store = {
      revision: () => (cutOff ? new Promise<number>(() => undefined) : Promise.resolve(storeRevision)),
    };
    const mirror = { waitFor: async (r: number) => mirrorRevision >= r };
    const f = new StoreFreshness(store, mirror, { boundMs: 50, now: () => t });
    await f.probe();
    expect(f.status()).toMatchObject({ fresh: true, ageMs: 0 });

    cutOff = true; // the store does not answer: the probe times out after the bound
    t = 40;
    await f.probe();
    expect(f.status()).toMatchObject({
      fresh: true,
      ageMs: 40,
      lastError: expect.stringMatching(/took over 50 ms/),
    });
    t = 51;
    expect(f.status()).toMatchObject({ fresh: false, boundMs: 50 });

    cutOff = false; // answers again, but the watch is behind: still stale
    storeRevision = 9;
    t = 60;
    await f.probe();
    expect(f.status()).toMatchObject({ fresh: false, lastError: expect.stringMatching(/revision 9/) });
    mirrorRevision = 9;
    t = 70;
    await f.probe();
    expect(f.status()).toEqual({
      fresh: true,
      ageMs: 0,
      boundMs: 50,
      confirmedAt: new Date(70).toISOString(),
    });
  });

  it('tells onChange of a turn as soon as anyone reads the status, not at the next watchdog tick', async () => {
    let t = 0;
    const turns: boolean[] = [];
    const store = { revision: () => Promise.resolve(1) };
    const mirror = { waitFor: async () => true };
    // No start(): no watchdog at all, so only reading the status can tell.
    const f = new StoreFreshness(store, mirror, {
      boundMs: 50,
      now: () => t,
      onChange: (s) => turns.push(s.fresh),
    });
    t = 51;
    expect(f.status().fresh).toBe(false);
    expect(turns).toEqual([false]);
    expect(f.status().fresh).toBe(false);
    expect(turns).toEqual([false]);
    await f.probe();
    expect(f.status().fresh).toBe(true);
    expect(turns).toEqual([false, true]);
  });
});
