/**
 * Issue 11's acceptance, by killing things: 3 etcd members, 3 `amime serve --store etcd`
 * replicas, 200 ADS clients (150 SotW, 50 delta) spread over them, and a writer that
 * round-robins REST API writes over the replicas (each round creates virtual node w-<n>
 * and points the clients' route at it), moving on to the next replica with the same
 * clientToken when one does not answer. In turn: kill -9 a replica (its clients move to
 * the others), kill -9 the etcd leader (writes go on), start both again. At the end:
 * every acknowledged write is present exactly once, every client holds the latest
 * configuration (the same version whichever replica serves it), no client was ever
 * re-sent what it held nor sent configuration older than it had ACKed (moving-proxy.ts).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServe, type ServeProcess } from './support/serve-process.js';
import { freePorts, startEtcdCluster, type EtcdCluster } from './support/etcd-cluster.js';
import { MovingProxy } from './support/moving-proxy.js';
import { WRITE_TARGET, clientNode, createHaMesh, dnsNode, routeTo } from './support/ha-mesh.js';
import { ETCD, describeWithPrograms } from '../support/system-programs.js';
import { TYPE_URL } from '../../src/xds/index.js';

const REPLICAS = 3;
const CLIENT_NODES = 10;
const CLIENTS = 200;

interface Replica {
  api: number;
  xds: number;
  proc?: ServeProcess;
}

const name = WRITE_TARGET;

describeWithPrograms('HA: replicas and etcd members killed under load', [ETCD], () => {
  let cluster: EtcdCluster;
  const replicas: Replica[] = [];
  const proxies: MovingProxy[] = [];
  let args: string[];

  const start = async (r: Replica) => {
    r.proc = await startServe(
      [...args, '--api-listen', `127.0.0.1:${r.api}`, '--xds-listen', `127.0.0.1:${r.xds}`],
      { timeoutMs: 60_000 },
    );
  };

  beforeAll(async () => {
    cluster = await startEtcdCluster(3);
    args = [
      ...['--store', 'etcd', '--etcd-endpoints', cluster.endpoints.join(',')],
      ...['--quota', 'virtualNodesPerMesh=2000', '--log-level', 'warn'],
    ];
    const ports = await freePorts(2 * REPLICAS);
    for (let i = 0; i < REPLICAS; i++) replicas.push({ api: ports[2 * i]!, xds: ports[2 * i + 1]! });
    await Promise.all(replicas.map(start));
  }, 120_000);

  afterAll(async () => {
    for (const p of proxies) p.close();
    await Promise.all(replicas.map((r) => r.proc?.kill9()));
    await cluster?.stop();
  });

  /** One REST call with its clientToken, on replica `first` or, when that one does not answer, the next ones. */
  const write = async (first: number, method: 'PUT', path: string, body: Record<string, unknown>) => {
    const deadline = Date.now() + 30_000;
    for (let attempt = 0; ; attempt++) {
      const r = replicas[(first + attempt) % REPLICAS]!;
      try {
        const res = await fetch(`http://127.0.0.1:${r.api}/v20190125${path}`, {
          method,
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
          signal: AbortSignal.timeout(10_000),
        });
        const type = res.headers.get('x-amzn-errortype');
        await res.arrayBuffer();
        if (res.status === 200) return { ok: true, retries: attempt };
        // The store or the replica is failing over: the same request, elsewhere.
        if (res.status < 500 && type !== 'TooManyRequestsException')
          return { ok: false, type, retries: attempt };
      } catch {
        // not answering (killed): next replica
      }
      if (Date.now() > deadline) return { ok: false, type: 'deadline', retries: attempt };
      await new Promise((res) => setTimeout(res, 50));
    }
  };

  it('keeps every acknowledged write and moves clients without re-pushes or older configuration', async () => {
    // ── the mesh ─────────────────────────────────────────────────────────
    await createHaMesh(async (path, body) => {
      expect((await write(0, 'PUT', path, body)).ok).toBe(true);
    }, CLIENT_NODES);

    // ── 200 clients over the replicas ───────────────────────────────────
    const xdsPorts = () => replicas.map((r) => r.xds);
    for (let i = 0; i < CLIENTS; i++) {
      proxies.push(
        new MovingProxy(clientNode(i % CLIENT_NODES), i % 4 === 0 ? 'delta' : 'sotw', xdsPorts, i % REPLICAS),
      );
    }
    await expect
      .poll(() => proxies.filter((p) => p.highestTarget >= 0).length, { timeout: 60_000, interval: 200 })
      .toBe(CLIENTS);

    // ── writes, round-robined, all along ─────────────────────────────────
    const acked = new Set<string>();
    let lastAckedRoute = 0;
    let lastTriedRoute = 0;
    let retried = 0;
    const failed: string[] = [];
    let writing = true;
    let round = 0;
    const writer = (async () => {
      while (writing) {
        const n = ++round;
        const created = await write(n % REPLICAS, 'PUT', '/meshes/ha/virtualNodes', {
          virtualNodeName: name(n),
          spec: dnsNode(name(n)),
          clientToken: `create-${n}`,
        });
        retried += created.retries;
        if (!created.ok) {
          failed.push(`create ${name(n)}: ${created.type}`);
          continue;
        }
        acked.add(name(n));
        lastTriedRoute = n;
        const routed = await write((n + 1) % REPLICAS, 'PUT', '/meshes/ha/virtualRouter/r/routes/rt', {
          spec: routeTo(name(n)),
          clientToken: `route-${n}`,
        });
        retried += routed.retries;
        if (routed.ok) lastAckedRoute = n;
        else failed.push(`route to ${name(n)}: ${routed.type}`);
      }
    })();
    const roundsAfter = async (rounds: number) => {
      const from = acked.size;
      await expect
        .poll(() => acked.size, { timeout: 60_000, interval: 100 })
        .toBeGreaterThanOrEqual(from + rounds);
    };
    await roundsAfter(5);

    // ── kill -9 a replica: its clients move ──────────────────────────────
    const victim = replicas[0]!;
    const onVictim = proxies.filter((p) => p.at === 0);
    const movesBefore = new Map(onVictim.map((p) => [p, p.moves.length]));
    const killedAt = Date.now();
    await victim.proc!.kill9();
    await expect
      .poll(
        () =>
          onVictim.filter((p) =>
            p.moves.slice(movesBefore.get(p)!).some((m) => m.firstResponseAt !== undefined),
          ).length,
        { timeout: 30_000, interval: 100 },
      )
      .toBe(onVictim.length);
    const reconnectMs = onVictim.map(
      (p) => p.moves.slice(movesBefore.get(p)!).find((m) => m.firstResponseAt)!.firstResponseAt! - killedAt,
    );
    await roundsAfter(3);

    // ── kill -9 the etcd leader: writes go on ────────────────────────────
    const leader = await cluster.leader();
    const ackedBeforeEtcdKill = acked.size;
    await cluster.members[leader]!.kill9();
    const etcdKilledAt = Date.now();
    await roundsAfter(5);
    const firstWriteAfterEtcdKillMs = Date.now() - etcdKilledAt;

    // ── both back ────────────────────────────────────────────────────────
    await cluster.members[leader]!.start();
    await start(victim);
    await roundsAfter(5);
    writing = false;
    await writer;

    // ── the end state ────────────────────────────────────────────────────
    const readyz = async (r: Replica) => (await fetch(`http://127.0.0.1:${r.api}/readyz`)).status;
    for (const r of replicas) await expect.poll(() => readyz(r), { timeout: 30_000 }).toBe(200);

    // Every acknowledged create is there exactly once, on every replica.
    for (const r of replicas) {
      const names: string[] = [];
      let token: string | undefined;
      do {
        const url = `http://127.0.0.1:${r.api}/v20190125/meshes/ha/virtualNodes?limit=100${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`;
        const page = (await (await fetch(url)).json()) as {
          virtualNodes: Array<{ virtualNodeName: string }>;
          nextToken?: string;
        };
        names.push(...page.virtualNodes.map((v) => v.virtualNodeName));
        token = page.nextToken;
      } while (token);
      expect(names.length).toBe(new Set(names).size);
      expect([...acked].filter((n) => !names.includes(n))).toEqual([]);
    }
    // The route is the last one written (every write after it was acknowledged or never made).
    const route = (await (
      await fetch(`http://127.0.0.1:${replicas[1]!.api}/v20190125/meshes/ha/virtualRouter/r/routes/rt`)
    ).json()) as {
      spec: { httpRoute: { action: { weightedTargets: Array<{ virtualNode: string }> } } };
    };
    const target = route.spec.httpRoute.action.weightedTargets[0]!.virtualNode;
    expect(Number(target.slice(2))).toBeGreaterThanOrEqual(lastAckedRoute);
    expect(Number(target.slice(2))).toBeLessThanOrEqual(lastTriedRoute);

    // The same configuration from every replica (content-hash versions), and every client holds it.
    const expected = new Map<string, Map<string, string>>();
    for (let c = 0; c < CLIENT_NODES; c++) {
      const node = clientNode(c);
      const seen: string[] = [];
      for (let i = 0; i < REPLICAS; i++) {
        const probe = new MovingProxy(node, 'sotw', xdsPorts, i);
        await expect
          .poll(() => probe.held(TYPE_URL.Listener) !== '' && probe.held(TYPE_URL.Cluster) !== '', {
            timeout: 15_000,
          })
          .toBe(true);
        seen.push(`${probe.held(TYPE_URL.Cluster)}/${probe.held(TYPE_URL.Listener)}`);
        if (i === 0) expected.set(node.cluster, new Map(typesOf(probe)));
        probe.close();
      }
      expect(new Set(seen).size).toBe(1);
    }
    await expect
      .poll(
        () =>
          proxies.filter((p) => {
            if (p.protocol !== 'sotw') return p.highestTarget !== Number(target.slice(2));
            const want = expected.get(p.node.cluster)!;
            return [...want].some(([t, v]) => p.held(t) !== v);
          }).length,
        { timeout: 30_000, interval: 200 },
      )
      .toBe(0);

    const violations = proxies.flatMap((p) => p.violations);
    expect(violations).toEqual([]);
    expect(failed).toEqual([]);

    reconnectMs.sort((a, b) => a - b);
    console.log(
      [
        `HA kill test: ${CLIENTS} clients (${proxies.filter((p) => p.protocol === 'delta').length} delta) on ${REPLICAS} replicas, 3 etcd members`,
        `  replica kill: ${onVictim.length} clients moved; first response on the new replica after p50 ${reconnectMs[Math.floor(reconnectMs.length / 2)]} ms, max ${reconnectMs.at(-1)} ms`,
        `  etcd leader kill: 5 more acknowledged rounds within ${firstWriteAfterEtcdKillMs} ms (${ackedBeforeEtcdKill} creates acknowledged before)`,
        `  writes: ${acked.size} creates acknowledged and present once on every replica; route at ${target} (last acknowledged w-${lastAckedRoute}); ${retried} attempts moved to another replica`,
        `  responses: ${proxies.reduce((s, p) => s + p.responses, 0)}; re-pushes or older configurations: ${violations.length}`,
      ].join('\n'),
    );
    expect(reconnectMs.at(-1)!).toBeLessThan(5000);
  }, 240_000);
});

function typesOf(p: MovingProxy): Array<[string, string]> {
  return [TYPE_URL.Cluster, TYPE_URL.Listener].map((t) => [t, p.held(t)]);
}
