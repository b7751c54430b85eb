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
 * Updates (since 2026-12-06): UpdateVirtualNode of every node, then UpdateRoute — a
 * route of a router with ROUTES realistic HTTP routes (prefix and header match, two
 * weighted targets, retry policy, timeout) — N times, against a bare route that reads the
 * record, replaces the spec (or the route in the router's `spec.routes`) and writes it
 * back conditionally. Before the phase the API's records are copied into the bare store,
 * so both sides read and write records of the same size (printed).
 *
 * Each write row prints the extra ms per operation (1/API − 1/bare) and its split: the
 * difference in ms per operation spent inside the two stores' calls (their SQLite
 * transactions and fsyncs; the API's are slower only because its writes are further apart:
 * bench/api-fsync-gap.ts) and the rest, the API's own work outside the store.
 *
 * Run: npm run bench:api [-- DIR]   (bounded: BENCH_N requests per phase, default 10,000;
 * DIR: the checkout whose API and store to measure, default this one, so one bench can
 * measure two checkouts in turn)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ApiServerOptions } from '../src/api/index.js';
import { ConflictError } from '../src/store/errors.js';
import { resourceKey, type ResourceStore } from '../src/store/types.js';
import { json as jsonOnce } from './propagation/json-call.js';

/**
 * A call sent on a kept-alive connection the server was closing fails with ECONNRESET
 * before any answer (once between phases, after a side's connections sat idle): sent again.
 */
