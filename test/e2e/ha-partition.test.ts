/**
 * A replica cut off from etcd (issue 11, item 2): three etcd members; replica R talks
 * only to one follower, replica A to the other two. With R's member stopped (SIGSTOP:
 * to R, the cluster is gone; to the other members, one member is), R turns /readyz red within its
 * --store-staleness-ms and refuses new xDS streams while keeping the ones it has;
 * writes go on through A; when the member comes back R catches up and is ready again by itself.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServe, type ServeProcess } from './support/serve-process.js';
import { startEtcdCluster, type EtcdCluster, type EtcdMember } from './support/etcd-cluster.js';
import { SotwClient } from './support/ads-test-client.js';
import { ETCD, describeWithPrograms } from '../support/system-programs.js';
import { TYPE_URL } from '../../src/xds/index.js';

const BOUND_MS = 3000;
const NODE = { id: 'mesh/m/virtualNode/n', cluster: 'n', user_agent_name: 'envoy' };

describeWithPrograms('a replica cut off from etcd', [ETCD], () => {
  let cluster: EtcdCluster;
  let a: ServeProcess;
  let r: ServeProcess;
  let cut: EtcdMember;
  const clients: SotwClient[] = [];

  beforeAll(async () => {
    cluster = await startEtcdCluster(3);
    // R's member is a follower: stopping the leader would stall the whole cluster for an
    // election, and this test is about one replica cut off while the others go on.
    const leader = await cluster.leader();
    cut = cluster.members[(leader + 1) % 3]!;
    const others = cluster.members.filter((m) => m !== cut).map((m) => m.endpoint);
    const common = ['--store', 'etcd', '--store-staleness-ms', String(BOUND_MS)];
    [a, r] = await Promise.all([
      // A's view of a hung member of its own is the etcd client's keepalive's business (etcd-store.ts).
      startServe([...common, '--etcd-endpoints', others.join(',')]),
      startServe([...common, '--etcd-endpoints', cut.endpoint]),
    ]);
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    cut?.resume();
    await Promise.all([a?.stop(), r?.stop()]);
    await cluster?.stop();
  });

  const put = (s: ServeProcess, path: string, body: unknown) =>
    fetch(`${s.apiUrl}/v20190125${path}`, {
      method: 'PUT',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
  const readyz = async (s: ServeProcess) => {
    const res = await fetch(`${s.apiUrl}/readyz`);
    return { status: res.status, body: (await res.json()) as { status: string } };
  };
  const stream = () => {
    const c = new SotwClient(r.xdsPort);
    clients.push(c);
    c.send({ type_url: TYPE_URL.Cluster, node: NODE });
    return c;
  };

  it('turns /readyz red within the bound, refuses new streams, and recovers by itself', async () => {
    expect((await put(a, '/meshes', { meshName: 'm' })).status).toBe(200);
    expect((await put(a, '/meshes/m/virtualNodes', { virtualNodeName: 'n', spec: {} })).status).toBe(200);
    await expect.poll(async () => (await readyz(r)).status, { timeout: 20_000 }).toBe(200);
    const before = stream();
    expect((await before.next(10_000)).type_url).toBe(TYPE_URL.Cluster);

    cut.pause();
    const cutAt = Date.now();
    await expect
      .poll(async () => (await readyz(r)).body.status, { timeout: BOUND_MS + 10_000, interval: 100 })
      .toBe('store-stale');
    const redAfterMs = Date.now() - cutAt;
    // Red no sooner than the bound allows and not much later (a probe every bound/4, plus a loaded machine).
    expect(redAfterMs).toBeGreaterThanOrEqual(BOUND_MS - 1000);
    expect(redAfterMs).toBeLessThan(BOUND_MS + 5000);
    expect((await readyz(r)).status).toBe(503);
    expect((await readyz(a)).status).toBe(200);

    const refused = stream();
    const end = await refused.ended;
    expect(end).toMatchObject({ code: 14, details: expect.stringMatching(/connect to another replica/) });
    // The stream it had stays open (the proxy keeps its configuration meanwhile).
    await expect(
      Promise.race([before.ended, new Promise((res) => setTimeout(() => res('open'), 300))]),
    ).resolves.toBe('open');

    // The rest of the cluster goes on.
    expect((await put(a, '/meshes/m/virtualNodes', { virtualNodeName: 'during', spec: {} })).status).toBe(
      200,
    );

    cut.resume();
    const resumedAt = Date.now();
    await expect.poll(async () => (await readyz(r)).status, { timeout: 30_000, interval: 100 }).toBe(200);
    const greenAfterMs = Date.now() - resumedAt;
    const seen = await fetch(`${r.apiUrl}/v20190125/meshes/m/virtualNodes/during`);
    expect(seen.status).toBe(200);
    const after = stream();
    expect((await after.next(10_000)).type_url).toBe(TYPE_URL.Cluster);
    expect(r.logs.some((l) => String(l.msg).startsWith('cut off from etcd'))).toBe(true);
    console.log(
      `cut-off replica: /readyz red after ${redAfterMs} ms (bound ${BOUND_MS}), green ${greenAfterMs} ms after the member came back`,
    );
  });
});
