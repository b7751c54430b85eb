/**
 * The console and `amime proxy-status` across replicas (issue 12: "how many are
 * connected, on which replica"): two real `amime serve --store etcd` processes on one
 * real etcd, an ADS test client standing in for an Envoy on each. Either replica lists
 * both proxies with their replica; a NACK on replica B shows as NACKED on replica A
 * within seconds; each replica publishes at most once a second; after B is killed
 * (SIGKILL) its proxy disappears once its lease expires.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { Etcd3, type Watcher } from 'etcd3';
import { TYPE_URL } from '../../src/xds/index.js';
import type { MeshesResponse, ProxiesResponse, Topology } from '../../src/console/index.js';
import { amime } from '../support/cli.js';
import { SEED_COMPLETE } from '../support/fixtures.js';
import { ETCD, describeWithPrograms } from '../support/system-programs.js';
import { startServe, type ServeProcess } from './support/serve-process.js';
import { startEtcd, type LocalEtcd } from './support/store-etcd.js';
import { setSeedWeights } from './support/seed-weights.js';
import { SotwClient, subscribeAllTypes, type SotwResponse } from './support/ads-test-client.js';

const VNODE_1 = 'mesh/mesh-1/virtualNode/vnode-1_mesh-test';
const VNODE_X = 'mesh/mesh-1/virtualNode/vnode-x_mesh-test';
const { RouteConfiguration: RDS } = TYPE_URL;

describeWithPrograms('proxy status across two amime serve replicas on one etcd', [ETCD], () => {
  let etcd: LocalEtcd;
  let a: ServeProcess;
  let b: ServeProcess;
  let onA: SotwClient;
  let onB: SotwClient;
  let lastRdsOnB: SotwResponse;
  let sdk: AppMeshClient;
  let admin: Etcd3;
  let watcher: Watcher;
  /** Every write of a ProxyStatus record: key and when the test saw it. */
  const puts: Array<{ key: string; at: number }> = [];

  const cli = (replica: ServeProcess, ...args: string[]) =>
    amime([...args, '--server', replica.apiUrl], { withoutEnv: ['AWS_', 'AMIME_CONSOLE'] });

  async function proxies(replica: ServeProcess): Promise<ProxiesResponse> {
    const res = await fetch(`${replica.apiUrl}/ui/api/proxies`);
    expect(res.status).toBe(200);
    return (await res.json()) as ProxiesResponse;
  }

  /** Polls until `ok`, with a deadline; returns the last value and how long it took. */
  async function until<T>(
    read: () => Promise<T>,
    ok: (t: T) => boolean,
    ms = 20_000,
  ): Promise<{ value: T; ms: number }> {
    const start = Date.now();
    for (;;) {
      const value = await read();
      if (ok(value) || Date.now() - start > ms) return { value, ms: Date.now() - start };
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** An Envoy's subscriptions, every type ACKed. */
  async function envoy(replica: ServeProcess, nodeId: string): Promise<[SotwClient, SotwResponse]> {
    const c = new SotwClient(replica.xdsPort);
    const rds = await subscribeAllTypes(c, { id: nodeId, cluster: 'c', user_agent_name: 'envoy' }, 20_000);
    return [c, rds];
  }

  beforeAll(async () => {
    etcd = await startEtcd();
    admin = new Etcd3({ hosts: [etcd.endpoint] });
    watcher = await admin.watch().prefix('amime/ProxyStatus/').create();
    watcher.on('put', (kv) => puts.push({ key: kv.key.toString(), at: Date.now() }));
    const args = (name: string) => [
      '--store',
      'etcd',
      '--etcd-endpoints',
      etcd.endpoint,
      '--replica-name',
      name,
    ];
    [a, b] = await Promise.all([startServe(args('replica-a')), startServe(args('replica-b'))]);
    const applied = await cli(a, 'apply', '-f', SEED_COMPLETE);
    expect(applied.code, applied.stderr).toBe(0);
    sdk = new AppMeshClient({
      endpoint: a.apiUrl,
      region: 'us-west-2',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummysecret' },
    });
    [[onA], [onB, lastRdsOnB]] = await Promise.all([envoy(a, VNODE_1), envoy(b, VNODE_X)]);
  }, 120_000);

  afterAll(async () => {
    onA?.close();
    onB?.close();
    sdk?.destroy();
    await watcher?.cancel();
    admin?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await etcd?.stop();
  });

  it('either replica lists both proxies, each with its replica, in JSON and in the table', async () => {
    const both = (r: ProxiesResponse) =>
      r.proxies.filter((p) => p.state === 'SYNCED').map((p) => `${p.nodeId} ${p.replica}`);
    const want = [`${VNODE_1} replica-a`, `${VNODE_X} replica-b`];
    for (const replica of [a, b]) {
      const { value } = await until(
        () => proxies(replica),
        (r) => both(r).length === 2,
      );
      expect(both(value)).toEqual(want);
    }
    const json = await cli(b, 'proxy-status', '-o', 'json');
    expect(json.code).toBe(0);
    const fromB = JSON.parse(json.stdout) as ProxiesResponse;
    expect(fromB.replica).toBe('replica-b');
    expect(fromB.proxies.map((p) => `${p.nodeId} ${p.replica}`)).toEqual(want);
    const table = await cli(a, 'proxy-status');
    expect(table.stdout).toMatch(new RegExp(`^${VNODE_1}\\s+replica-a\\s+SYNCED`, 'm'));
    expect(table.stdout).toMatch(new RegExp(`^${VNODE_X}\\s+replica-b\\s+SYNCED`, 'm'));

    // The console's graph counts them too, on either replica.
    const topology = (await (await fetch(`${a.apiUrl}/ui/api/topology?mesh=mesh-1`)).json()) as Topology;
    const x = topology.nodes.find((n) => n.id === 'VirtualNode/vnode-x_mesh-test');
    expect(x?.proxies).toMatchObject({
      connected: 1,
      replicas: ['replica-b'],
      byReplica: [{ replica: 'replica-b', connected: 1 }],
      synced: 1,
    });
    const meshes = (await (await fetch(`${a.apiUrl}/ui/api/meshes`)).json()) as MeshesResponse;
    expect(meshes.meshes.find((m) => m.name === 'mesh-1')?.proxies).toBe(2);

    // The configuration is rendered on the proxy's own replica: A says which one that is.
    const config = await cli(a, 'proxy-config', 'vnode-x', 'routes');
    expect(config.code).toBe(2);
    expect(config.stderr).toContain('replica-b');
  });

  it("a NACK on replica B is NACKED, with Envoy's message, when asked on replica A", async () => {
    await setSeedWeights(sdk, 90, 10);
    const update = await onB.next(20_000);
    expect(update.type_url).toBe(RDS);
    onB.nack(update, lastRdsOnB.version_info, 'injected on replica B: weights 90/10 refused');
    const nackedAt = Date.now();
    const { value } = await until(
      () => proxies(a),
      (r) => r.proxies.some((p) => p.nodeId === VNODE_X && p.state === 'NACKED'),
    );
    const visibleMs = Date.now() - nackedAt;
    const x = value.proxies.find((p) => p.nodeId === VNODE_X)!;
    expect(x.replica).toBe('replica-b');
    expect(x.types.RDS).toMatchObject({
      state: 'NACKED',
      error: 'injected on replica B: weights 90/10 refused',
      rejectedVersion: update.version_info,
    });
    console.log(`a NACK on replica B was visible on replica A after ${visibleMs} ms`);
    expect(visibleMs).toBeLessThan(5_000);
    const table = await cli(a, 'proxy-status');
    expect(table.stdout).toContain(
      `${VNODE_X} rejected RDS version ${update.version_info}: injected on replica B`,
    );
  });

  it('each replica writes its records at most once a second', () => {
    const byKey = new Map<string, number[]>();
    for (const p of puts) byKey.set(p.key, [...(byKey.get(p.key) ?? []), p.at]);
    expect(byKey.size).toBe(2); // one shard per replica
    let closest = Infinity;
    let closestThree = Infinity;
    for (const times of byKey.values()) {
      for (let i = 1; i < times.length; i++) closest = Math.min(closest, times[i]! - times[i - 1]!);
      for (let i = 2; i < times.length; i++) closestThree = Math.min(closestThree, times[i]! - times[i - 2]!);
    }
    console.log(
      `ProxyStatus writes: ${puts.length} (${[...byKey.values()].map((t) => t.length).join(' + ')}); closest two of one replica ${closest} ms apart, three within ${closestThree} ms`,
    );
    // The publisher waits a second between writes; a write delayed on a loaded machine can
    // land close to the next one, but three never fit in one second.
    expect(closestThree).toBeGreaterThan(1_000);
  });

  it("replica B killed (SIGKILL): its proxy leaves replica A's list once its lease expires", async () => {
    await b.kill9();
    const killedAt = Date.now();
    const { value } = await until(
      () => proxies(a),
      (r) => !r.proxies.some((p) => p.nodeId === VNODE_X),
      30_000,
    );
    const goneMs = Date.now() - killedAt;
    console.log(`replica B's proxy left replica A's list ${goneMs} ms after SIGKILL`);
    expect(value.proxies.map((p) => `${p.nodeId} ${p.replica}`)).toEqual([`${VNODE_1} replica-a`]);
    // Not before the lease's TTL (10 s): a replica paused for a moment keeps its proxies listed.
    expect(goneMs).toBeGreaterThan(3_000);
  }, 60_000);
});