const json = (method: string, url: string, body?: unknown): Promise<Record<string, unknown>> =>
  jsonOnce(method, url, body).catch((err: unknown) => {
    if ((err as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw err;
    return jsonOnce(method, url, body);
  });

const root = process.argv[2]
  ? path.resolve(process.argv[2])
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { createApiServer } = (await import(path.join(root, 'src/api/index.ts'))) as {
  createApiServer: (o: ApiServerOptions) => FastifyInstance;
};
const { createStore } = (await import(path.join(root, 'src/store/index.ts'))) as {
  createStore: (o: { kind: 'sqlite'; dataDir: string }) => ResourceStore;
};

const N = Math.max(200, Number(process.env.BENCH_N ?? 10_000));
const PER_MESH = 200;
const MESHES = Math.ceil(N / PER_MESH);
const CONCURRENCY = 16;
const PAGE = 100;
const SLICES = 10;
const LIST_PASSES = 4;
const ROUTER = 'rt-0';
const ROUTES = 10;

const spec = (i: number) => ({
  listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
  serviceDiscovery: { dns: { hostname: `vn-${i}.apps.svc.cluster.local` } },
  backends: [{ virtualService: { virtualServiceName: `svc-${i % 50}.apps` } }],
});
const meshOf = (i: number) => `mesh-${Math.floor(i / PER_MESH)}`;
const nodeOf = (i: number) => `vn-${String(i).padStart(6, '0')}`;
/** The node spec an update writes: another hostname and one backend more. */
const updatedSpec = (i: number) => ({
  ...spec(i),
  serviceDiscovery: { dns: { hostname: `vn-${i}.v2.apps.svc.cluster.local` } },
  backends: [
    { virtualService: { virtualServiceName: `svc-${i % 50}.apps` } },
    { virtualService: { virtualServiceName: `svc-${(i + 1) % 50}.apps` } },
  ],
});
/** Update `i` of the route phase: consecutive updates go to different meshes' routers. */
const routeUpdateOf = (i: number) => ({ m: i % MESHES, k: Math.floor(i / MESHES) % ROUTES });
/** A realistic HTTP route of `mesh-<m>`'s router (API form), its first target weighing `w`. */
const routeSpec = (m: number, k: number, w: number) => ({
  httpRoute: {
    match:
      k === ROUTES - 1
        ? { prefix: '/' }
        : { prefix: `/api/v${k}/`, headers: [{ name: 'x-tenant', match: { exact: `t${k}` } }] },
    action: {
      weightedTargets: [
        { virtualNode: nodeOf(m * PER_MESH + ((k * 7) % PER_MESH)), weight: w },
        { virtualNode: nodeOf(m * PER_MESH + ((k * 7 + 100) % PER_MESH)), weight: 100 - w },
      ],
    },
    retryPolicy: {
      maxRetries: 2,
      perRetryTimeout: { unit: 'ms', value: 500 },
      httpRetryEvents: ['server-error', 'gateway-error'],
    },
    timeout: { perRequest: { unit: 's', value: 15 } },
  },
});

interface Target {
  name: string;
  create(i: number): Promise<void>;
  read(i: number): Promise<void>;
  /** One page of a mesh's list; returns the next token and the item count. */
  list(mesh: string, token?: string): Promise<{ next?: string; count: number }>;
  /** Bytes of one read's and one list page's JSON (printed: the two sides should answer alike). */
  sizes(): Promise<{ read: number; page: number }>;
  updateNode(i: number): Promise<void>;
  updateRoute(i: number): Promise<void>;
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
    updateNode: async (i) =>
      void (await json('PUT', `${api}/meshes/${meshOf(i)}/virtualNodes/${nodeOf(i)}`, {
        spec: updatedSpec(i),
      })),
    updateRoute: async (i) => {
      const { m, k } = routeUpdateOf(i);
      await json('PUT', `${api}/meshes/mesh-${m}/virtualRouter/${ROUTER}/routes/route-${k}`, {
        spec: routeSpec(m, k, 50 + (i % 40)),
      });
    },
  };
}

/** Reads the record at `key`, changes it and writes it back conditionally; again if another request wrote it between. */
async function readModifyWrite<T>(
  store: ResourceStore,
  key: string,
  change: (value: T) => T,
): Promise<{ value: T; version: number }> {
  for (;;) {
    const current = await store.get<T>(key);
    if (!current) throw new Error(`${key}: not found`);
    try {
      const r = await store.put(key, change(current.value), { expectedVersion: current.version });
      return { value: r.value, version: r.version };
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
}

/** Resource metadata as App Mesh answers it, the plainest way. */
const metadataOf = (arn: string, uid: string, version: number) => {
  const now = Date.now() / 1000;
  return {
    arn,
    createdAt: now,
    lastUpdatedAt: now,
    meshOwner: '000000000000',
    resourceOwner: '000000000000',
    uid,
    version,
  };
};

/** The same store work with nothing else: parse, put/get/list, serialise. */
async function bareServer(
  store: ResourceStore,
): Promise<{ url: string; close: () => Promise<void>; pad: Padding }> {
  const app = Fastify();
  const pad: Padding = { node: '', router: '' };
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
  // Updates answer what UpdateVirtualNode / UpdateRoute must (a VirtualNodeData / RouteData).
  app.put<{ Params: { mesh: string; name: string }; Body: { spec: unknown } }>(
    '/bare/:mesh/:name',
    async (req) => {
      const { mesh, name } = req.params;
      const k = key(mesh, name);
      const r = await readModifyWrite<{ spec: unknown }>(store, k, (v) => ({
        ...v,
        spec: req.body.spec,
        ...(pad.node ? { pad: pad.node } : {}),
      }));
      return {
        virtualNode: {
          meshName: mesh,
          metadata: metadataOf(
            `arn:aws:appmesh:us-west-2:000000000000:mesh/${mesh}/virtualNode/${name}`,
            k,
            r.version,
          ),
          spec: req.body.spec,
          status: { status: 'ACTIVE' },
          virtualNodeName: name,
        },
      };
    },
  );
  app.put<{ Params: { mesh: string; router: string; route: string }; Body: { spec: object } }>(
    '/bare/:mesh/routers/:router/routes/:route',
    async (req) => {
      const { mesh, router, route } = req.params;
      const k = resourceKey('VirtualRouter', undefined, `${mesh}/${router}`);
      type Router = { spec: { routes: Array<{ name: string }> } };
      const r = await readModifyWrite<Router>(store, k, (v) => ({
        ...v,
        spec: {
          ...v.spec,
          routes: v.spec.routes.map((x) => (x.name === route ? { name: route, ...req.body.spec } : x)),
        },
        ...(pad.router ? { pad: pad.router } : {}),
      }));
      return {
        route: {
          meshName: mesh,
          metadata: metadataOf(
            `arn:aws:appmesh:us-west-2:000000000000:mesh/${mesh}/virtualRouter/${router}/route/${route}`,
            `${k}/${route}`,
            r.version,
          ),
          routeName: route,
          spec: req.body.spec,
          status: { status: 'ACTIVE' },
          virtualRouterName: router,
        },
      };
    },
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close(), pad };
}

/**
 * What the bare update adds to the record it writes, so that it writes as many bytes as
 * the API: the API stores the spec in CRD form and its metadata, the bare side the API form.
 */
interface Padding {
  node: string;
  router: string;
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
    updateNode: async (i) =>
      void (await json('PUT', `${base}/bare/${meshOf(i)}/${nodeOf(i)}`, { spec: updatedSpec(i) })),
    updateRoute: async (i) => {
      const { m, k } = routeUpdateOf(i);
      await json('PUT', `${base}/bare/mesh-${m}/routers/${ROUTER}/routes/route-${k}`, {
        spec: routeSpec(m, k, 50 + (i % 40)),
      });
    },
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
  /** Ms per create / read in the store. */
  createStore: number;
  readStore: number;
}

/**
 * Ms spent inside each side's store calls (index 0: the API's store, 1: the bare one):
 * the local store does a call's work synchronously — serialisation, the SQLite
 * transaction with its fsync, the watch's copy — so timing the call times the write.
 * The fsync's time depends on the disk and on how long since the previous one
 * (bench/api-fsync-gap.ts), so the split says how much of a side's time per
 * operation is the store's and how much is its own.
 */
const storeMs = [0, 0];

function timeStore(store: ResourceStore, side: 0 | 1): void {
  for (const method of ['put', 'txn', 'get', 'list', 'delete'] as const) {
    const call = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>;
    (store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const t0 = performance.now();
      try {
        return call(...args);
      } finally {
        storeMs[side]! += performance.now() - t0;
      }
    };
  }
}

/** Ops/s of each side in one phase, and the ms per operation spent in its store. */
interface PhaseResult {
  opsPerSecond: [number, number];
  storeMsPerOp: [number, number];
}

/** `phase` of both targets over calls 0..N-1 in SLICES alternating slices. */
async function alternate(
  targets: readonly [Target, Target],
  phase: 'create' | 'read' | 'updateNode' | 'updateRoute',
): Promise<PhaseResult> {
  const ms = [0, 0];
  const inStore = [0, 0];
  for (let k = 0; k < SLICES; k++)
    for (const t of k % 2 === 0 ? [0, 1] : [1, 0]) {
      const before = storeMs[t]!;
      ms[t]! += await run(Math.floor((k * N) / SLICES), Math.floor(((k + 1) * N) / SLICES), (i) =>
        targets[t]![phase](i),
      );
      inStore[t]! += storeMs[t]! - before;
    }
  return {
    opsPerSecond: [(N * 1000) / ms[0]!, (N * 1000) / ms[1]!],
    storeMsPerOp: [inStore[0]! / N, inStore[1]! / N],
  };
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
  const inStore = [
    { create: 0, read: 0 },
    { create: 0, read: 0 },
  ];
  for (const phase of ['create', 'read'] as const) {
    const { opsPerSecond, storeMsPerOp } = await alternate(targets, phase);
    for (const t of [0, 1]) {
      ms[t]![phase] = (N * 1000) / opsPerSecond[t]!;
      inStore[t]![phase] = storeMsPerOp[t]!;
    }
  }
  for (let k = 0; k < LIST_PASSES; k++)
    for (const t of order(k)) {
      const r = await listAll(targets[t]!);
      ms[t]!.list += r.ms;
      ms[t]!.pages += r.pages;
      ms[t]!.items += r.items;
    }
  const result = (t: 0 | 1): Result => ({
    create: (N * 1000) / ms[t]!.create,
    read: (N * 1000) / ms[t]!.read,
    listPages: (ms[t]!.pages * 1000) / ms[t]!.list,
    listItems: (ms[t]!.items * 1000) / ms[t]!.list,
    createStore: inStore[t]!.create,
    readStore: inStore[t]!.read,
  });
  return [result(0), result(1)];
}

const dirs = [
  mkdtempSync(path.join(tmpdir(), 'amime-bench-api-')),
  mkdtempSync(path.join(tmpdir(), 'amime-bench-bare-')),
];
const apiStore = createStore({ kind: 'sqlite', dataDir: dirs[0] as string });
const bareStore = createStore({ kind: 'sqlite', dataDir: dirs[1] as string });
timeStore(apiStore, 0);
timeStore(bareStore, 1);
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
  // extra: the API's ms per operation beyond the bare side's (1/API − 1/bare), which moves
  // less with the disk than the ratio; then how much of it is in the store and outside.
  const row = (label: string, x: number, y: number, store?: [number, number]) => {
    const extra = 1000 / x - 1000 / y;
    const split = store
      ? `${extra.toFixed(3).padStart(8)} ${(store[0] - store[1]).toFixed(3).padStart(9)} ${(extra - store[0] + store[1]).toFixed(3).padStart(9)}   ${store[0].toFixed(3)} / ${store[1].toFixed(3)}`
      : '';
    console.log(
      `${label.padEnd(22)} ${x.toFixed(0).padStart(10)} ${y.toFixed(0).padStart(12)} ${(x / y).toFixed(2).padStart(8)} ${split}`,
    );
  };
  console.log(
    `${'operation'.padEnd(22)} ${'API ops/s'.padStart(10)} ${'bare ops/s'.padStart(12)} ${'ratio'.padStart(8)} ${'extra ms'.padStart(8)} ${'in store'.padStart(9)} ${'outside'.padStart(9)}   store ms/op API / bare`,
  );
  row('create (PUT)', a.create, b.create, [a.createStore, b.createStore]);
  row('read (GET)', a.read, b.read, [a.readStore, b.readStore]);
  row('list (pages/s)', a.listPages, b.listPages);
  row('list (items/s)', a.listItems, b.listItems);

  // Updates: the routers and routes the route phase updates, then the API's records copied
  // into the bare store, so both sides rewrite records of the same size.
  const api = `${apiUrl}/v20190125`;
  for (let m = 0; m < MESHES; m++) {
    await json('PUT', `${api}/meshes/mesh-${m}/virtualRouters`, {
      virtualRouterName: ROUTER,
      spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] },
    });
    for (let k = 0; k < ROUTES; k++)
      await json('PUT', `${api}/meshes/mesh-${m}/virtualRouter/${ROUTER}/routes`, {
        routeName: `route-${k}`,
        spec: routeSpec(m, k, 80),
      });
  }
  for (const prefix of ['VirtualNode/', 'VirtualRouter/'])
    for (const r of (await apiStore.list({ prefix })).items) await bareStore.put(r.key, r.value);
  const recordBytes = async (store: ResourceStore, key: string) =>
    JSON.stringify((await store.get(key))!.value).length;
  const [nodeKey, routerKey] = [
    resourceKey('VirtualNode', undefined, `${meshOf(0)}/${nodeOf(0)}`),
    resourceKey('VirtualRouter', undefined, `mesh-0/${ROUTER}`),
  ];
  // Untimed updates of node 0 and of mesh-0's routes on both sides, then the bare side padded to the API's record size.
  for (const t of [apiT, bareT]) {
    await t.updateNode(0);
    for (let k = 0; k < ROUTES; k++) await t.updateRoute(k * MESHES); // every route of mesh-0's router
  }
  const padTo = async (key: string) =>
    ' '.repeat(Math.max(0, (await recordBytes(apiStore, key)) - (await recordBytes(bareStore, key)) - 10));
  bare.pad.node = await padTo(nodeKey);
  bare.pad.router = await padTo(routerKey);
  const [un, ur] = [
    await alternate([apiT, bareT], 'updateNode'),
    await alternate([apiT, bareT], 'updateRoute'),
  ];
  console.log(
    `updates: ${N} UpdateVirtualNode, ${N} UpdateRoute (${MESHES} routers of ${ROUTES} routes); stored record bytes, API / bare: node ${await recordBytes(apiStore, nodeKey)} / ${await recordBytes(bareStore, nodeKey)}, router ${await recordBytes(apiStore, routerKey)} / ${await recordBytes(bareStore, routerKey)}`,
  );
  row('update node (PUT)', un.opsPerSecond[0], un.opsPerSecond[1], un.storeMsPerOp);
  row('update route (PUT)', ur.opsPerSecond[0], ur.opsPerSecond[1], ur.storeMsPerOp);
  await app.close();
  await bare.close();
} finally {
  await apiStore.close();
  await bareStore.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
