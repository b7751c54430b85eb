/**
 * How long encoding and checking generated Envoy resources takes.
 * Run: npx tsx bench/encode.bench.ts   (bounded: a few seconds on 2 cores)
 */
import { checkPgv } from '../src/envoy/check/pgv.js';
import { checkReferences } from '../src/envoy/check/references.js';
import { checkShape } from '../src/envoy/check/structure.js';
import { checkResources } from '../src/envoy/check/index.js';
import { sampleCluster, sampleEndpoints, sampleSet } from '../test/support/envoy-samples.js';
import { decodeMessage, encodeMessage } from '../src/proto/codec.js';
import { toJsonView } from '../src/proto/json.js';
import { envoyRoot } from '../src/proto/root.js';
import { CLUSTER_LOAD_ASSIGNMENT_TYPE, CLUSTER_TYPE, LISTENER_TYPE } from '../src/proto/types.js';

const N = 1000;
const ROUNDS = 5;

function group(n: number): ReturnType<typeof sampleSet> {
  return {
    listeners: [],
    routes: [],
    secrets: [],
    clusters: Array.from({ length: n }, (_, i) => sampleCluster(`cds_egress_mesh-1_svc-${i}_http_8080`)),
    endpoints: Array.from({ length: n }, (_, i) =>
      sampleEndpoints(`cds_egress_mesh-1_svc-${i}_http_8080`, `10.0.${i >> 8}.${i & 255}`),
    ),
  };
}

/** Best of ROUNDS, in ms. */
function time(label: string, fn: () => void, per = 1): number {
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  const best = Math.min(...times);
  const perItem = per > 1 ? `  (${((best * 1000) / per).toFixed(1)} µs each)` : '';
  console.log(`${label.padEnd(58)} ${best.toFixed(1).padStart(8)} ms${perItem}`);
  return best;
}

let t0 = performance.now();
envoyRoot();
console.log(`${'load Envoy protos'.padEnd(58)} ${(performance.now() - t0).toFixed(1).padStart(8)} ms`);
t0 = performance.now();
checkResources(sampleSet());
console.log(
  `${'first checkResources (compiles rule tables)'.padEnd(58)} ${(performance.now() - t0).toFixed(1).padStart(8)} ms`,
);
checkResources(group(N)); // warm the JIT

const set = group(N);
const clusterBytes = set.clusters.map((c) => encodeMessage(CLUSTER_TYPE, c));
const decodedClusters = clusterBytes.map((b) => decodeMessage(CLUSTER_TYPE, b));
const decodedEndpoints = set.endpoints.map((e) =>
  decodeMessage(CLUSTER_LOAD_ASSIGNMENT_TYPE, encodeMessage(CLUSTER_LOAD_ASSIGNMENT_TYPE, e)),
);
console.log(
  `cluster: ${clusterBytes[0]?.length} bytes; ClusterLoadAssignment (1 endpoint): ${encodeMessage(CLUSTER_LOAD_ASSIGNMENT_TYPE, set.endpoints[0] as object).length} bytes`,
);

time(`encodeMessage × ${N} clusters`, () => set.clusters.forEach((c) => encodeMessage(CLUSTER_TYPE, c)), N);
time(`decodeMessage × ${N} clusters`, () => clusterBytes.forEach((b) => decodeMessage(CLUSTER_TYPE, b)), N);
time(
  `checkShape × ${N} clusters`,
  () => set.clusters.forEach((c, i) => checkShape(CLUSTER_TYPE, c, decodedClusters[i] as object)),
  N,
);
time(`checkPgv × ${N} clusters`, () => decodedClusters.forEach((d) => checkPgv(CLUSTER_TYPE, d)), N);
time(`checkReferences, ${N} clusters + ${N} assignments`, () =>
  checkReferences({
    listeners: [],
    routes: [],
    secrets: [],
    clusters: decodedClusters,
    endpoints: decodedEndpoints,
  }),
);
time(`checkResources, ${N} clusters (no endpoints)`, () => checkResources({ ...set, endpoints: [] }), N);
const total = time(
  `checkResources, ${N} clusters + ${N} ClusterLoadAssignments`,
  () => checkResources(set),
  2 * N,
);
const listener = sampleSet().listeners[0] as object;
time(
  `checkResources × ${N} listeners (HCM, router, file log)`,
  () =>
    checkResources({
      listeners: Array.from({ length: N }, (_, i) => ({
        ...listener,
        name: `l${i}`,
        address: { socket_address: { address: '0.0.0.0', port_value: 1 + i } },
      })),
      routes: [],
      clusters: [],
      endpoints: [],
      secrets: [],
    }),
  N,
);
const listenerBytes = encodeMessage(LISTENER_TYPE, listener);
time(
  `toJsonView × ${N} listeners`,
  () => {
    for (let i = 0; i < N; i++) toJsonView(LISTENER_TYPE, listenerBytes);
  },
  N,
);
console.log(`\nchecking ${N} clusters with their endpoints: ${total.toFixed(1)} ms`);
