import { afterEach, describe, expect, it } from 'vitest';
import { API_VERSION } from '../model/index.js';
import { resourceKey } from './keys.js';
import { createMemoryStore } from './memory-store.js';
import { StoreMirror, type MirrorListener } from './mirror.js';
import { StoreSource } from './store-source.js';
import type { ResourceStore } from './types.js';

const service = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: API_VERSION,
  kind: 'VirtualService',
  metadata: { name, namespace: 'ns' },
  spec,
});
const key = (name: string) => resourceKey('VirtualService', 'ns', name);
const names = (source: StoreSource) => source.graphInput().resources.map((r) => r.resource.metadata.name);

/** Resolves once the mirror has delivered every change made so far. */
async function delivered(store: ResourceStore, mirror: StoreMirror): Promise<void> {
  await mirror.waitFor(await store.revision());
}

let cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function open(): Promise<{
  store: ResourceStore;
  mirror: StoreMirror;
  changes: () => number;
  source: StoreSource;
}> {
  const store = createMemoryStore();
  const mirror = await StoreMirror.open(store);
  let changes = 0;
  const source = new StoreSource(mirror, () => changes++);
  cleanup.push(
    () => store.close(),
    () => mirror.close(),
    () => source.close(),
  );
  return { store, mirror, changes: () => changes, source };
}

describe('StoreSource', () => {
  it('tells of a change when the mirror delivers it, and reads its record only when the input is read', () => {
    let listener: MirrorListener | undefined;
    const mirror = {
      values: () => [][Symbol.iterator](),
      subscribe: (l: MirrorListener) => ((listener = l), () => undefined),
    } as unknown as StoreMirror;
    let changes = 0;
    const source = new StoreSource(mirror, () => changes++);
    let reads = 0;
    const value = service('a');
    const record = {
      key: key('a'),
      value: Object.defineProperty({ ...value }, 'spec', {
        enumerable: true,
        get: () => (reads++, value.spec),
      }),
      version: 1,
      createRevision: 1,
      modRevision: 1,
    };
    listener!({ type: 'put', record });
    expect(changes).toBe(1);
    expect(reads).toBe(0);
    expect(names(source)).toEqual(['a']);
    expect(reads).toBeGreaterThan(0);
    const after = reads;
    names(source);
    expect(reads).toBe(after);
  });

  it('builds the input an eager check would: changes applied in order, a record that failed its check re-added last', async () => {
    const { store, mirror, source } = await open();
    for (const n of ['a', 'b', 'c']) await store.put(key(n), service(n));
    await delivered(store, mirror);
    expect(names(source)).toEqual(['a', 'b', 'c']);
    await store.put(key('a'), service('a', { provider: 'not an object' }));
    await store.put(key('a'), service('a'));
    await store.put(key('b'), service('b'));
    await store.delete(key('c'));
    await store.put(key('c'), service('c'));
    await delivered(store, mirror);
    expect(names(source)).toEqual(['b', 'a', 'c']);
    expect(source.rejected.size).toBe(0);
  });

  it('reports records that fail their schema, and forgets them once fixed or deleted', async () => {
    const { store, mirror, source } = await open();
    await store.put(key('bad'), service('bad', { provider: 'not an object' }));
    await store.put(key('gone'), service('gone', { provider: 'not an object' }));
    await delivered(store, mirror);
    expect([...source.rejected.keys()]).toEqual([key('bad'), key('gone')]);
    expect(source.size).toBe(0);
    await store.put(key('bad'), service('bad'));
    await store.delete(key('gone'));
    await delivered(store, mirror);
    expect([...source.rejected.keys()]).toEqual([]);
    expect(source.size).toBe(1);
  });

  it('reads Namespaces and their labels, and ignores records that are not graph input', async () => {
    const { store, mirror, changes, source } = await open();
    await store.put(resourceKey('Namespace', undefined, 'ns'), {
      metadata: { name: 'ns', labels: { mesh: 'm' } },
    });
    await store.put('ClientToken/x', { token: 'x' });
    await delivered(store, mirror);
    expect(changes()).toBe(1);
    expect(source.graphInput().namespaces).toEqual([{ name: 'ns', labels: { mesh: 'm' } }]);
  });
});
