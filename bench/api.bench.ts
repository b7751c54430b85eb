/**
 * The App Mesh REST API over HTTP on loopback: create, read and list N virtual nodes
 * (default 10,000: 50 meshes × 200 nodes, App Mesh's default per-mesh quota), against
 * a bare fastify route doing the same SQLite work (one store put / get / list page per
 * request, same store implementation, same HTTP client, same concurrency) in the same run.
 * A read answers what DescribeVirtualNode must (a VirtualNodeData) and a list page what
 * ListVirtualNodes must (a VirtualNodeRef per item) on both sides, so the ratio measures the API's own work, not response size (client and
 * servers share this process); the run prints both sides' response sizes.
 *
 * What the API adds per request: SigV4-free routing, the per-client rate limiter,
 * schema checks, CRD conversion, the catalog and, for writes, a mesh-graph validation
 * (incremental for creates and updates of nodes and routers; serialised: writes go one
 * at a time).
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
const SLICES = 10;
const LIST_PASSES = 4;

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
  /** Bytes of one read's and one list page's JSON (printed: the two sides should answer alike). */
  sizes(): Promise<{ read: number; page: number }>;
}

const bytesOf = async (url: string) => JSON.stringify(await json('GET', url)).length;

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
    sizes: async () => ({
      read: await bytesOf(`${api}/meshes/${meshOf(0)}/virtualNodes/${nodeOf(0)}`),
      page: await bytesOf(`${api}/meshes/${meshOf(0)}/virtualNodes?limit=${PAGE}`),
    }),
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
    if (!r) return reply.code(404).send({ message: 'not found' });
    // What DescribeVirtualNode must answer (a VirtualNodeData), from the record the plainest way.
    const { mesh, name } = req.params;
    const now = Date.now() / 1000;
    return {
      virtualNode: {
        meshName: mesh,
        metadata: {
          arn: `arn:aws:appmesh:us-west-2:000000000000:mesh/${mesh}/virtualNode/${name}`,
          createdAt: now,
          lastUpdatedAt: now,
          meshOwner: '000000000000',
          resourceOwner: '000000000000',
          uid: r.key,
          version: r.version,
        },
        spec: (r.value as { spec: unknown }).spec,
        status: { status: 'ACTIVE' },
        virtualNodeName: name,
      },
    };
  });
  app.get<{ Params: { mesh: string }; Querystring: { nextToken?: string } }>('/bare/:mesh', async (req) => {
    const page = await store.list({
      prefix: key(req.params.mesh, 'x').slice(0, -1),
      limit: PAGE,
      ...(req.query.nextToken ? { continueToken: req.query.nextToken } : {}),
    });
    // What ListVirtualNodes must answer per item (a VirtualNodeRef), built from the record
    // the plainest way, so both sides send and parse responses of the same size.
    const now = Date.now() / 1000;
    return {
      virtualNodes: page.items.map((r) => {
        const name = (r.value as { metadata: { name: string } }).metadata.name;
        return {
          arn: `arn:aws:appmesh:us-west-2:000000000000:mesh/${req.params.mesh}/virtualNode/${name}`,
          createdAt: now,
          lastUpdatedAt: now,
          meshName: req.params.mesh,
          meshOwner: '000000000000',
          resourceOwner: '000000000000',
          version: r.version,
          virtualNodeName: name,
        };
      }),
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
    sizes: async () => ({
      read: await bytesOf(`${base}/bare/${meshOf(0)}/${nodeOf(0)}`),
      page: await bytesOf(`${base}/bare/${meshOf(0)}`),
    }),
  };
}

/** Runs calls `from`..`to`-1 with CONCURRENCY in flight; returns elapsed ms. */
async function run(from: number, to: number, fn: (i: number) => Promise<void>): Promise<number> {
  let next = from;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < to) await fn(next++);
    }),
  );
  return performance.now() - t0;
}

/** Lists every mesh to its last page; returns elapsed ms, pages and items. */
async function listAll(target: Target): Promise<{ ms: number; pages: number; items: number }> {
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
  if (items !== N) throw new Error(`${target.name}: listed ${items} items, expected ${N}`);
  return { ms: performance.now() - t0, pages, items };
}

interface Result {
  create: number;
  read: number;
  listPages: number;
  listItems: number;
}

/**
 * Both targets, phase by phase, in alternating slices (creates and reads in SLICES parts,
 * lists in LIST_PASSES passes, the order flipped each time), so a change in the machine's
 * load during the run weighs on both sides alike instead of on whichever ran second.
 */
async function measure(targets: readonly [Target, Target]): Promise<[Result, Result]> {
  const ms = [
    { create: 0, read: 0, list: 0, pages: 0, items: 0 },
    { create: 0, read: 0, list: 0, pages: 0, items: 0 },
  ];
  const order = (k: number) => (k % 2 === 0 ? [0, 1] : [1, 0]) as Array<0 | 1>;
  for (const phase of ['create', 'read'] as const)
    for (let k = 0; k < SLICES; k++)
      for (const t of order(k))
        ms[t]![phase] += await run(
          Math.floor((k * N) / SLICES),
          Math.floor(((k + 1) * N) / SLICES),
          targets[t]![phase],
        );
  for (let k = 0; k < LIST_PASSES; k++)
    for (const t of order(k)) {
      const r = await listAll(targets[t]!);
      ms[t]!.list += r.ms;
      ms[t]!.pages += r.pages;
      ms[t]!.items += r.items;
    }
  const result = (m: (typeof ms)[number]): Result => ({
    create: (N * 1000) / m.create,
    read: (N * 1000) / m.read,
    listPages: (m.pages * 1000) / m.list,
    listItems: (m.items * 1000) / m.list,
  });
  return [result(ms[0]!), result(ms[1]!)];
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
  const bareT = bareTarget(bare.url);
  const apiT = apiTarget(apiUrl);
  const [a, b] = await measure([apiT, bareT]);
  const [as, bs] = [await apiT.sizes(), await bareT.sizes()];
  console.log(
    `response JSON bytes, API / bare: read ${as.read} / ${bs.read}, list page ${as.page} / ${bs.page}`,
  );
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
