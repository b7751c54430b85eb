/**
 * UpdateRoute against `amime serve` of two or more checkouts, request by request:
 * `npm run bench:serve-write-ab -- DIR DIR…` (each DIR a checkout's root with dist/ built;
 * AB_N rounds, default 100; GAP ms before each call, default 250).
 *
 * bench:update-route-ab measures the REST API alone (`createApiServer`); in `amime serve`
 * the write also feeds the pipeline's input and starts a translation. Here each checkout's
 * `amime serve` runs on its own copy of the seeded 10× store, no proxies connected; every
 * round makes one UpdateRoute of `rt-7` on each (the order flipped every round, GAP ms
 * before each, so the translation it starts has ended), then one bare fastify+SQLite
 * write (bare-write.ts, in this process), then a second floor: a bare fastify+SQLite
 * write served from a process of its own (bare-write-child.ts), as `amime serve` is,
 * replacing `route-0` in a copy of the seeded `rt-7` record, so it stores a record of the
 * size Amime stores (both sizes are printed). The first floor's ratio is printed as before;
 * the second's beside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { ServeProcess } from '../test/e2e/support/serve-process.js';
import { createStore } from '../src/store/index.js';
import { bareWriteServer } from './propagation/bare-write.js';
import { forkTs, next, stop } from './propagation/ipc.js';
import { json } from './propagation/json-call.js';
import { FEW_ROUTER, MESH, TEN_X_QUOTAS, apiRouterName, benchMesh, seedStore } from './propagation/mesh.js';

interface RouteSpec {
  httpRoute: { action: { weightedTargets: Array<{ weight: number }> } };
}
type StartServe = (
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number },
) => Promise<ServeProcess>;

const dirs = process.argv.slice(2).map((d) => path.resolve(d));
if (dirs.length < 2) {
  console.error('usage: npm run bench:serve-write-ab -- DIR DIR [DIR…]   (checkout roots, dist/ built)');
  process.exit(2);
}
const N = Number(process.env.AB_N ?? 100);
const GAP = Number(process.env.GAP ?? 250);
const WARM = 10;
const BARE = 'bare fastify+SQLite write';
const BARE_CHILD = 'bare write, own process, rt-7-sized record';
const BARE_CHILD_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'propagation/bare-write-child.ts',
);
const ROUTER_KEY = `VirtualRouter/bench/${FEW_ROUTER}`;
const AMIME_METADATA_BYTES = 457 - '"annotations":{"bench/padding":""},'.length;

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p90 = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * 0.9)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const temp: string[] = [];
const tempDir = (prefix: string): string => {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  temp.push(d);
  return d;
};

const closers: Array<() => Promise<unknown>> = [];
/** Stores whose `rt-7` record's size is printed at the end, once their processes have let go of them. */
const recordDirs: Array<{ name: string; dir: string }> = [];
try {
  const servers: Array<{ name: string; url: string }> = [];
  for (const dir of dirs) {
    const { startServe } = (await import(path.join(dir, 'test/e2e/support/serve-process.ts'))) as {
      startServe: StartServe;
    };
    const dataDir = tempDir('amime-swab-');
    await seedStore(dataDir, benchMesh());
    recordDirs.push({
      name: `${path.relative(process.cwd(), dir) || '.'} #${recordDirs.length + 1}`,
      dir: dataDir,
    });
    const args = ['--store', 'sqlite', '--data-dir', dataDir, '--no-seed', '--log-level', 'warn'];
    const serve = await startServe([...args, ...TEN_X_QUOTAS], { cwd: dir, timeoutMs: 600_000 });
    closers.push(() => serve.stop());
    while (
      !(await fetch(`${serve.apiUrl}/readyz`).then(
        (r) => r.ok,
        () => false,
      ))
    )
      await sleep(500);
    servers.push({
      name: `${path.relative(process.cwd(), dir) || '.'} #${servers.length + 1}`,
      url: serve.apiUrl,
    });
  }
  const bareStore = createStore({ kind: 'sqlite', dataDir: tempDir('amime-swab-bare-') });
  const bare = await bareWriteServer(bareStore);
  closers.push(bare.close, () => bareStore.close());
  const childDir = tempDir('amime-swab-bare-child-');
  const routerRecord = benchMesh().find((r) => r.kind === 'VirtualRouter' && r.metadata.name === FEW_ROUTER)!;
  // Amime's first write adds its API metadata annotation to the record (4,336 → 4,793 B
  // measured); a padding annotation of that size makes the floor store as many bytes.
  await seedStore(childDir, [
    {
      ...routerRecord,
      metadata: {
        ...routerRecord.metadata,
        annotations: { 'bench/padding': ' '.repeat(AMIME_METADATA_BYTES) },
      },
    },
  ]);
  recordDirs.push({ name: BARE_CHILD, dir: childDir });
  const child = forkTs(BARE_CHILD_FILE, [childDir]);
  closers.push(() => stop(child));
  const childUrl = (await next(child, 'ready', 60_000)).url as string;

  const routeUrl = (url: string) =>
    `${url}/v20190125/meshes/${MESH}/virtualRouter/${apiRouterName(FEW_ROUTER)}/routes/route-0`;
  const spec = (await json('GET', routeUrl(servers[0]!.url))).spec as RouteSpec;
  const reweigh = (i: number): RouteSpec => {
    const s = structuredClone(spec);
    const [a, b] = s.httpRoute.action.weightedTargets;
    a!.weight = 50 + (i % 40);
    b!.weight = 100 - a!.weight;
    return s;
  };
  const timed = async (call: () => Promise<unknown>): Promise<number> => {
    const t = performance.now();
    await call();
    return performance.now() - t;
  };
  const times = new Map<string, number[]>();
  const add = (label: string, ms: number) => times.set(label, [...(times.get(label) ?? []), ms]);
  for (let i = -WARM; i < N; i++) {
    for (const s of i % 2 === 0 ? servers : [...servers].reverse()) {
      await sleep(GAP);
      const ms = await timed(() => json('PUT', routeUrl(s.url), { spec: reweigh(i + WARM) }));
      if (i >= 0) add(`${s.name}: UpdateRoute ${FEW_ROUTER}`, ms);
    }
    const ms = await timed(() => json('PUT', `${bare.url}/bare/routes/route-0`, { spec: reweigh(i) }));
    if (i >= 0) add(BARE, ms);
    await sleep(GAP);
    const own = await timed(() =>
      json('PUT', `${childUrl}/bare/routers/${encodeURIComponent(ROUTER_KEY)}/routes/route-0`, {
        spec: reweigh(i),
      }),
    );
    if (i >= 0) add(BARE_CHILD, own);
  }
  const floor = median(times.get(BARE)!);
  const childFloor = median(times.get(BARE_CHILD)!);
  console.log(
    `${N} rounds, ${GAP} ms before each call; p50 and p90 ms; "ratio": the in-process bare write's p50 over the p50 (as before), "own-process ratio": the own-process bare write's p50 over it (target ≥ 0.8)`,
  );
  for (const [label, xs] of times)
    console.log(
      `${label.padEnd(44)} p50 ${median(xs).toFixed(2).padStart(6)}  p90 ${p90(xs).toFixed(2).padStart(6)}  ratio ${(floor / median(xs)).toFixed(2)}  own-process ratio ${(childFloor / median(xs)).toFixed(2)}`,
    );
} finally {
  for (const close of closers.reverse()) await close().catch((e: unknown) => console.error(e));
  const sizes: string[] = [];
  for (const { name, dir } of recordDirs) {
    const store = createStore({ kind: 'sqlite', dataDir: dir });
    const record = await store.get(ROUTER_KEY).catch(() => undefined);
    await store.close();
    if (record) sizes.push(`${name} ${JSON.stringify(record.value).length}`);
  }
  if (sizes.length > 0) console.log(`${FEW_ROUTER}'s stored record, JSON bytes: ${sizes.join(', ')}`);
  for (const d of temp) rmSync(d, { recursive: true, force: true });
}
