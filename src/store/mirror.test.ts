import { afterEach, describe, expect, it, vi } from 'vitest';
import { CompactedError, StoreUnavailableError } from './errors.js';
import { createMemoryStore } from './memory-store.js';
import { StoreMirror, type MirrorChange } from './mirror.js';
import type { ResourceStore, WatchEvent, WatchStream } from './types.js';

/**
 * A memory store whose watches can be failed on demand and whose lists can be made to
 * fail a number of times: the failures a real etcd produces (compaction, restarts),
 * without timing games.
 */
function flakyStore() {
  const inner = createMemoryStore();
  const live = new Set<{ fail: (err: unknown) => void }>();
  let listFailures = 0;
  let lists = 0;
  const store: ResourceStore = Object.create(inner) as ResourceStore;
  store.list = async (options) => {
    lists++;
    if (listFailures > 0) {
      listFailures--;
      throw new StoreUnavailableError('etcd: connection refused', undefined);
    }
    return inner.list(options);
  };
  store.watch = async <T>(options?: Parameters<ResourceStore['watch']>[0]) => {
    const stream = await inner.watch<T>(options);
    let failure: unknown;
    let wake: (() => void) | undefined;
    const handle = {
      fail: (err: unknown) => {
        failure = err;
        wake?.();
      },
    };
    live.add(handle);
    const it = stream[Symbol.asyncIterator]();
    const wrapped: WatchStream<T> = {
      startRevision: stream.startRevision,
      close: () => {
        live.delete(handle);
        stream.close();
      },
      [Symbol.asyncIterator]: () => ({
        next: () =>
          new Promise<IteratorResult<WatchEvent<T>>>((resolve, reject) => {
            if (failure !== undefined) return reject(failure);
            wake = () => reject(failure);
            it.next().then(resolve, reject);
          }),
      }),
    };
    return wrapped;
  };
  return {
    store,
    failWatches: (err: unknown) => {
      for (const h of [...live]) {
        live.delete(h);
        h.fail(err);
      }
    },
    failNextLists: (n: number) => {
      listFailures = n;
    },
    lists: () => lists,
  };
}

const mirrors: StoreMirror[] = [];
async function open(store: ResourceStore, options: Parameters<typeof StoreMirror.open>[1] = {}) {
  const m = await StoreMirror.open(store, options);
  mirrors.push(m);
  return m;
}

afterEach(() => {
  for (const m of mirrors.splice(0)) m.close();
});

