/**
 * One change through the serving pipeline in one process, as `amime serve` runs it:
 * the propagation bench's mesh (10× App Mesh's quotas plus `rt-all`, which every node
 * calls) through `MeshPipeline` into a `SnapshotCache`; then route changes of `rt-all`
 * (every proxy group changes) and of `rt-7` (a few change). Prints wall and CPU time
 * per change; in the same run, the pipeline building the whole graph per change (as
 * before the incremental graph: the baseline) and with the output check off (its cost).
 *
 * Run: npm run bench:pipeline   (PIPELINE_ROUNDS=n changes of each kind, default 5;
 *   PIPELINE_CHECK_OFF=0 skips the check-off pass, PIPELINE_FULL_GRAPH=0 the full-graph one)
 */
import { performance } from 'node:perf_hooks';
import type { GraphInput, InputResource } from '../src/mesh/graph.js';
import type { AnyResource } from '../src/model/index.js';
import { envoyRoot } from '../src/proto/root.js';
import { staticEndpoints } from '../src/envoy/endpoints.js';
import { MeshPipeline } from '../src/server/pipeline.js';
import { SnapshotCache } from '../src/xds/snapshot-cache.js';
import { FEW_ROUTER, SHARED_ROUTER, benchMesh } from './propagation/mesh.js';
import { endpointTable, router } from './translate-mesh.js';
import { DEFAULT_QUOTAS } from '../src/mesh/index.js';

const TEN_X = {
  virtualNodesPerMesh: DEFAULT_QUOTAS.virtualNodesPerMesh * 10,
  virtualServicesPerMesh: DEFAULT_QUOTAS.virtualServicesPerMesh * 10,
  virtualRoutersPerMesh: DEFAULT_QUOTAS.virtualRoutersPerMesh * 10,
};

const ROUNDS = Number(process.env.PIPELINE_ROUNDS ?? 5);
const quiet = {
  info() {},
  warn() {},
  error(o: object, m?: string) {
    console.error(m, o);
  },
};
const line = (label: string, value: string) => console.log(`${label.padEnd(100)} ${value}`);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function withRouter(mesh: readonly AnyResource[], name: string, timeoutSeconds: number): AnyResource[] {
  const r = Number(name.slice(3));
  return mesh.map((res) => {
    if (res.kind !== 'VirtualRouter' || res.metadata.name !== name) return res;
    const next = router(Number.isNaN(r) ? 0 : r, timeoutSeconds);
    next.metadata = res.metadata;
    return next;
  });
}

const input = (mesh: readonly AnyResource[]): GraphInput => ({
  resources: mesh.map((resource): InputResource => ({ resource })),
});

function measure(checkOutput: boolean, incrementalGraph: boolean): void {
  let mesh = benchMesh();
  const pipeline = new MeshPipeline({
    cache: new SnapshotCache(),
    endpoints: staticEndpoints(endpointTable()),
    graph: { quotas: TEN_X },
    checkOutput,
    incrementalGraph,
    logger: quiet,
  });
  const tag = `${checkOutput ? 'check on ' : 'check off'}, ${incrementalGraph ? 'incremental graph' : 'full graph       '}`;
  let [t, c] = [performance.now(), cpuMs()];
  let run = pipeline.run(input(mesh));
  const errors = run.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`bench mesh has ${errors.length} errors: ${errors[0]!.message}`);
  line(
    `${tag}: full run (${run.groups} groups)`,
    `${(performance.now() - t).toFixed(0)} ms, CPU ${(cpuMs() - c).toFixed(0)} ms`,
  );
  let timeout = 20;
  for (const name of [SHARED_ROUTER, FEW_ROUTER]) {
    const walls: number[] = [];
    const cpus: number[] = [];
    let changed = 0;
    const builds = new Set<string>();
    for (let i = 0; i < ROUNDS; i++) {
      mesh = withRouter(mesh, name, timeout++);
      [t, c] = [performance.now(), cpuMs()];
      run = pipeline.run(input(mesh));
      walls.push(performance.now() - t);
      cpus.push(cpuMs() - c);
      changed = run.changedGroups;
      builds.add(run.graphBuild);
      if (run.failedGroups.length > 0) throw new Error(`${run.failedGroups.length} groups failed`);
    }
    line(
      `${tag}: change ${name} (${changed} groups changed; graph ${[...builds].join('/')}), median of ${ROUNDS}`,
      `${median(walls).toFixed(0)} ms (max ${Math.max(...walls).toFixed(0)}), CPU ${median(cpus).toFixed(0)} ms`,
    );
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? NaN;
}

envoyRoot();
measure(true, true);
if (process.env.PIPELINE_FULL_GRAPH !== '0') measure(true, false);
if (process.env.PIPELINE_CHECK_OFF !== '0') measure(false, true);
