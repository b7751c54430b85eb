/**
 * EtcdLeasedKeys on a real etcd: the keys a replica owns are attached to its lease,
 * only what changed is written, what is left out is deleted; when the lease is lost
 * (revoked here, as etcd does when the replica was cut off for longer than the TTL)
 * everything is written again under a new lease; closing deletes them at once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Etcd3 } from 'etcd3';
import { startEtcd, type LocalEtcd } from './support/store-etcd.js';
import { ETCD, describeWithPrograms } from '../support/system-programs.js';
import { EtcdLeasedKeys } from '../../src/store/index.js';

describeWithPrograms('keys owned under a lease (EtcdLeasedKeys)', [ETCD], () => {
  let etcd: LocalEtcd;
  let admin: Etcd3;

  beforeAll(async () => {
    etcd = await startEtcd();
    admin = new Etcd3({ hosts: [etcd.endpoint] });
  });

  afterAll(async () => {
    admin?.close();
    await etcd?.stop();
  });

  const held = async () => {
    const res = await admin.kv.range({ key: Buffer.from('t/'), range_end: Buffer.from('t0') });
    return res.kvs.map((kv) => ({ key: kv.key.toString(), value: kv.value.toString(), lease: kv.lease }));
  };

  it('writes what changed, deletes what is gone, writes all again after losing the lease, deletes all on close', async () => {
    const keys = new EtcdLeasedKeys({ endpoints: [etcd.endpoint], prefix: 't/', ttlSeconds: 3 });
    try {
      keys.set(
        new Map([
          ['a', '{"n":1}'],
          ['b', '{"n":2}'],
        ]),
      );
      await keys.settled();
      const first = await held();
      expect(first.map((k) => [k.key, k.value])).toEqual([
        ['t/a', '{"n":1}'],
        ['t/b', '{"n":2}'],
      ]);
      expect(first[0]!.lease).not.toBe('0');
      expect(keys.writes).toBe(2);

      keys.set(new Map([['a', '{"n":1}']]));
      await keys.settled();
      expect((await held()).map((k) => k.key)).toEqual(['t/a']);
      expect(keys.writes).toBe(3); // b deleted; a unchanged, not written again

      await admin.leaseClient.leaseRevoke({ ID: first[0]!.lease });
      expect(await held()).toEqual([]);
      const revokedAt = Date.now();
      // The next keep-alive (every TTL/3) finds the lease gone; the keys come back under a new one.
      await expect
        .poll(async () => (await held()).map((k) => [k.key, k.lease !== first[0]!.lease]), {
          timeout: 15_000,
          interval: 50,
        })
        .toEqual([['t/a', true]]);
      console.log(`keys written again ${Date.now() - revokedAt} ms after their lease was revoked`);
    } finally {
      await keys.close();
    }
    expect(await held()).toEqual([]);
  }, 30_000);
});