describe('StoreMirror', () => {
  it('holds what the store holds and passes on every change in order', async () => {
    const store = createMemoryStore();
    await store.put('a', 1);
    await store.put('b', 2);
    const mirror = await open(store, { pageSize: 1 });
    expect([...mirror.values()].map((r) => r.value)).toEqual([1, 2]);
    const seen: string[] = [];
    mirror.subscribe((c) => seen.push(`${c.type} ${c.record.key}=${JSON.stringify(c.record.value)}`));
    await store.put('a', 3);
    const { modRevision } = await store.put('c', 4);
    await store.delete('b');
    expect(await mirror.waitFor(await store.revision(), 5000)).toBe(true);
    expect(seen).toEqual(['put a=3', 'put c=4', 'delete b=2']);
    expect(mirror.get('b')).toBeUndefined();
    expect(mirror.revision).toBeGreaterThan(modRevision);
    expect(mirror.status()).toMatchObject({ state: 'synced', resyncs: 0 });
  });

  it('waitFor(r) resolves only once every write of revision r is in, not after the first of a transaction', async () => {
    // A replica replaying another's clientToken waited for the revision of the token's
    // record (first op of the transaction) and looked for the resource (last op) before
    // the mirror had it: "the resource ... has since been deleted" (ha-replica-state, 1 in 16 loaded runs).
    const store = createMemoryStore();
    const mirror = await open(store);
    for (let i = 0; i < 5; i++) {
      const { revision } = await store.txn([
        { op: 'put', key: `token-${i}`, value: i },
        { op: 'put', key: `guard-${i}`, value: i },
        { op: 'put', key: `resource-${i}`, value: i },
      ]);
      expect(await mirror.waitFor(revision, 5000)).toBe(true);
      expect(mirror.get(`resource-${i}`)?.value, `txn ${i}`).toBe(i);
    }
  });

  it('waitFor gives up after its deadline and on close', async () => {
    const mirror = await open(createMemoryStore());
    expect(await mirror.waitFor(5, 20)).toBe(false);
    const pending = mirror.waitFor(5, 60_000);
    mirror.close();
    expect(await pending).toBe(false);
  });

  it('re-lists after a failed watch and reports the difference as changes', async () => {
    const flaky = flakyStore();
    await flaky.store.put('keep', 1);
    await flaky.store.put('gone', 1);
    const errors: number[] = [];
    const mirror = await open(flaky.store, { initialBackoffMs: 1, onError: (_e, ms) => errors.push(ms) });
    const seen: MirrorChange[] = [];
    mirror.subscribe((c) => seen.push(c));
    flaky.failWatches(new CompactedError(3, undefined));
    // Meanwhile the store changes; the failed watch does not see it.
    await flaky.store.delete('gone');
    await flaky.store.put('new', 2);
    await vi.waitFor(() => expect(mirror.status().state).toBe('synced'), { timeout: 5000 });
    expect(seen.map((c) => `${c.type} ${c.record.key}`)).toEqual(['delete gone', 'put new']);
    expect(mirror.status()).toMatchObject({ resyncs: 1, lastError: expect.stringMatching(/compacted/) });
    expect(errors).toHaveLength(1);
    // And it follows the store again.
    await flaky.store.put('after', 3);
    expect(await mirror.waitFor(await flaky.store.revision(), 5000)).toBe(true);
    expect(mirror.get('after')?.value).toBe(3);
  });

  it('backs off while the store stays unreachable, is not ready meanwhile, and recovers', async () => {
    const flaky = flakyStore();
    const delays: number[] = [];
    const mirror = await open(flaky.store, {
      initialBackoffMs: 5,
      maxBackoffMs: 40,
      onError: (_e, ms) => delays.push(ms),
    });
    flaky.failNextLists(5);
    flaky.failWatches(new StoreUnavailableError('etcd: stream reset', undefined));
    await vi.waitFor(() => expect(delays.length).toBeGreaterThanOrEqual(3), { timeout: 5000 });
    expect(mirror.status()).toMatchObject({ state: 'resyncing', lastError: 'etcd: connection refused' });
    await vi.waitFor(() => expect(mirror.status().state).toBe('synced'), { timeout: 5000 });
    // 5, 10, 20, 40, 40, 40 ms less up to 20% jitter: doubling, capped.
    expect(delays).toHaveLength(6);
    delays.forEach((d, i) => {
      const base = Math.min(40, 5 * 2 ** i);
      expect(d).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
      expect(d).toBeLessThanOrEqual(base);
    });
    expect(flaky.lists()).toBe(1 + 6);
    expect(mirror.status().resyncs).toBe(1);
  });

  it('stops retrying once closed', async () => {
    const flaky = flakyStore();
    const mirror = await open(flaky.store, { initialBackoffMs: 50 });
    flaky.failNextLists(100);
    flaky.failWatches(new StoreUnavailableError('down', undefined));
    await vi.waitFor(() => expect(mirror.status().state).toBe('resyncing'));
    mirror.close();
    const lists = flaky.lists();
    await new Promise((r) => setTimeout(r, 150));
    expect(flaky.lists()).toBe(lists);
    expect(mirror.status().state).toBe('closed');
  });

  it('a listener that throws does not stop the others or the mirror', async () => {
    const store = createMemoryStore();
    const errors: unknown[] = [];
    const mirror = await open(store, { onListenerError: (e) => errors.push(e) });
    const seen: string[] = [];
    mirror.subscribe(() => {
      throw new Error('bad listener');
    });
    mirror.subscribe((c) => seen.push(c.record.key));
    await store.put('a', 1);
    await store.put('b', 2);
    expect(await mirror.waitFor(2, 5000)).toBe(true);
    expect(seen).toEqual(['a', 'b']);
    expect(errors).toHaveLength(2);
    expect(mirror.status().state).toBe('synced');
  });
});
