/**
 * What a change every proxy sees does to the rest of `amime serve` while the pipeline
 * works on it (issue 18): a route of `rt-all` in the propagation bench's mesh (10× App
 * Mesh's quotas, 4,000 proxy groups) through `MeshPipeline` into a `SnapshotCache`, as
 * serve runs it. Measured per change: the event loop's delay (perf_hooks
 * `monitorEventLoopDelay`, 1 ms resolution), how long a 0 ms timer set at any moment of
 * the change waited (a chain of them, standing in for a REST call or an xDS ACK that
 * arrives meanwhile), and when the first and the last group were published.
 *
 * Run: npm run bench:loop-delay -- [DIR]   (DIR: the checkout whose pipeline runs,
 *   default this one; LOOP_DELAY_ROUNDS=n changes, default 5; LOOP_DELAY_SLICE_MS=n the
 *   pipeline's slice). Run it for two checkouts in turn to compare them in one window. A
 *   checkout without `runInSlices` (before issue 18) runs the change in one piece, as its
 *   `amime serve` did. The mesh is this checkout's.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { GraphInput, InputResource } from '../src/mesh/graph.js';
import type { AnyResource } from '../src/model/index.js';
import type { MeshPipeline } from '../src/server/pipeline.js';
import type { SnapshotCache } from '../src/xds/snapshot-cache.js';
import { SHARED_ROUTER, benchMesh } from './propagation/mesh.js';
import { endpointTable, router } from './translate-mesh.js';
import { DEFAULT_QUOTAS } from '../src/mesh/index.js';

const dir = path.resolve(process.argv[2] ?? '.');
const ROUNDS = Number(process.env.LOOP_DELAY_ROUNDS ?? 5);
const TEN_X = {
  virtualNodesPerMesh: DEFAULT_QUOTAS.virtualNodesPerMesh * 10,
  virtualServicesPerMesh: DEFAULT_QUOTAS.virtualServicesPerMesh * 10,
  virtualRoutersPerMesh: DEFAULT_QUOTAS.virtualRoutersPerMesh * 10,
};

type Pipeline = Pick<MeshPipeline, 'run'> & Partial<Pick<MeshPipeline, 'runInSlices'>>;
const from = async <T>(file: string): Promise<T> =>
  (await import(pathToFileURL(path.join(dir, file)).href)) as T;
const { MeshPipeline: Pipeline } = await from<{ MeshPipeline: new (o: object) => Pipeline }>(
  'src/server/pipeline.ts',
);
const { SnapshotCache: Cache } = await from<{ SnapshotCache: new () => SnapshotCache }>(
  'src/xds/snapshot-cache.ts',
);
const { staticEndpoints } = await from<{ staticEndpoints: (t: object) => object }>('src/envoy/endpoints.ts');
const { envoyRoot } = await from<{ envoyRoot: () => void }>('src/proto/root.ts');

const quiet = { info() {}, warn() {}, error: (o: object, m?: string) => console.error(m, o) };
const input = (mesh: readonly AnyResource[]): GraphInput => ({
  resources: mesh.map((resource): InputResource => ({ resource })),
});

function withRouter(mesh: readonly AnyResource[], name: string, timeoutSeconds: number): AnyResource[] {
  return mesh.map((res) => {
    if (res.kind !== 'VirtualRouter' || res.metadata.name !== name) return res;
    const next = router(0, timeoutSeconds);
    next.metadata = res.metadata;
    return next;
  });
}

interface Change {
  wall: number;
  cpu: number;
  delayP50: number;
  delayP99: number;
  delayMax: number;
  waitP99: number;
  waitMax: number;
  firstPublished: number;
  lastPublished: number;
}

async function change(pipeline: Pipeline, cache: SnapshotCache, next: GraphInput): Promise<Change> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const waits: number[] = [];
  let probing = true;
  const probe = (): void => {
    const set = performance.now();
    setTimeout(() => {
      waits.push(performance.now() - set);
      if (probing) probe();
    }, 0);
  };
  let first = NaN;
  let last = NaN;
  let t0 = NaN;
  const unsubscribe = cache.subscribeAll(() => {
    last = performance.now() - t0;
    if (Number.isNaN(first)) first = last;
  });
  histogram.enable();
  // Its first sample only starts the clock: let it take one before the loop is held.
  await new Promise((resolve) => setTimeout(resolve, 20));
  t0 = performance.now();
  const cpu0 = process.cpuUsage();
  probe();
  if (pipeline.runInSlices) await pipeline.runInSlices(next);
  else pipeline.run(next);
  const wall = performance.now() - t0;
  const used = process.cpuUsage(cpu0);
  await new Promise((resolve) => setTimeout(resolve, 20)); // the probes waiting on the run's end
  probing = false;
  histogram.disable();
  unsubscribe();
  const ms = (ns: number) => ns / 1e6;
  return {
    wall,
    cpu: (used.user + used.system) / 1000,
    delayP50: ms(histogram.percentile(50)),
    delayP99: ms(histogram.percentile(99)),
    delayMax: ms(histogram.max),
    waitP99: percentile(waits, 0.99),
    waitMax: Math.max(...waits),
    firstPublished: first,
    lastPublished: last,
  };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? NaN;
}
const median = (xs: number[]) => percentile(xs, 0.5);

envoyRoot();
let mesh = benchMesh();
const cache = new Cache();
const pipeline = new Pipeline({
  cache,
  endpoints: staticEndpoints(endpointTable()),
  graph: { quotas: TEN_X },
  logger: quiet,
  ...(process.env.LOOP_DELAY_SLICE_MS ? { sliceMs: Number(process.env.LOOP_DELAY_SLICE_MS) } : {}),
});
pipeline.run(input(mesh));
const how = pipeline.runInSlices
  ? `runInSlices (slice ${process.env.LOOP_DELAY_SLICE_MS ?? 'default'} ms)`
  : 'run (one piece)';
console.log(`${dir}: ${how}, ${ROUNDS} changes of ${SHARED_ROUTER} (every group changes)`);
const changes: Change[] = [];
for (let i = 0; i < ROUNDS; i++) {
  mesh = withRouter(mesh, SHARED_ROUTER, 30 + i);
  const c = await change(pipeline, cache, input(mesh));
  changes.push(c);
  console.log(
    `  change ${i + 1}: ${c.wall.toFixed(0)} ms, CPU ${c.cpu.toFixed(0)} ms; loop delay p50 ${c.delayP50.toFixed(1)} p99 ${c.delayP99.toFixed(1)} max ${c.delayMax.toFixed(0)} ms; ` +
      `a timer waited p99 ${c.waitP99.toFixed(1)} max ${c.waitMax.toFixed(0)} ms; first group published at ${c.firstPublished.toFixed(0)} ms, last at ${c.lastPublished.toFixed(0)} ms`,
  );
}
const med = (k: keyof Change) =>
  median(changes.map((c) => c[k])).toFixed(k.startsWith('delayP') || k === 'waitP99' ? 1 : 0);
console.log(
  `median of ${ROUNDS}: change ${med('wall')} ms, CPU ${med('cpu')} ms; loop delay p99 ${med('delayP99')} ms, max ${med('delayMax')} ms; ` +
    `timer wait p99 ${med('waitP99')} ms, max ${med('waitMax')} ms; first published ${med('firstPublished')} ms, last ${med('lastPublished')} ms`,
);
