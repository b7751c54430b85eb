/**
 * `amime serve`'s order of pipeline work (src/server/pipeline-runs.ts): one run at a
 * time, requests during a run coalesced into one next run reading the newest input,
 * endpoint and secret changes behind the run under way, and `settled` for the xDS
 * admission of a replica sharing etcd.
 */
import { describe, expect, it } from 'vitest';
import type { GraphInput } from '../mesh/index.js';
import { SnapshotCache } from '../xds/index.js';
import { MeshPipeline, type PipelineRun } from './pipeline.js';
import { PipelineRuns } from './pipeline-runs.js';
import { callersMesh, publishedContent, quietLogger, serverEndpoints } from './pipeline.testkit.js';

const CALLERS = 20;

/** A pipeline in 0 ms slices behind PipelineRuns, recording when runs start and end, and how many at once. */
function harness() {
  const cache = new SnapshotCache();
  const endpoints = serverEndpoints('10.0.0.1');
  const pipeline = new MeshPipeline({ cache, endpoints, logger: quietLogger, sliceMs: 0 });
  const events: string[] = [];
  const errors: string[] = [];
  let active = 0;
  let mostAtOnce = 0;
  const store = { revision: 1, input: callersMesh(CALLERS, 1) };
  const runs = new PipelineRuns({
    pipeline: {
      runInSlices: async (input: GraphInput) => {
        active++;
        mostAtOnce = Math.max(mostAtOnce, active);
        events.push(`start ${timeoutOf(input)}`);
        try {
          return await pipeline.runInSlices(input);
        } finally {
          active--;
          events.push(`end ${timeoutOf(input)}`);
        }
      },
    },
    read: () => ({ input: store.input, revision: store.revision }),
    logger: { error: (o, m) => errors.push(`${m}: ${String((o as { err?: unknown }).err)}`) },
  });
  /** A store write: the input a run started after it reads. */
  const write = (timeout: number) => {
    store.revision++;
    store.input = callersMesh(CALLERS, timeout);
  };
  return { cache, pipeline, runs, events, errors, write, mostAtOnce: () => mostAtOnce };
}

/** The route timeout the input carries (the tests' marker of which input a run read). */
function timeoutOf(input: GraphInput): number {
  const router = input.resources.find((r) => r.resource.kind === 'VirtualRouter')!.resource;
  return (router.spec as { routes: Array<{ httpRoute: { timeout: { perRequest: { value: number } } } }> })
    .routes[0]!.httpRoute.timeout.perRequest.value;
}

