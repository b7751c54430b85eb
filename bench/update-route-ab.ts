/**
 * bench:update-route for two or more checkouts of Amime in one process, request by
 * request: `npm run bench:update-route-ab -- DIR DIR…` (each DIR a checkout's root, e.g. a
 * `git worktree` of another commit; AB_N rounds, default 200).
 *
 * Separate runs of bench:update-route on a shared machine differ by more than the change
 * being judged: the bare write runs after the API's calls, and the disk's fsync time
 * moves from one phase to the next. Here every round makes one UpdateRoute of `rt-all`
 * and one of `rt-7` on each checkout's REST API (the order flipped every round), then
 * one bare fastify+SQLite write on an empty store, and one on a store holding the same
 * mesh with a value the size of rt-all's record, so all share the load alike. Also
 * prints each checkout's first `rt-all` write after its API started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { ApiServerOptions } from '../src/api/index.js';
import { DEFAULT_QUOTAS } from '../src/mesh/index.js';
import { createStore, type ResourceStore } from '../src/store/index.js';
import { bareWriteServer } from './propagation/bare-write.js';
import { json } from './propagation/json-call.js';
import { FEW_ROUTER, MESH, SHARED_ROUTER, apiRouterName, benchMesh, seedStore } from './propagation/mesh.js';

interface RouteSpec {
  httpRoute: { action: { weightedTargets: Array<{ weight: number }> } };
}
interface Server {
  name: string;
  url: string;
  close: () => Promise<void>;
}

const dirs = process.argv.slice(2).map((d) => path.resolve(d));
if (dirs.length < 2) {
  console.error('usage: npm run bench:update-route-ab -- DIR DIR [DIR…]   (checkout roots to compare)');
  process.exit(2);
}
const N = Number(process.env.AB_N ?? 200);
const WARM = 20;
const API = '/v20190125';
const QUOTAS = {
  virtualNodesPerMesh: DEFAULT_QUOTAS.virtualNodesPerMesh * 10,
  virtualServicesPerMesh: DEFAULT_QUOTAS.virtualServicesPerMesh * 10,
  virtualRoutersPerMesh: DEFAULT_QUOTAS.virtualRoutersPerMesh * 10,
};

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const temp: string[] = [];
const tempDir = (prefix: string): string => {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  temp.push(d);
  return d;
};

async function apiOf(dir: string, seeded: string): Promise<Server> {
  const api = (await import(path.join(dir, 'src/api/index.ts'))) as {
    createApiServer: (o: ApiServerOptions) => FastifyInstance;
  };
  const stores = (await import(path.join(dir, 'src/store/index.ts'))) as {
    createStore: (o: { kind: 'sqlite'; dataDir: string }) => ResourceStore;
  };
  const store = stores.createStore({ kind: 'sqlite', dataDir: seeded });
  const app = api.createApiServer({ store, quotas: QUOTAS, rateLimit: { ratePerSecond: 1e9, burst: 1e9 } });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    name: path.relative(process.cwd(), dir) || '.',
    url,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

const closers: Array<() => Promise<void>> = [];
try {
  const servers: Server[] = [];
  for (const dir of dirs) {
    const seeded = tempDir('amime-urab-');
    await seedStore(seeded, benchMesh());
    const server = await apiOf(dir, seeded);
    closers.push(server.close);
    servers.push(server);
  }
  const bareStore = createStore({ kind: 'sqlite', dataDir: tempDir('amime-urab-bare-') });
  const bare = await bareWriteServer(bareStore);
  closers.push(bare.close, () => bareStore.close());
  const meshDir = tempDir('amime-urab-bare-mesh-');
  await seedStore(meshDir, benchMesh());
  const meshStore = createStore({ kind: 'sqlite', dataDir: meshDir });
  const bareOnMesh = await bareWriteServer(meshStore);
  closers.push(bareOnMesh.close, () => meshStore.close());
  const record = (await meshStore.get<object>(`VirtualRouter/bench/${SHARED_ROUTER}`))!.value;

  const routeUrl = (url: string, router: string) =>
    `${url}${API}/meshes/${MESH}/virtualRouter/${apiRouterName(router)}/routes/route-0`;
  const specs = new Map<string, RouteSpec>();
  for (const router of [SHARED_ROUTER, FEW_ROUTER])
    specs.set(router, (await json('GET', routeUrl(servers[0]!.url, router))).spec as RouteSpec);
  const timed = async (call: () => Promise<unknown>): Promise<number> => {
    const t = performance.now();
    await call();
    return performance.now() - t;
  };
  const update = (url: string, router: string, i: number) =>
    timed(() => {
      const spec = structuredClone(specs.get(router)!);
      const [a, b] = spec.httpRoute.action.weightedTargets;
      a!.weight = 50 + (i % 40);
      b!.weight = 100 - a!.weight;
      return json('PUT', routeUrl(url, router), { spec });
    });

  const firsts: string[] = [];
  for (const s of servers) firsts.push(`${s.name} ${(await update(s.url, SHARED_ROUTER, 0)).toFixed(1)} ms`);
  console.log(`first ${SHARED_ROUTER} UpdateRoute after the API started: ${firsts.join(', ')}`);
  for (const s of servers)
    for (let i = 1; i <= WARM; i++) {
      await update(s.url, SHARED_ROUTER, i);
      await update(s.url, FEW_ROUTER, i);
    }

  const times = new Map<string, number[]>();
  const add = (label: string, ms: number) => times.set(label, [...(times.get(label) ?? []), ms]);
  for (let i = 0; i < N; i++) {
    for (const s of i % 2 === 0 ? servers : [...servers].reverse()) {
      add(`${s.name}: UpdateRoute ${SHARED_ROUTER}`, await update(s.url, SHARED_ROUTER, i));
      add(`${s.name}: UpdateRoute ${FEW_ROUTER}`, await update(s.url, FEW_ROUTER, i));
    }
    add(
      'bare fastify+SQLite write',
      await timed(() => json('PUT', `${bare.url}/bare/routes/r`, { spec: { i } })),
    );
    add(
      `  the same on the mesh's store, ${SHARED_ROUTER}-sized value`,
      await timed(() => json('PUT', `${bareOnMesh.url}/bare/routes/r`, { spec: { ...record, i } })),
    );
  }
  const floor = median(times.get('bare fastify+SQLite write')!);
  console.log(`${N} rounds; p50 ms and the bare write's p50 over it (issue 18's ratio, target ≥ 0.8)`);
  for (const [label, xs] of times)
    console.log(
      `${label.padEnd(52)} p50 ${median(xs).toFixed(2).padStart(6)}  ratio ${(floor / median(xs)).toFixed(2)}`,
    );
} finally {
  for (const close of closers.reverse()) await close().catch((e: unknown) => console.error(e));
  for (const d of temp) rmSync(d, { recursive: true, force: true });
}
