/**
 * Translation at 10× App Mesh's per-mesh quotas: 2,000 virtual nodes (each with a
 * listener and 5 backends; half DNS, half Cloud Map with 3 endpoints), 2,000 virtual
 * services, 500 routers × 10 routes × 2 weighted targets. Measures:
 *
 * 1. a full translation of every proxy group (sidecar + proxyless per node) plus
 *    encoding of every resource, against a baseline measured in the same run: encoding
 *    the same distinct resources from ready-made objects (no translation at all);
 * 2. a one-route change: re-translation of only the affected groups plus encoding;
 * 3. peak memory.
 *
 * Budgets: (1) under 3 s, (2) under 100 ms. Exits non-zero when over budget.
 * Run: npm run bench:translate   (node --expose-gc; bounded, ~10 s)
 */
import { buildMeshGraph } from '../src/mesh/index.js';
import type { GraphInput, InputResource } from '../src/mesh/graph.js';
import { envoyRoot } from '../src/envoy/proto/root.js';
import { encodeMessage } from '../src/envoy/proto/codec.js';
import { XDS_KINDS, XDS_TYPE_NAME } from '../src/envoy/proto/types.js';
import { staticEndpoints } from '../src/envoy/endpoints.js';
import { QUOTAS, endpointTable, meshResources, router } from './translate-mesh.js';
import { encodeResources, type EnvoyResources } from '../src/envoy/translate.js';
import { Translator } from '../src/envoy/translator.js';

const FULL_BUDGET_MS = 3000;
const INCREMENTAL_BUDGET_MS = 100;

function encodeAll(groups: Iterable<EnvoyResources>): number {
  let n = 0;
  for (const res of groups) for (const m of Object.values(encodeResources(res))) n += m.size;
  return n;
}

/** Distinct resource objects across groups (shared ones once), as the xDS cache sees them. */
function distinctResources(groups: Iterable<EnvoyResources>): Array<[string, object]> {
  const seen = new Set<object>();
  const out: Array<[string, object]> = [];
  for (const res of groups) {
    for (const kind of XDS_KINDS) {
      for (const r of res[kind]) {
        if (seen.has(r)) continue;
        seen.add(r);
        out.push([XDS_TYPE_NAME[kind], r]);
      }
    }
  }
  return out;
}

function ms(t0: number): number {
  return performance.now() - t0;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const line = (label: string, value: string) => console.log(`${label.padEnd(62)} ${value}`);

// ── setup (not measured against budgets) ──
envoyRoot();
const resources = meshResources();
const input: GraphInput = { resources: resources.map((resource): InputResource => ({ resource })) };
let t0 = performance.now();
const graph = buildMeshGraph(input, { quotas: QUOTAS });
line('build mesh graph (10× quotas, informational)', `${ms(t0).toFixed(0)} ms`);
const inactive = [...(graph.meshes.get('big')?.virtualNodes.values() ?? [])].filter((n) => n.inactive).length;
if (inactive > 0) throw new Error(`${inactive} virtual nodes inactive: the bench mesh is wrong`);
const endpoints = staticEndpoints(endpointTable());

// Warm the JIT on a small slice so the measurement is the steady state, as in a server.
new Translator().update(buildMeshGraph({ resources: input.resources.slice(0, 50) }, { quotas: QUOTAS }), endpoints);
gc();

// ── 1. full translation + encoding ──
const translator = new Translator();
t0 = performance.now();
const full = translator.update(graph, endpoints);
const translateMs = ms(t0);
t0 = performance.now();
const encodedCount = encodeAll(full.groups.values());
const encodeMs = ms(t0);
const fullMs = translateMs + encodeMs;

const distinct = distinctResources(full.groups.values());
const copies = distinct.map(([type, r]) => [type, structuredClone(r)] as const);
gc();
t0 = performance.now();
for (const [type, r] of copies) encodeMessage(type, r);
const baselineMs = ms(t0);

line(`groups translated`, `${full.changed.length}`);
line(`resources served (per-group entries) / distinct objects encoded`, `${encodedCount} / ${distinct.length}`);
line('full: translate', `${translateMs.toFixed(0)} ms`);
line('full: encode', `${encodeMs.toFixed(0)} ms`);
line(`full: translate + encode (budget ${FULL_BUDGET_MS} ms)`, `${fullMs.toFixed(0)} ms`);
line('baseline: encode the same distinct resources, ready-made', `${baselineMs.toFixed(0)} ms`);
line('ratio full / baseline', `${(fullMs / baselineMs).toFixed(2)}×`);

// ── 2. one-route change ──
const changedRouter = router(123, 30);
const changedInput: GraphInput = {
  resources: input.resources.map((r) => (r.resource.kind === 'VirtualRouter' && r.resource.metadata.name === 'rt-123' ? { resource: changedRouter } : r)),
};
t0 = performance.now();
const graph2 = buildMeshGraph(changedInput, { quotas: QUOTAS });
line('rebuild mesh graph after the change (informational)', `${ms(t0).toFixed(0)} ms`);
gc();
t0 = performance.now();
const inc = translator.update(graph2, endpoints);
const incTranslateMs = ms(t0);
t0 = performance.now();
const incGroups = inc.changed.map((k) => inc.groups.get(k) as EnvoyResources);
encodeAll(incGroups);
const incEncodeMs = ms(t0);
const incMs = incTranslateMs + incEncodeMs;
const incCopies = distinctResources(incGroups).map(([type, r]) => [type, structuredClone(r)] as const);
t0 = performance.now();
for (const [type, r] of incCopies) encodeMessage(type, r);
const incBaselineMs = ms(t0);

line('one-route change: groups re-translated', `${inc.changed.length} of ${inc.groups.size}`);
line('one-route change: find + translate', `${incTranslateMs.toFixed(1)} ms`);
line('one-route change: encode', `${incEncodeMs.toFixed(1)} ms`);
line(`one-route change: total (budget ${INCREMENTAL_BUDGET_MS} ms)`, `${incMs.toFixed(1)} ms`);
line('baseline: encode the same resources, ready-made', `${incBaselineMs.toFixed(1)} ms`);
line('ratio change / baseline', `${(incMs / incBaselineMs).toFixed(2)}×`);

// ── 3. memory ──
const usage = process.memoryUsage();
line('peak RSS', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
line('heap used at end', `${(usage.heapUsed / 1024 / 1024).toFixed(0)} MB`);

const over = [fullMs > FULL_BUDGET_MS ? 'full translation' : '', incMs > INCREMENTAL_BUDGET_MS ? 'one-route change' : ''].filter(Boolean);
if (over.length > 0) {
  console.error(`over budget: ${over.join(', ')}`);
  process.exit(1);
}
console.log('within budget');