/** What a pipeline run without slices publishes for `input`. */
function publishedBy(input: GraphInput): string {
  const cache = new SnapshotCache();
  new MeshPipeline({ cache, endpoints: serverEndpoints('10.0.0.1'), logger: quietLogger }).run(input);
  return publishedContent(cache);
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('PipelineRuns', () => {
  it('runs one at a time: requests during a run are served by one next run, which reads the newest input', async () => {
    const h = harness();
    const first = h.runs.request();
    expect(h.events).toEqual(['start 1']); // started at once
    await nextTurn();
    h.write(2);
    const second = h.runs.request();
    await nextTurn();
    h.write(3);
    const third = h.runs.request();
    // The run under way has not ended: what is served is still older than the store.
    expect(h.runs.translatedRevision).toBe(Number.NEGATIVE_INFINITY);
    const [a, b, c] = await Promise.all([first, second, third]);
    expect(h.events).toEqual(['start 1', 'end 1', 'start 3', 'end 3']);
    expect(h.mostAtOnce()).toBe(1);
    expect(a).toBeDefined();
    expect(b).toBe(c);
    expect(b).not.toBe(a);
    expect(h.runs.translatedRevision).toBe(3);
    expect(publishedContent(h.cache)).toBe(publishedBy(callersMesh(CALLERS, 3)));
    expect(h.errors).toEqual([]);
  });

  it('the revision served is that of the last run ended, not of one under way', async () => {
    const h = harness();
    await h.runs.request();
    expect(h.runs.translatedRevision).toBe(1);
    h.write(2);
    const run = h.runs.request();
    await nextTurn();
    expect(h.events.at(-1)).toBe('start 2');
    expect(h.runs.translatedRevision).toBe(1);
    await run;
    expect(h.runs.translatedRevision).toBe(2);
  });

  it('puts endpoint and secret changes behind the run under way and before the next; at once when idle', async () => {
    const h = harness();
    const done: Array<PipelineRun | undefined> = [];
    h.runs.exclusive(() => h.events.push('idle work'));
    expect(h.events).toEqual(['idle work']);
    const first = h.runs.request();
    await nextTurn();
    // Called straight away, both would throw (a run is in progress) and be logged.
    h.runs.exclusive(() => {
      h.events.push('endpoints');
      done.push(h.pipeline.endpointsChanged([{ mesh: 'm', virtualNode: 'server_ns' }]));
    });
    h.runs.exclusive(() => {
      h.events.push('secrets');
      h.pipeline.secretsChanged();
    });
    h.write(2);
    const second = h.runs.request();
    await Promise.all([first, second]);
    expect(h.events).toEqual(['idle work', 'start 1', 'end 1', 'endpoints', 'secrets', 'start 2', 'end 2']);
    expect(done[0]).toBeDefined();
    expect(h.errors).toEqual([]);
  });

  it('settled waits for the runs asked for before it; a run that throws is logged and settles its requests', async () => {
    const errors: string[] = [];
    let calls = 0;
    const runs = new PipelineRuns({
      pipeline: {
        runInSlices: async () => {
          calls++;
          await nextTurn();
          throw new Error('graph exploded');
        },
      },
      read: () => ({ input: { resources: [] }, revision: 7 }),
      logger: { error: (o, m) => errors.push(`${m}: ${String((o as { err?: unknown }).err)}`) },
    });
    await runs.settled(); // nothing asked for: at once
    const asked = runs.request();
    let settled = false;
    const waiting = runs.settled().then(() => (settled = true));
    expect(settled).toBe(false);
    await waiting;
    expect(await asked).toBeUndefined();
    expect(calls).toBe(1);
    expect(runs.translatedRevision).toBe(Number.NEGATIVE_INFINITY);
    expect(errors).toEqual([
      'a pipeline run failed; every proxy keeps what it was served: Error: graph exploded',
    ]);
  });

  it('tells the run under way when anything else waits for it: a new request, queued work, settled', async () => {
    /** A run that ends when told; `interrupted` as the run saw it, read at each step. */
    let interrupted: () => boolean = () => false;
    let end: () => void = () => {};
    const runs = new PipelineRuns({
      pipeline: {
        runInSlices: (_input, _sliceMs, told = () => false) => {
          interrupted = told;
          return new Promise<PipelineRun>((resolve) => (end = () => resolve({} as PipelineRun)));
        },
      },
      read: () => ({ input: { resources: [] }, revision: 1 }),
      logger: { error: () => {} },
    });
    const cases: Array<[string, () => void]> = [
      ['a new request', () => void runs.request()],
      ['queued work', () => runs.exclusive(() => {})],
      ['settled', () => void runs.settled()],
    ];
    for (const [what, ask] of cases) {
      const first = runs.request();
      await nextTurn();
      expect(interrupted(), `before ${what}`).toBe(false);
      ask();
      expect(interrupted(), what).toBe(true);
      end();
      await first;
      // Once that run has ended nothing waits any more (the run a new request asked for included).
      await nextTurn();
      expect(interrupted(), `after ${what}`).toBe(false);
      end();
      await runs.settled();
    }
  });

  it('close waits for the run under way and starts no other', async () => {
    const h = harness();
    const first = h.runs.request();
    await nextTurn();
    h.write(2);
    const second = h.runs.request();
    await h.runs.close();
    expect(h.events).toEqual(['start 1', 'end 1']);
    expect(await first).toBeDefined();
    expect(await second).toBeUndefined();
    expect(await h.runs.request()).toBeUndefined();
  });
});
