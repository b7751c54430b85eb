/**
 * HA benchmark: write-to-ACK latency when the write goes through a replica other than
 * the one the proxies are connected to, next to the same path on a single replica, in
 * the same run (issue 11: target p99 within 2× of single-replica).
 *
 * Run: npm run bench:ha
 * Options (env): HA_ROUNDS=40 (per path)  HA_CLIENTS=20  ETCD_BIN=/path/to/etcd (else PATH)
 *
 * Setup: a 3-member etcd cluster on loopback (test/e2e/support/etcd-cluster.ts) and two
 * `amime serve --store etcd` replicas, A and B (default debounce). HA_CLIENTS ADS
 * clients (SotW) of one virtual node are connected to A. Each round creates virtual
 * node w-<n> (not timed), then points the clients' route at it with UpdateRoute, through
 * A ("single": the replica the clients are on) or through B ("cross"), alternating;
 * timed from the call to the moment each client has ACKed clusters naming w-<n>.
 * Reported per path: p50, p90, p99 and max over all clients and rounds, and the API
 * call itself. Every phase has a deadline; everything started is stopped at the end.
 */
import { startServe, type ServeProcess } from '../test/e2e/support/serve-process.js';
import { startEtcdCluster, type EtcdCluster } from '../test/e2e/support/etcd-cluster.js';
import { MovingProxy } from '../test/e2e/support/moving-proxy.js';
import { WRITE_TARGET, clientNode, createHaMesh, dnsNode, routeTo } from '../test/e2e/support/ha-mesh.js';

const ROUNDS = Number(process.env.HA_ROUNDS ?? 40);
const CLIENTS = Number(process.env.HA_CLIENTS ?? 20);

type Path = 'single' | 'cross';

async function put(replica: ServeProcess, path: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${replica.apiUrl}/v20190125${path}`, {
    method: 'PUT',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`PUT ${path}: ${res.status} ${text}`);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function summary(values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  const f = (v: number) => `${v.toFixed(0)} ms`;
  return `p50 ${f(quantile(s, 0.5))} · p90 ${f(quantile(s, 0.9))} · p99 ${f(quantile(s, 0.99))} · max ${f(s.at(-1)!)}`;
}

async function main(): Promise<void> {
  let cluster: EtcdCluster | undefined;
  const replicas: ServeProcess[] = [];
  const proxies: MovingProxy[] = [];
  try {
    cluster = await startEtcdCluster(3);
    const args = ['--store', 'etcd', '--etcd-endpoints', cluster.endpoints.join(','), '--log-level', 'warn'];
    replicas.push(...(await Promise.all([startServe(args), startServe(args)])));
    const [a, b] = replicas as [ServeProcess, ServeProcess];
    await createHaMesh((path, body) => put(a, path, body), 1);
    for (let i = 0; i < CLIENTS; i++)
      proxies.push(new MovingProxy(clientNode(0), 'sotw', () => [a.xdsPort], 0));
    await Promise.all(proxies.map((p) => p.reaches(0, 60_000)));

    const latencies: Record<Path, number[]> = { single: [], cross: [] };
    const calls: Record<Path, number[]> = { single: [], cross: [] };
    for (let n = 1; n <= 2 * ROUNDS; n++) {
      const path: Path = n % 2 === 0 ? 'single' : 'cross';
      const via = path === 'single' ? a : b;
      const target = WRITE_TARGET(n);
      await put(via, '/meshes/ha/virtualNodes', { virtualNodeName: target, spec: dnsNode(target) });
      const acked = proxies.map((p) => p.reaches(n));
      const t0 = performance.now();
      await put(via, '/meshes/ha/virtualRouter/r/routes/rt', { spec: routeTo(target) });
      calls[path].push(performance.now() - t0);
      for (const at of await Promise.all(acked)) latencies[path].push(at - t0);
    }
    const violations = proxies.flatMap((p) => p.violations);
    const p99 = (path: Path) =>
      quantile(
        [...latencies[path]].sort((x, y) => x - y),
        0.99,
      );
    const ratio = p99('cross') / p99('single');
    console.log(
      [
        `bench:ha — ${CLIENTS} ADS clients on replica A, ${ROUNDS} UpdateRoute calls per path, 3 etcd members, 2 replicas`,
        `  single (write through A, the clients' replica): write-to-ACK ${summary(latencies.single)}; the API call ${summary(calls.single)}`,
        `  cross  (write through B, another replica):      write-to-ACK ${summary(latencies.cross)}; the API call ${summary(calls.cross)}`,
        `  p99 cross / single: ${ratio.toFixed(2)}× (target ≤ 2×)${violations.length > 0 ? `; VIOLATIONS: ${violations.join('; ')}` : ''}`,
      ].join('\n'),
    );
    if (violations.length > 0) process.exitCode = 1;
  } finally {
    for (const p of proxies) p.close();
    await Promise.all(replicas.map((r) => r.stop()));
    await cluster?.stop();
  }
}

await main();
