/**
 * UpdateRoute on the propagation bench's mesh (10× App Mesh's quotas), through the
 * REST API alone (no xDS, no translation: the write path only), against the bare
 * fastify+SQLite write floor in the same run: routes of `rt-7` (a few callers; the
 * incremental validation's small neighbourhood) and of `rt-all` (every node calls it).
 *
 * Run: npm run bench:update-route   (UPDATE_ROUTE_N=n calls of each kind, default 20)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApiServer } from '../src/api/index.js';
import { createStore } from '../src/store/index.js';
import { DEFAULT_QUOTAS } from '../src/mesh/index.js';
import { bareWriteServer } from './propagation/bare-write.js';
import { json } from './propagation/json-call.js';
import { FEW_ROUTER, MESH, SHARED_ROUTER, apiRouterName, benchMesh, seedStore } from './propagation/mesh.js';

const N = Number(process.env.UPDATE_ROUTE_N ?? 20);
const API = '/v20190125';

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function timed(n: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call(i);
    out.push(performance.now() - t);
  }
  return out;
}

const dirs = [
  mkdtempSync(path.join(tmpdir(), 'amime-ur-')),
  mkdtempSync(path.join(tmpdir(), 'amime-ur-bare-')),
];
try {
  await seedStore(dirs[0]!, benchMesh());
  const store = createStore({ kind: 'sqlite', dataDir: dirs[0]! });
  const bareStore = createStore({ kind: 'sqlite', dataDir: dirs[1]! });
  const app = createApiServer({
    store,
    quotas: {
      virtualNodesPerMesh: DEFAULT_QUOTAS.virtualNodesPerMesh * 10,
      virtualServicesPerMesh: DEFAULT_QUOTAS.virtualServicesPerMesh * 10,
      virtualRoutersPerMesh: DEFAULT_QUOTAS.virtualRoutersPerMesh * 10,
    },
    rateLimit: { ratePerSecond: 1e9, burst: 1e9 },
  });
  const apiUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const bare = await bareWriteServer(bareStore);
  const routeUrl = (router: string) =>
    `${apiUrl}${API}/meshes/${MESH}/virtualRouter/${apiRouterName(router)}/routes/route-0`;
  const line = (label: string, xs: number[]) =>
    console.log(`${label.padEnd(40)} p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms`);
  for (const router of [FEW_ROUTER, SHARED_ROUTER]) {
    const spec = (await json('GET', routeUrl(router))).spec as {
      httpRoute: { action: { weightedTargets: Array<{ weight: number }> } };
    };
    await json('PUT', routeUrl(router), { spec }); // warm-up
    const times = await timed(N, (i) => {
      const s = structuredClone(spec);
      const [a, b] = s.httpRoute.action.weightedTargets;
      a!.weight = 50 + (i % 40);
      b!.weight = 100 - a!.weight;
      return json('PUT', routeUrl(router), { spec: s });
    });
    line(`UpdateRoute ${router}`, times);
  }
  const bareTimes = await timed(N, (i) => json('PUT', `${bare.url}/bare/routes/r`, { spec: { i } }));
  line('bare fastify+SQLite write', bareTimes);
  await app.close();
  await bare.close();
  await store.close();
  await bareStore.close();
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
