/**
 * A pipeline run in time slices (issue 18): it gives the event loop turns while it
 * works, publishes groups as it goes, publishes exactly what the run without pauses
 * publishes, and refuses to be overlapped.
 */
import { describe, expect, it, vi } from 'vitest';
import { SnapshotCache } from '../xds/index.js';
import { buildMeshGraph, type GraphInput } from '../mesh/index.js';
import { encodeResources, proxyGroups, translateGroup } from '../envoy/index.js';
import { FAN_OUT_WAIT_MIN, MeshPipeline } from './pipeline.js';
import { joinBytes } from '../proto/index.js';
import { callersMesh, publishedContent, quietLogger, serverEndpoints } from './pipeline.testkit.js';

const CALLERS = 30; // 60 groups: a run of several slices even on a fast machine with a 0 ms slice

const endpoints = serverEndpoints('10.0.0.1');

/** Every group's bytes per type and name, translated from scratch (no Translator, no pipeline). */
function fromScratch(input: GraphInput): string {
  const graph = buildMeshGraph(input);
  const out = proxyGroups(graph).map((g) => {
    const encoded = Object.entries(encodeResources(translateGroup(graph, g.key, endpoints)));
    return [
      g.key,
      bytesByType(
        encoded.map(([url, byName]) => [url, [...byName].map(([n, b]) => [n, joinBytes(b)] as const)]),
      ),
    ];
  });
  return JSON.stringify(out.sort(([a], [b]) => (a! < b! ? -1 : 1)));
}

/** The bytes each group's snapshot in `cache` holds, in `fromScratch`'s form. */
function served(cache: SnapshotCache): string {
  const out = cache
    .groups()
    .sort()
    .map((g) => {
      const types = [...cache.getSnapshot(g)!.types].map(([url, t]) => [
        url,
        [...t.resources].map(([name, r]) => [name, r.bytes] as const),
      ]);
      return [g, bytesByType(types as Array<[string, Array<readonly [string, Uint8Array]>]>)];
    });
  return JSON.stringify(out);
}

function bytesByType(
  types: Array<[string, Array<readonly [string, Uint8Array]>]>,
): Array<[string, string[][]]> {
  return types
    .filter(([, byName]) => byName.length > 0)
    .map(([url, byName]): [string, string[][]] => [
      url,
      byName.map(([n, b]) => [n, Buffer.from(b).toString('base64')]).sort(([a], [b]) => (a! < b! ? -1 : 1)),
    ])
    .sort(([a], [b]) => (a < b ? -1 : 1));
}

function pipeline(sliceMs?: number) {
  const cache = new SnapshotCache();
  const p = new MeshPipeline({
    cache,
    endpoints,
    logger: quietLogger,
    ...(sliceMs !== undefined ? { sliceMs } : {}),
  });
  return { p, cache };
}

describe('MeshPipeline.runInSlices', () => {
  it('gives the event loop turns before it ends, with part of the groups already published at the first', async () => {
    const { p, cache } = pipeline(0);
    const order: string[] = [];
    setImmediate(() => order.push('immediate'));
    setTimeout(() => order.push('timer'), 0);
    // The groups published at each turn the loop gets during the run.
    const publishedAtTurns: number[] = [];
    let running = true;
    const count = (): void => {
      if (!running) return;
      publishedAtTurns.push(cache.groups().length);
      setImmediate(count);
    };
    setImmediate(count);
    const run = await p.runInSlices(callersMesh(CALLERS, 15));
    running = false;
    order.push('run ended');
    expect(run.groups).toBe(2 * CALLERS + 2);
    expect(order).toContain('immediate');
    expect(order).toContain('timer');
    expect(order.at(-1)).toBe('run ended');
    // A turn per group with a 0 ms slice (the graph is one slice of its own), each after one more group published.
    expect(publishedAtTurns.length).toBeGreaterThan(CALLERS);
    expect(publishedAtTurns.filter((n) => n > 0 && n < run.groups).length).toBeGreaterThan(CALLERS);
  });

  it('publishes what run publishes, and what translating from scratch gives, change after change', async () => {
    const sliced = pipeline(0);
    const whole = pipeline();
    for (const input of [callersMesh(CALLERS, 15), callersMesh(CALLERS, 30), callersMesh(CALLERS - 5, 30)]) {
      const a = await sliced.p.runInSlices(input);
      const b = whole.p.run(input);
      expect(publishedContent(sliced.cache)).toBe(publishedContent(whole.cache));
      // Both are the same code; translating every group from scratch is what they must both serve.
      expect(served(sliced.cache)).toBe(fromScratch(input));
      expect([a.groups, a.changedGroups, a.removedGroups, a.failedGroups]).toEqual([
        b.groups,
        b.changedGroups,
        b.removedGroups,
        b.failedGroups,
      ]);
    }
  });

  it('publishes the groups with connected proxies first, then the others', async () => {
    const { p, cache } = pipeline(0);
    await p.runInSlices(callersMesh(CALLERS, 15));
    // Proxies of the last callers are connected (they listen to their group).
    const callers = cache.groups().filter((g) => g.includes('caller-'));
    const watched = callers.slice(-3);
    for (const g of watched) cache.subscribe(g, () => {});
    const order: string[] = [];
    cache.subscribeAll((change) => order.push(change.group));
    await p.runInSlices(callersMesh(CALLERS, 30));
    // Every caller's route timeout changed; the connected ones were published first.
    expect([...order].sort()).toEqual(expect.arrayContaining(callers));
    expect(new Set(order.slice(0, watched.length))).toEqual(new Set(watched));
    expect(served(cache)).toBe(fromScratch(callersMesh(CALLERS, 30)));
  });

  it('with a long slice, runs without a turn (the slice bounds the work between turns)', async () => {
    const { p } = pipeline(60_000);
    let turned = false;
    setImmediate(() => (turned = true));
    await p.runInSlices(callersMesh(CALLERS, 15));
    expect(turned).toBe(false);
  });

  it('refuses another run, the endpoint fast path and a secrets change while a run is under way', async () => {
    const { p } = pipeline(0);
    await p.runInSlices(callersMesh(CALLERS, 15));
    const running = p.runInSlices(callersMesh(CALLERS, 30));
    expect(p.busy).toBe(true);
    await expect(p.runInSlices(callersMesh(CALLERS, 60))).rejects.toThrow(/a run is in progress/);
    expect(() => p.run(callersMesh(CALLERS, 60))).toThrow(/a run is in progress/);
    expect(() => p.endpointsChanged([{ mesh: 'm', virtualNode: 'server_ns' }])).toThrow(
      /a run is in progress/,
    );
    expect(() => p.secretsChanged()).toThrow(/a run is in progress/);
    const run = await running;
    expect(p.busy).toBe(false);
    expect(run.changedGroups).toBeGreaterThanOrEqual(2 * CALLERS);
    expect(p.endpointsChanged([{ mesh: 'm', virtualNode: 'server_ns' }])).toBeDefined();
  });
});

