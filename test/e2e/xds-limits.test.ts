/**
 * Admission limits and liveness: proxies per group, new-stream rate, and a client
 * that never answers a response.
 */
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SnapshotCache, TYPE_URL, XdsServer, type XdsLimits } from '../../src/xds/index.js';
import { SotwClient } from './support/ads-test-client.js';
import { apiListener, edsCluster } from './support/envoy-resources.js';

const NODE = 'mesh/mesh-1/virtualNode/vnode-1_mesh-test';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let server: XdsServer | undefined;
const clients: SotwClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close(500);
});

async function start(limits: XdsLimits = {}): Promise<{ cache: SnapshotCache; port: number }> {
  const cache = new SnapshotCache();
  cache.setSnapshot(NODE, {
    [TYPE_URL.Listener]: { l1: apiListener('l1', 'r1') },
    [TYPE_URL.Cluster]: { c1: edsCluster('c1') },
  });
  server = new XdsServer({ cache, limits, logger: quiet });
  return { cache, port: await server.listen('127.0.0.1', 0) };
}

function stream(port: number, nodeId = NODE, typeUrl: string = TYPE_URL.Listener): SotwClient {
  const c = new SotwClient(port);
  clients.push(c);
  c.send({ type_url: typeUrl, node: { id: nodeId, user_agent_name: 'envoy' } });
  return c;
}

describe('limits', () => {
  it('ends the 51st stream of one group with RESOURCE_EXHAUSTED', async () => {
    const { port } = await start();
    const first = Array.from({ length: 50 }, () => stream(port));
    await Promise.all(first.map((c) => c.next(10_000)));
    const extra = stream(port);
    const end = await extra.ended;
    expect(end.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(end.details).toMatch(/already has 50 connected proxies/);
    // Another group is unaffected (it has no snapshot, so it waits, connected).
    stream(port, 'mesh/mesh-1/virtualNode/other');
    await vi.waitFor(
      () => expect(server!.waiting().map((w) => w.nodeId)).toEqual(['mesh/mesh-1/virtualNode/other']),
      { timeout: 5000 },
    );
    // A freed slot can be taken again.
    first[0]!.close();
    await vi.waitFor(() => expect(server!.clientStatus().filter((s) => s.group === NODE)).toHaveLength(49), {
      timeout: 5000,
    });
    const again = stream(port);
    expect((await again.next()).names).toEqual(['l1']);
    expect(server!.clientStatus().filter((s) => s.group === NODE)).toHaveLength(50);
  });

  it('limits the rate of new streams', async () => {
    const { port } = await start({ newStreamsPerSecond: 1, newStreamBurst: 2 });
    const a = stream(port);
    const b = stream(port);
    await a.next();
    await b.next();
    const c = stream(port);
    const end = await c.ended;
    expect(end.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(end.details).toMatch(/too many new xDS streams/);
    expect(server!.counters().rejected[grpc.status.RESOURCE_EXHAUSTED]).toBe(1);
  });

  it('stops waiting for a response the client never answers, without re-sending it', async () => {
    const { port } = await start({ ackTimeoutMs: 200 });
    const c = stream(port, NODE, TYPE_URL.Cluster);
    const cds = await c.next();
    expect(cds.type_url).toBe(TYPE_URL.Cluster);
    // Listeners queue behind the un-ACKed clusters...
    c.send({ type_url: TYPE_URL.Listener });
    await c.nothingFor(100);
    // ...until the ACK timeout releases them.
    const lds = await c.next(2000);
    expect(lds.type_url).toBe(TYPE_URL.Listener);
    await c.nothingFor(300);
  });
});
