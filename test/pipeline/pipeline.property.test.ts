/**
 * The serving pipeline with its incremental graph publishes what a pipeline building
 * everything from scratch publishes: after every step of random change sequences
 * (documents regenerated, added, removed; two at a time, as a debounced run carries
 * them), every group's snapshot has the same content version per type (a hash of the
 * bytes) and EDS names, the same groups fail, and the diagnostics are the same. A third
 * pipeline runs in time slices of 0 ms (a turn of the event loop after every group) and
 * must publish the same as the first.
 * Seeded: AMIME_PROPERTY_SEED, AMIME_PROPERTY_STEPS and AMIME_PROPERTY_SEQUENCES; `npm
 * run test:equivalence` runs 1,000 sequences of 40 steps.
 */
import { describe, expect, it } from 'vitest';
import { canonicalDiagnostics, type GraphInput } from '../../src/mesh/index.js';
import { RANDOM_ACM, RandomMesh, mulberry32, randomEndpoints } from '../../src/envoy/random-mesh.testkit.js';
import { SnapshotCache } from '../../src/xds/index.js';
import type { EndpointSource } from '../../src/envoy/index.js';
import { MeshPipeline } from '../../src/server/pipeline.js';
import { publishedContent as published, quietLogger } from '../../src/server/pipeline.testkit.js';

const SEED = Number(process.env['AMIME_PROPERTY_SEED'] ?? 0x18a5);
const STEPS = Number(process.env['AMIME_PROPERTY_STEPS'] ?? 60);
const SEQUENCES = Number(process.env['AMIME_PROPERTY_SEQUENCES'] ?? 4);

/** Neighbourhoods of these small meshes are often more than half of them: spliced all the same. */
const SPLICE_ALWAYS = { neighbourhoodShare: 1 };

function pipeline(endpoints: EndpointSource, incrementalGraph: boolean) {
  const cache = new SnapshotCache();
  const p = new MeshPipeline({
    cache,
    endpoints,
    translate: { acm: RANDOM_ACM },
    incrementalGraph: incrementalGraph && SPLICE_ALWAYS,
    logger: quietLogger,
  });
  return { p, cache };
}

describe('the pipeline with the incremental graph (property)', () => {
  const perTest = Math.ceil(SEQUENCES / 20);
  // Over every sequence of the file: a few sequences in a row can mostly add and remove
  // (full builds), so a share per test of 1–50 sequences would fail by chance.
  let steps = 0;
  let incremental = 0;
  for (let first = 0; first < SEQUENCES; first += perTest) {
    const seeds = Array.from({ length: Math.min(perTest, SEQUENCES - first) }, (_, i) => SEED + first + i);
    const label = seeds.length === 1 ? `seed ${seeds[0]}` : `seeds ${seeds[0]}–${seeds.at(-1)}`;
    it(`publishes what a full build publishes after every step (${label}, ${STEPS} steps)`, async () => {
      for (const seed of seeds) {
        const counts = await sequence(seed);
        steps += counts.steps;
        incremental += counts.incremental;
        // Let the worker answer vitest's RPC between sequences.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }, 300_000);
  }
  it('compared the incremental path, not the fallback alone, in a tenth of the steps at least', () => {
    // steps: those of sequences without backend groups (the others always build in full).
    expect(steps, 'no sequence without backend groups ran: nothing to judge').toBeGreaterThan(0);
    expect(incremental).toBeGreaterThan(steps / 10);
  });
});

async function sequence(seed: number): Promise<{ steps: number; incremental: number }> {
  const rng = mulberry32(seed);
  const docs = new RandomMesh(rng);
  // Backend groups and partial resources take the full build; without them (half the sequences) updates are spliced.
  const withGroups = rng() < 0.5;
  const input = (): GraphInput => {
    if (!withGroups)
      for (const [k, d] of [...docs.docs])
        if (k.startsWith('BackendGroup/') || (d && 'resource' in d && d.resource.schemaErrors))
          docs.docs.delete(k);
    return docs.graphInput();
  };
  const endpoints = randomEndpoints(rng);
  const inc = pipeline(endpoints, true);
  const sliced = pipeline(endpoints, true);
  const first = input();
  inc.p.run(first);
  await sliced.p.runInSlices(first, 0);
  let incremental = 0;
  for (let step = 0; step < STEPS; step++) {
    const keys = Array.from({ length: 1 + Math.floor(rng() * 2) }, () => docs.mutate());
    const now = input();
    const run = inc.p.run(now);
    const slicedRun = await sliced.p.runInSlices(now, 0);
    if (run.graphBuild === 'incremental') incremental++;
    const full = pipeline(endpoints, false);
    const fullRun = full.p.run(now);
    const where = `seed ${seed} step ${step} (${keys.join(', ')}; ${run.graphBuild})`;
    expect(published(inc.cache), where).toBe(published(full.cache));
    expect(published(sliced.cache), `${where}, in slices`).toBe(published(inc.cache));
    expect(slicedRun.failedGroups, `${where}, in slices`).toEqual(run.failedGroups);
    expect(inc.p.failures, where).toEqual(full.p.failures);
    expect(canonicalDiagnostics(run.diagnostics), where).toEqual(canonicalDiagnostics(fullRun.diagnostics));
  }
  return { steps: withGroups ? 0 : STEPS, incremental };
}
