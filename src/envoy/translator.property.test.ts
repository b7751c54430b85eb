/**
 * Incremental translation equals translation from scratch, after every step of long
 * random change sequences (documents regenerated, added, removed; endpoints moved,
 * known ↔ unknown). Seeded: AMIME_PROPERTY_SEED, AMIME_PROPERTY_STEPS and
 * AMIME_PROPERTY_SEQUENCES reproduce or lengthen a run; `npm run test:equivalence` runs
 * 1,000 sequences of 40 steps (and the mesh graph's 1,000, src/mesh/incremental.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { buildMeshGraph, type MeshGraph } from '../mesh/index.js';
import type { EndpointSource, VirtualNodeRef } from './endpoints.js';
import { proxyGroups } from './groups.js';
import { encodeResources, translateGroupDetailed, type EnvoyResources } from './translate.js';
import { Translator, type TranslatorResult } from './translator.js';
import { joinBytes } from '../proto/index.js';
import { RANDOM_ACM, RandomMesh, mulberry32, randomEndpoints } from './random-mesh.testkit.js';
import type { TranslateOptions } from './options.js';

const SEED = Number(process.env['AMIME_PROPERTY_SEED'] ?? 0x17a5);
const STEPS = Number(process.env['AMIME_PROPERTY_STEPS'] ?? 400);
const SEQUENCES = Number(process.env['AMIME_PROPERTY_SEQUENCES'] ?? 4);

const bytesOf = (res: EnvoyResources): string =>
  JSON.stringify(
    Object.entries(encodeResources(res)).map(([url, m]) => [
      url,
      [...m]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([n, b]) => [n, Buffer.from(joinBytes(b)).toString('base64')]),
    ]),
  );

/** Nodes of the graph whose endpoints or resolved hostname differ between two sources. */
function changedNodes(graph: MeshGraph, a: EndpointSource, b: EndpointSource): VirtualNodeRef[] {
  const out: VirtualNodeRef[] = [];
  for (const [mesh, view] of graph.meshes) {
    for (const [name, node] of view.virtualNodes) {
      const ref = { mesh, virtualNode: name };
      const host = node.resource.spec.serviceDiscovery?.dns?.hostname ?? '';
      const same =
        JSON.stringify(a.endpoints(ref)) === JSON.stringify(b.endpoints(ref)) &&
        JSON.stringify(a.resolve?.(host)) === JSON.stringify(b.resolve?.(host));
      if (!same) out.push(ref);
    }
  }
  return out;
}

describe('incremental translation (property)', () => {
  // At most 20 tests however many sequences.
  const perTest = Math.ceil(SEQUENCES / 20);
  for (let first = 0; first < SEQUENCES; first += perTest) {
    const seeds = Array.from({ length: Math.min(perTest, SEQUENCES - first) }, (_, i) => SEED + first + i);
    const label = seeds.length === 1 ? `seed ${seeds[0]}` : `seeds ${seeds[0]}–${seeds.at(-1)}`;
    it(`equals a full translation after every step (${label}, ${STEPS} steps)`, async () => {
      for (const seed of seeds) {
        sequence(seed);
        // Let the worker answer vitest's RPC between sequences (minutes of synchronous work time it out).
        await new Promise((resolve) => setImmediate(resolve));
      }
    }, 300_000);
  }
});

function sequence(seed: number): void {
  const rng = mulberry32(seed);
  // Its own stream: which groups go first must not change the sequence of meshes.
  const orderRng = mulberry32(seed ^ 0x5eed);
  const options: TranslateOptions = { acm: RANDOM_ACM };
  const docs = new RandomMesh(rng);
  let endpoints = randomEndpoints(rng);
  const translator = new Translator(options);
  let graph = buildMeshGraph(docs.graphInput());
  translator.update(graph, endpoints);
  for (let step = 0; step < STEPS; step++) {
    let what: string;
    let result;
    if (rng() < 0.2) {
      const next = randomEndpoints(rng);
      const nodes = changedNodes(graph, endpoints, next);
      endpoints = next;
      what = `endpoints of ${nodes.map((n) => n.virtualNode).join(', ')}`;
      result = translator.updateEndpoints(endpoints, nodes);
    } else {
      const keys = Array.from({ length: 1 + Math.floor(rng() * 2) }, () => docs.mutate());
      what = keys.join(', ');
      graph = buildMeshGraph(docs.graphInput());
      result = inSomeOrder(translator, graph, endpoints, orderRng);
    }
    const groups = proxyGroups(graph);
    expect([...result.groups.keys()].sort(), `step ${step} (${what})`).toEqual(
      groups.map((g) => g.key).sort(),
    );
    expect(result.failed.size).toBe(0);
    for (const g of groups) {
      const full = translateGroupDetailed(graph, g, endpoints, options);
      const got = result.groups.get(g.key) as EnvoyResources;
      const where = `seed ${seed} step ${step} (${what}): ${g.key}`;
      expect(bytesOf(got), where).toBe(bytesOf(full.resources));
      expect(translator.translation(g.key)?.warnings, where).toEqual(full.warnings);
    }
  }
}

/**
 * Half the updates run in steps with a random set of groups first (as `amime serve`
 * puts the groups with connected proxies first): the order must not change the result.
 */
function inSomeOrder(
  translator: Translator,
  graph: MeshGraph,
  endpoints: EndpointSource,
  rng: () => number,
): TranslatorResult {
  if (rng() < 0.5) return translator.update(graph, endpoints);
  const picked = new Set(
    proxyGroups(graph)
      .filter(() => rng() < 0.3)
      .map((g) => g.key),
  );
  const steps = translator.updateInSteps(graph, endpoints, (key) => picked.has(key));
  const seen: string[] = [];
  for (;;) {
    const next = steps.next();
    if (next.done) {
      // The picked groups came first.
      const firstOther = seen.findIndex((k) => !picked.has(k));
      if (firstOther >= 0) expect(seen.slice(firstOther).some((k) => picked.has(k))).toBe(false);
      return next.value;
    }
    seen.push(next.value.key);
  }
}
