/**
 * Issue 14 items 2, 6, 8 and 14, driven against a real `amime serve` as the
 * adversarial run did: invented type URLs, huge delta subscriptions, invented node
 * ids and more streams than allowed, and proxies of both flavours on one node.
 * Where the attack was about memory, the server's resident memory is measured
 * before and after and bounded.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TYPE_URL } from '../../src/xds/index.js';
import { DeltaClient, SotwClient, type StreamEnd } from './support/ads-test-client.js';
import { MB, rssBytes } from './support/process-memory.js';
import { startServe, type ServeProcess } from './support/serve-process.js';

const VNODE_1 = 'mesh/mesh-1/virtualNode/vnode-1_mesh-test';
const MAX_STREAMS = 60;
const MAX_NAMES = 2000;
const MAX_PER_NODE = 3;

let serve: ServeProcess;
let clients: Array<SotwClient | DeltaClient> = [];

beforeAll(async () => {
  serve = await startServe([
    '--store',
    'memory',
    '--log-level',
    'error',
    '--xds-max-streams',
    String(MAX_STREAMS),
    '--xds-max-names-per-stream',
    String(MAX_NAMES),
    '--max-proxies-per-node',
    String(MAX_PER_NODE),
  ]);
});

afterAll(async () => {
  await serve?.stop();
});

afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  // The next test starts from no streams at all.
  await vi.waitFor(async () => expect((await debugProxies()).proxies).toEqual([]), { timeout: 10_000 });
});

async function debugProxies(): Promise<{ proxies: unknown[]; groups: { group: string }[] }> {
  return (await fetch(`${serve.apiUrl}/debug/proxies`)).json() as Promise<{
    proxies: unknown[];
    groups: { group: string }[];
  }>;
}

async function metricsText(): Promise<string> {
  return (await fetch(`${serve.apiUrl}/metrics`)).text();
}

function sotw(nodeId = VNODE_1, userAgent = 'envoy'): SotwClient {
  const c = new SotwClient(serve.xdsPort);
  clients.push(c);
  c.send({ type_url: TYPE_URL.Listener, node: { id: nodeId, user_agent_name: userAgent } });
  return c;
}

/** The stream ends with `code` (a response arriving first fails). */
async function endsWith(c: SotwClient | DeltaClient, code: grpc.status): Promise<StreamEnd> {
  const end = await Promise.race([
    c.ended,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('stream still open after 10 s')), 10_000),
    ),
  ]);
  expect(end.code, end.details).toBe(code);
  return end;
}

describe('unknown type URLs (item 2)', () => {
  it('answers them empty, remembers none, and keeps /metrics labels bounded', async () => {
    const PER_STREAM = 100;
    const burst = async (streams: number, tag: string): Promise<void> => {
      for (let s = 0; s < streams; s++) {
        const c = new SotwClient(serve.xdsPort);
        clients.push(c);
        c.send({ type_url: TYPE_URL.Cluster, node: { id: VNODE_1, user_agent_name: 'envoy' } });
        c.ack(await c.next(10_000));
        for (let i = 0; i < PER_STREAM; i++) {
          const url = `type.googleapis.com/attack.${tag}.${s}.${i}.${'x'.repeat(100_000)}`;
          c.send({ type_url: url });
          const res = await c.next(10_000);
          expect(res.type_url).toBe(url);
          expect(res.resources).toEqual([]);
          // Its ACK gets nothing back.
          c.ack(res);
        }
        c.close();
      }
    };
    // A first round sizes the heap for this traffic; what the next 1,500 URLs of
    // 100 kB add is what the server keeps (before the fix, ~800 kB per URL: 1.2 GB).
    await burst(5, 'warm');
    const before = rssBytes(serve.proc.pid!);
    await burst(15, 'measured');
    const after = rssBytes(serve.proc.pid!);
    expect(after - before, `RSS ${before / MB} → ${after / MB} MB`).toBeLessThan(128 * MB);
    const metrics = await metricsText();
    expect(metrics).not.toContain('attack.');
    expect(metrics.length).toBeLessThan(64 * 1024);
    expect(metrics).toMatch(/amime_xds_pushes_total\{type="other"\} 2000/);
  });
});

