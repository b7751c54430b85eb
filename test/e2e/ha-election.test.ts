/**
 * Leader election on a real etcd with explicit fencing (issue 11, item 1): of two
 * replicas one leads; a leader whose lease is revoked behind its back (as when it is
 * paused for longer than the TTL) cannot delete as leader, even before it notices, and
 * the other replica takes over within the TTL and can.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Etcd3 } from 'etcd3';
import { startEtcd, type LocalEtcd } from './support/store-etcd.js';
import { ETCD, describeWithPrograms } from '../support/system-programs.js';
import { EtcdElection, createEtcdStore, resourceKey, type ResourceStore } from '../../src/store/index.js';

describeWithPrograms('leader election on etcd, fenced', [ETCD], () => {
  let etcd: LocalEtcd;
  let store: ResourceStore;
  let admin: Etcd3;
  const elections: EtcdElection[] = [];

  beforeAll(async () => {
    etcd = await startEtcd();
    store = createEtcdStore({ endpoints: [etcd.endpoint] });
    admin = new Etcd3({ hosts: [etcd.endpoint] });
  });

  afterAll(async () => {
    for (const e of elections) await e.close();
    admin?.close();
    await store?.close();
    await etcd?.stop();
  });

  const elect = () => {
    // A long TTL: the leader renews its lease every 10 s, so it notices the revoke below only then.
    const e = EtcdElection.start({ endpoints: [etcd.endpoint], name: 'maintenance', ttlSeconds: 30 });
    elections.push(e);
    return e;
  };

  it('one leads; a leader that lost its lease cannot write as leader; the other takes over', async () => {
    const [a, b] = [elect(), elect()];
    await expect.poll(() => [a, b].filter((e) => e.leading).length, { timeout: 20_000 }).toBe(1);
    const leader = a.leading ? a : b;
    const other = leader === a ? b : a;

    const key = resourceKey('ClientToken', undefined, 'expired');
    const record = await store.put(key, { expiresAt: 0 });
    expect(await other.fencedDelete(key, record.version)).toBe(false); // not the leader

    // The lease goes (a pause longer than its TTL, as etcd sees it) while the leader has not noticed yet.
    await admin.leaseClient.leaseRevoke({ ID: leader.fence! });
    expect(leader.leading).toBe(true);
    expect(await leader.fencedDelete(key, record.version)).toBe(false);
    expect(await store.get(key)).toBeDefined();

    await expect.poll(() => other.leading, { timeout: 20_000 }).toBe(true);
    expect(await other.fencedDelete(key, record.version + 1)).toBe(false); // the version is checked too
    expect(await other.fencedDelete(key, record.version)).toBe(true);
    expect(await store.get(key)).toBeUndefined();

    // A leader that stops gives the role up at once.
    await expect.poll(() => leader.leading, { timeout: 30_000 }).toBe(false);
    await other.close();
    await expect.poll(() => leader.leading, { timeout: 30_000 }).toBe(true);
  });
});
