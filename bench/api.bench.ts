/**
 * The App Mesh REST API over HTTP on loopback: create, read and list N virtual nodes
 * (default 10,000: 50 meshes × 200 nodes, App Mesh's default per-mesh quota), against
 * a bare fastify route doing the same SQLite work (one store put / get / list page per
 * request, same store implementation, same HTTP client, same concurrency) in the same run.
 *
 * What the API adds per request: SigV4-free routing, the per-client rate limiter,
 * schema checks, CRD conversion, the catalog and, for writes, a mesh-graph validation
 * of the whole mesh (serialised: writes go one at a time).
 *
 * Run: npm run bench:api   (bounded: BENCH_N requests per phase, default 10,000)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { createApiServer } from '../src/api/index.js';
import { createStore } from '../src/store/index.js';
import { resourceKey, type ResourceStore } from '../src/store/types.js';
import { json } from './propagation/json-call.js';

const N = Math.max(200, Number(process.env.BENCH_N ?? 10_000));
const PER_MESH = 200;
const MESHES = Math.ceil(N / PER_MESH);
const CONCURRENCY = 16;
const PAGE = 100;

const spec = (i: number) => ({
  listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
  serviceDiscovery: { dns: { hostname: `vn-${i}.apps.svc.cluster.local` } },
  backends: [{ virtualService: { virtualServiceName: `svc-${i % 50}.apps` } }],
});
const meshOf = (i: number) => `mesh-${Math.floor(i / PER_MESH)}`;
const nodeOf = (i: number) => `vn-${String(i).padStart(6, '0')}`;

interface Target {
  name: string;
  create(i: number): Promise<void>;
  read(i: number): Promise<void>;
  /** One page of a mesh's list; returns the next token and the item count. */
  list(mesh: string, token?: string): Promise<{ next?: string; count: number }>;
}

function apiTarget(base: string): Target {
  const api = `${base}/v20190125`;
  return {
    name: 'App Mesh API',
    create: async (i) =>
      void (await json('PUT', `${api}/meshes/${meshOf(i)}/virtualNodes`, {
        virtualNodeName: nodeOf(i),
        spec: spec(i),
      })),
    read: async (i) => void (await json('GET', `${api}/meshes/${meshOf(i)}/virtualNodes/${nodeOf(i)}`)),
    list: async (mesh, token) => {
      const r = await json(
        'GET',
        `${api}/meshes/${mesh}/virtualNodes?limit=${PAGE}${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`,
      );
      return { next: r.nextToken as string | undefined, count: (r.virtualNodes as unknown[]).length };
    },
  };
}

/** The same store work with nothing else: parse, put/get/list, serialise. */
async function bareServer(store: ResourceStore): Promise<{ url: string; close: () => Promise<void> }> {
  const app = Fastify();
  const key = (mesh: string, name: string) => resourceKey('VirtualNode', undefined, `${mesh}/${name}`);
  app.put<{ Params: { mesh: string }; Body: { virtualNodeName: string; spec: unknown } }>(
    '/bare/:mesh',
    async (req) => {
      const r = await store.put(
        key(req.params.mesh, req.body.virtualNodeName),
        {
          apiVersion: 'appmesh.k8s.aws/v1beta2',
          kind: 'VirtualNode',
          metadata: { name: req.body.virtualNodeName },
          spec: req.body.spec,
        },
        { expectedVersion: 0 },
      );
      return { virtualNodeName: req.body.virtualNodeName, version: r.version, spec: req.body.spec };
    },
  );
  app.get<{ Params: { mesh: string; name: string } }>('/bare/:mesh/:name', async (req, reply) => {
    const r = await store.get(key(req.params.mesh, req.params.name));
    return r ? r.value : reply.code(404).send({ message: 'not found' });
  });
  app.get<{ Params: { mesh: string }; Querystring: { nextToken?: string } }>('/bare/:mesh', async (req) => {
    const page = await store.list({
      prefix: key(req.params.mesh, 'x').slice(0, -1),
      limit: PAGE,
      ...(req.query.nextToken ? { continueToken: req.query.nextToken } : {}),
    });
    return {
      virtualNodes: page.items.map((r) => ({ key: r.key, version: r.version })),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
}

function bareTarget(base: string): Target {
  return {
    name: 'bare fastify + SQLite',
    create: async (i) =>
      void (await json('PUT', `${base}/bare/${meshOf(i)}`, { virtualNodeName: nodeOf(i), spec: spec(i) })),
    read: async (i) => void (await json('GET', `${base}/bare/${meshOf(i)}/${nodeOf(i)}`)),
    list: async (mesh, token) => {
      const r = await json(
        'GET',
        `${base}/bare/${mesh}${token ? `?nextToken=${encodeURIComponent(token)}` : ''}`,
      );
      return { next: r.nextToken as string | undefined, count: (r.virtualNodes as unknown[]).length };
    },
  };
}

/** Runs `count` calls with CONCURRENCY in flight; returns elapsed ms. */
async function run(count: number, fn: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await fn(next++);
    }),
  );
  return performance.now() - t0;
}

interface Result {
  create: number;
  read: number;
  listPages: number;
  listItems: number;
}

async function measure(target: Target): Promise<Result> {
  const create = await run(N, target.create);
  const read = await run(N, target.read);
  let pages = 0;
  let items = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: MESHES }, async (_, m) => {
      let token: string | undefined;
      do {
        const page = await target.list(`mesh-${m}`, token);
        pages++;
        items += page.count;
        token = page.next;
      } while (token);
    }),
  );
  const list = performance.now() - t0;
  if (items !== N) throw new Error(`${target.name}: listed ${items} items, expected ${N}`);
  return {
    create: (N * 1000) / create,
    read: (N * 1000) / read,
    listPages: (pages * 1000) / list,
    listItems: (items * 1000) / list,
  };
}

const dirs = [
  mkdtempSync(path.join(tmpdir(), 'amime-bench-api-')),
  mkdtempSync(path.join(tmpdir(), 'amime-bench-bare-')),
];
const apiStore = createStore({ kind: 'sqlite', dataDir: dirs[0] as string });
const bareStore = createStore({ kind: 'sqlite', dataDir: dirs[1] as string });
try {
  const app = createApiServer({
    store: apiStore,
    quotas: { meshes: MESHES },
    rateLimit: { ratePerSecond: 1e9, burst: 1e9 },
  });
  const apiUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  for (let m = 0; m < MESHES; m++) await json('PUT', `${apiUrl}/v20190125/meshes`, { meshName: `mesh-${m}` });
  const bare = await bareServer(bareStore);

  console.log(
    `App Mesh API vs bare fastify, SQLite store, ${N} virtual nodes in ${MESHES} meshes, ${CONCURRENCY} requests in flight, list pages of ${PAGE}`,
  );
  const b = await measure(bareTarget(bare.url));
  const a = await measure(apiTarget(apiUrl));
  const row = (label: string, x: number, y: number) =>
    console.log(
      `${label.padEnd(22)} ${x.toFixed(0).padStart(10)} ${y.toFixed(0).padStart(12)} ${(x / y).toFixed(2).padStart(8)}`,
    );
  console.log(
    `${'operation'.padEnd(22)} ${'API ops/s'.padStart(10)} ${'bare ops/s'.padStart(12)} ${'ratio'.padStart(8)}`,
  );
  row('create (PUT)', a.create, b.create);
  row('read (GET)', a.read, b.read);
  row('list (pages/s)', a.listPages, b.listPages);
  row('list (items/s)', a.listItems, b.listItems);
  await app.close();
  await bare.close();
} finally {
  await apiStore.close();
  await bareStore.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