describe('delta subscriptions (item 6)', () => {
  it('ends a stream that subscribes to more names than allowed, with bounded memory', async () => {
    const ok = new DeltaClient(serve.xdsPort);
    clients.push(ok);
    const names = Array.from({ length: MAX_NAMES }, (_, i) => `cds_${i}_${'n'.repeat(200)}`);
    ok.send({
      type_url: TYPE_URL.Cluster,
      node: { id: VNODE_1, user_agent_name: 'envoy' },
      resource_names_subscribe: names,
    });
    // Up to the limit is served: each name is answered (here: it does not exist).
    const res = await ok.next(10_000);
    expect(res.removed_resources).toHaveLength(MAX_NAMES);

    const before = rssBytes(serve.proc.pid!);
    // The attack subscribed 2M names; the stream ends at the first name beyond the limit.
    const attacker = new DeltaClient(serve.xdsPort);
    clients.push(attacker);
    attacker.send({ type_url: TYPE_URL.Cluster, node: { id: VNODE_1, user_agent_name: 'envoy' } });
    for (let chunk = 0; chunk < 200; chunk++) {
      attacker.send({
        type_url: TYPE_URL.Cluster,
        resource_names_subscribe: Array.from({ length: 10_000 }, (_, i) => `a${chunk}_${i}`),
      });
    }
    const end = await endsWith(attacker, grpc.status.RESOURCE_EXHAUSTED);
    expect(end.details).toMatch(/more than the 2000 resource names allowed \(maxNamesPerStream\)/);
    const started = performance.now();
    expect((await fetch(`${serve.apiUrl}/healthz`)).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(rssBytes(serve.proc.pid!) - before).toBeLessThan(64 * MB);
  });

  it('applies the same limit to state-of-the-world requests', async () => {
    const c = new SotwClient(serve.xdsPort);
    clients.push(c);
    c.send({
      type_url: TYPE_URL.Cluster,
      node: { id: VNODE_1, user_agent_name: 'envoy' },
      resource_names: Array.from({ length: MAX_NAMES + 1 }, (_, i) => `c${i}`),
    });
    await endsWith(c, grpc.status.RESOURCE_EXHAUSTED);
  });
});

describe('invented node ids and the stream cap (item 8)', () => {
  it('keeps no metric series for node ids nothing is translated for, once their streams close', async () => {
    const before = rssBytes(serve.proc.pid!);
    for (let batch = 0; batch < 10; batch++) {
      const batchClients = Array.from({ length: 50 }, (_, i) =>
        sotw(`mesh/invented-${batch}/virtualNode/node-${i}-${'z'.repeat(200)}`),
      );
      await vi.waitFor(async () => expect((await debugProxies()).proxies).toHaveLength(50), {
        timeout: 10_000,
      });
      const during = await metricsText();
      expect(during).toMatch(/amime_xds_connected_proxies\{group="\(no configuration\)"\} 50/);
      expect(during).not.toContain('invented-');
      for (const c of batchClients) c.close();
      clients = [];
      await vi.waitFor(async () => expect((await debugProxies()).proxies).toEqual([]), { timeout: 10_000 });
    }
    const metrics = await metricsText();
    expect(metrics).not.toContain('invented-');
    expect(metrics).not.toMatch(/amime_xds_connected_proxies\{/);
    expect((await debugProxies()).groups.map((g) => g.group)).not.toContainEqual(
      expect.stringContaining('invented-'),
    );
    expect(rssBytes(serve.proc.pid!) - before).toBeLessThan(64 * MB);
  });

  it('labels connected proxies of served groups, and ends streams beyond the global cap', async () => {
    const served = sotw(VNODE_1);
    await served.next(10_000);
    expect(await metricsText()).toMatch(
      /amime_xds_connected_proxies\{group="mesh\/mesh-1\/virtualNode\/vnode-1_mesh-test"\} 1/,
    );
    const open = Array.from({ length: MAX_STREAMS - 1 }, (_, i) => sotw(`mesh/m/virtualNode/n${i}`));
    await vi.waitFor(async () => expect((await debugProxies()).proxies).toHaveLength(MAX_STREAMS), {
      timeout: 10_000,
    });
    const end = await endsWith(sotw(`mesh/m/virtualNode/one-too-many`), grpc.status.RESOURCE_EXHAUSTED);
    expect(end.details).toMatch(/already has 60 xDS streams \(limit maxStreams\)/);
    // A closed stream frees its place.
    open[0]!.close();
    await vi.waitFor(async () => expect((await debugProxies()).proxies).toHaveLength(MAX_STREAMS - 1), {
      timeout: 10_000,
    });
    await sotw(VNODE_1).next(10_000);
  });
});

describe('proxies per virtual node (item 14)', () => {
  it('counts Envoys and proxyless gRPC clients of one node together', async () => {
    const envoy = [sotw(), sotw()];
    const grpcClient = sotw(VNODE_1, 'gRPC Node Pure JS');
    for (const c of [...envoy, grpcClient]) await c.next(10_000);
    const end = await endsWith(sotw(VNODE_1, 'gRPC Node Pure JS'), grpc.status.RESOURCE_EXHAUSTED);
    expect(end.details).toBe(
      `${VNODE_1} already has ${MAX_PER_NODE} connected proxies (limit maxProxiesPerNode)`,
    );
    await endsWith(sotw(), grpc.status.RESOURCE_EXHAUSTED);
    // Another node is not affected.
    await sotw('mesh/mesh-1/virtualNode/vnode-2_mesh-test').next(10_000);
  });
});