/**
 * After the groups with connected proxies, a run in slices waits for those proxies to
 * answer before it translates the rest (at 10,000 proxies the rest would run while their
 * ACKs come in): bench:propagation's N = 10,000 rounds, bench/README "run 15".
 */
describe('MeshPipeline.runInSlices waiting for a fan-out', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** Until `order` holds `n` groups (a loaded machine may take a while to get there). */
  const waitingAt = (order: string[], n: number) =>
    vi.waitFor(() => expect(order).toHaveLength(n), { timeout: 10_000, interval: 5 });

  /** A pipeline whose xDS server has `inFlight.n` responses unanswered; 3 callers' groups connected. */
  async function connected(fanOutWaitMaxMs = 60_000) {
    const inFlight = { n: FAN_OUT_WAIT_MIN };
    const cache = new SnapshotCache();
    const p = new MeshPipeline({
      cache,
      endpoints,
      logger: quietLogger,
      sliceMs: 0,
      responsesInFlight: () => inFlight.n,
      fanOutWaitMaxMs,
    });
    // No group has a proxy yet: the first run has nothing to wait for.
    const first = await p.runInSlices(callersMesh(CALLERS, 15));
    expect(first.fanOutWaitMs).toBe(0);
    const callers = cache.groups().filter((g) => g.includes('caller-'));
    const watched = callers.slice(-3);
    for (const g of watched) cache.subscribe(g, () => {});
    const order: string[] = [];
    cache.subscribeAll((change) => order.push(change.group));
    return { p, cache, inFlight, watched, order };
  }

  it('publishes the connected groups, then waits until their proxies have answered', async () => {
    const { p, cache, inFlight, watched, order } = await connected();
    const running = p.runInSlices(callersMesh(CALLERS, 30));
    // The connected groups and the first of the others (the one that showed where they begin)…
    await waitingAt(order, watched.length + 1);
    expect(new Set(order.slice(0, watched.length))).toEqual(new Set(watched));
    // … and no more while the run waits.
    await sleep(100);
    expect(p.busy).toBe(true);
    expect(order).toHaveLength(watched.length + 1);
    inFlight.n = FAN_OUT_WAIT_MIN - 1;
    const run = await running;
    expect(run.fanOutWaitMs).toBeGreaterThanOrEqual(90);
    expect(order.length).toBeGreaterThanOrEqual(2 * CALLERS);
    expect(served(cache)).toBe(fromScratch(callersMesh(CALLERS, 30)));
  });

  it('stops waiting as soon as other work waits for the pipeline', async () => {
    const { p, order, watched } = await connected();
    let waitedFor = false;
    const running = p.runInSlices(callersMesh(CALLERS, 30), 0, () => waitedFor);
    await waitingAt(order, watched.length + 1);
    await sleep(50);
    expect(order).toHaveLength(watched.length + 1);
    waitedFor = true;
    const run = await running;
    expect(run.fanOutWaitMs).toBeGreaterThanOrEqual(40);
    expect(order.length).toBeGreaterThanOrEqual(2 * CALLERS);
  });

  it('stops waiting when a proxy comes for a group that had none', async () => {
    const { p, cache, order, watched } = await connected();
    const running = p.runInSlices(callersMesh(CALLERS, 30));
    await waitingAt(order, watched.length + 1);
    const unwatched = cache.groups().find((g) => !cache.watched(g))!;
    cache.subscribe(unwatched, () => {});
    const run = await running;
    expect(run.fanOutWaitMs).toBeLessThan(1_000);
    expect(order).toContain(unwatched);
  });

  it('waits at most fanOutWaitMaxMs', async () => {
    const { p } = await connected(100);
    const run = await p.runInSlices(callersMesh(CALLERS, 30));
    expect(run.fanOutWaitMs).toBeGreaterThanOrEqual(90);
    expect(run.fanOutWaitMs).toBeLessThan(2_000);
  });

  it('does not wait with fewer than FAN_OUT_WAIT_MIN responses unanswered, nor without slices', async () => {
    const { p, inFlight } = await connected();
    expect(p.run(callersMesh(CALLERS, 30)).fanOutWaitMs).toBe(0);
    inFlight.n = FAN_OUT_WAIT_MIN - 1;
    const run = await p.runInSlices(callersMesh(CALLERS, 45));
    // One loop turn to count, no polling (the longest wait here is a minute).
    expect(run.fanOutWaitMs).toBeLessThan(1_000);
  });
});
