import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdStore } from '../../src/store/etcd-store.js';
import { registerStoreContract, takeEvents } from '../../src/store/store-contract.testkit.js';
import { createStore } from '../../src/store/create-store.js';
import type { ResourceStore } from '../../src/store/types.js';
import { startEtcd, type LocalEtcd } from './support/store-etcd.js';
import { ETCD, describeWithPrograms } from '../support/system-programs.js';

describeWithPrograms('etcd store (a real etcd on loopback)', [ETCD], () => {
  let etcd: LocalEtcd;
  let n = 0;

  beforeAll(async () => {
    etcd = await startEtcd();
  });

  afterAll(async () => {
    await etcd?.stop();
  });

  // Each test gets its own prefix in the shared etcd, so stores never see each other.
  registerStoreContract('etcd', async () =>
    createEtcdStore({ endpoints: [etcd.endpoint], prefix: `t${n++}/` }),
  );

  describe('etcd store specifics', () => {
    it('isolates stores by prefix while sharing etcd revisions', async () => {
      const a = createStore({ kind: 'etcd', etcd: { endpoints: [etcd.endpoint], prefix: 'iso-a/' } });
      const b = createStore({ kind: 'etcd', etcd: { endpoints: [etcd.endpoint], prefix: 'iso-b/' } });
      const wb = await b.watch();
      const ra = await a.put('k', 'from a');
      const rb = await b.put('k', 'from b');
      expect(rb.modRevision).toBeGreaterThan(ra.modRevision);
      expect((await a.get('k'))?.value).toBe('from a');
      expect((await a.list()).items.map((i) => i.value)).toEqual(['from a']);
      const [ev] = await takeEvents(wb, 1);
      expect(ev?.record).toEqual(rb);
      await a.close();
      await b.close();
    });

    it('sees writes made through another client (another replica)', async () => {
      const prefix = `replica${n++}/`;
      const one: ResourceStore = createEtcdStore({ endpoints: [etcd.endpoint], prefix });
      const two: ResourceStore = createEtcdStore({ endpoints: [etcd.endpoint], prefix });
      const stream = await two.watch({ prefix: 'VirtualNode/' });
      const created = await one.put('VirtualNode/ns/a', { v: 1 }, { expectedVersion: 0 });
      await expect(two.put('VirtualNode/ns/a', { v: 2 }, { expectedVersion: 0 })).rejects.toMatchObject({
        code: 'conflict',
      });
      expect((await takeEvents(stream, 1))[0]?.record).toEqual(created);
      await one.close();
      await two.close();
    });

    it('a watch survives an etcd restart without losing or repeating events', async () => {
      const prefix = `restart${n++}/`;
      const writer = createEtcdStore({ endpoints: [etcd.endpoint], prefix });
      const watcher = createEtcdStore({ endpoints: [etcd.endpoint], prefix });
      const stream = await watcher.watch();
      for (let i = 0; i < 3; i++) await writer.put(`k${i}`, i);
      expect((await takeEvents(stream, 3)).map((e) => e.record.value)).toEqual([0, 1, 2]);
      // Writes the watcher has not consumed yet when etcd goes away.
      for (let i = 3; i < 5; i++) await writer.put(`k${i}`, i);
      await etcd.restart();
      let written = false;
      for (let attempt = 0; attempt < 50 && !written; attempt++) {
        try {
          await writer.put('k5', 5);
          written = true;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      expect(written).toBe(true);
      const after = await takeEvents(stream, 3, 15_000);
      expect(after.map((e) => e.record.value)).toEqual([3, 4, 5]);
      await expect(takeEvents(stream, 1, 500)).rejects.toThrow(/timed out/);
      await writer.close();
      await watcher.close();
    });

    it('reports an unreachable etcd as a StoreError', async () => {
      const store = createEtcdStore({ endpoints: ['http://127.0.0.1:1'], requestTimeoutMs: 500 });
      await expect(store.get('k')).rejects.toMatchObject({ code: 'unavailable' });
      await store.close();
    });
  });
});
