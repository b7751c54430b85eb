import { describe, expect, it } from 'vitest';
import { createMemoryStore } from './memory-store.js';
import { registerStoreContract, takeEvents } from './store-contract.testkit.js';
import { CompactedError, WatchOverflowError } from './types.js';

registerStoreContract('memory', async () => createMemoryStore());

describe('memory store specifics', () => {
  it('keeps only historyLimit revisions of change history', async () => {
    const store = createMemoryStore({ historyLimit: 5 });
    for (let i = 0; i < 20; i++) await store.put('h/k', i);
    expect(await store.revision()).toBe(20);
    await expect(store.watch({ fromRevision: 14 })).rejects.toBeInstanceOf(CompactedError);
    const err = await store.watch({ fromRevision: 3 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ requestedRevision: 3, compactedRevision: 15 });
    const stream = await store.watch({ fromRevision: 15 });
    expect((await takeEvents(stream, 5)).map((e) => e.record.value)).toEqual([15, 16, 17, 18, 19]);
    await store.close();
  });

  it('fails a watch whose consumer falls too far behind, naming the resume point', async () => {
    const store = createMemoryStore();
    const stream = await store.watch({ maxBufferedEvents: 3 });
    await store.put('o/1', 1);
    const [first] = await takeEvents(stream, 1);
    for (let i = 2; i <= 6; i++) await store.put(`o/${i}`, i);
    const it = stream[Symbol.asyncIterator]();
    const err = await it.next().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WatchOverflowError);
    expect(err).toMatchObject({ lastDeliveredRevision: first?.revision });
    expect((await it.next()).done).toBe(true);
    await store.close();
  });

  it('starts at revision 0', async () => {
    const store = createMemoryStore();
    expect(await store.revision()).toBe(0);
    expect((await store.list()).revision).toBe(0);
    await store.close();
  });
});
