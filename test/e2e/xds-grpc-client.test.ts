/**
 * End to end with an independent xDS client: @grpc/grpc-js-xds channels resolve
 * `xds:///svc` through our ADS server (LDS api_listener → RDS → CDS → EDS) and
 * call two real gRPC backends. Proves traffic splitting, convergence, NACK
 * handling and a server restart from the client's point of view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as grpc from '@grpc/grpc-js';
import { SnapshotCache, TYPE_URL, XdsServer, type AckEvent, type PushEvent } from '../../src/xds/index.js';
import { startBackend, tally, who, type Backend } from './support/backends.js';
import { splitSnapshot, type SplitConfig } from './support/envoy-resources.js';
import { xdsClient } from './support/xds-clients.js';

const NODE = 'mesh/mesh-1/virtualNode/vnode-1_mesh-test';
const GROUP = `${NODE}#grpc`;
const LISTENER = 'svc-v.mesh-test.svc.cluster.local';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let a: Backend;
let b: Backend;
let cache: SnapshotCache;
let server: XdsServer;
let port: number;
let client: grpc.Client;
let cfg: SplitConfig;
const pushes: PushEvent[] = [];
const acks: AckEvent[] = [];

function wire(s: XdsServer): void {
  s.events.on('push', (e) => pushes.push(e));
  s.events.on('ack', (e) => acks.push(e));
}

async function waitFor<T>(what: string, fn: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  a = await startBackend('backend-A');
  b = await startBackend('backend-B');
  cfg = {
    listener: LISTENER,
    route: 'route-svc-v',
    backends: { 'cds-a': a.port, 'cds-b': b.port },
    weights: { 'cds-a': 1, 'cds-b': 1 },
  };
  cache = new SnapshotCache();
  cache.setSnapshot(GROUP, splitSnapshot(cfg));
  server = new XdsServer({ cache, logger: quiet });
  wire(server);
  port = await server.listen('127.0.0.1', 0);
  client = xdsClient(port, NODE, LISTENER);
});

afterAll(async () => {
  client?.close();
  await server?.close(500);
  await a?.close();
  await b?.close();
});

const rdsPushes = (): PushEvent[] => pushes.filter((p) => p.typeUrl === TYPE_URL.RouteConfiguration);

describe('proxyless gRPC client through the xDS server', () => {
  it('splits 1,000 calls 50/50 within binomial tolerance', async () => {
    const counts = await tally(client, 1000);
    const na = counts['backend-A'] ?? 0;
    const nb = counts['backend-B'] ?? 0;
    expect(na + nb).toBe(1000);
    expect(Math.abs(na - 500)).toBeLessThan(4.5 * Math.sqrt(250));
    const st = server.clientStatus();
    expect(st).toHaveLength(1);
    expect(st[0]).toMatchObject({
      nodeId: NODE,
      group: GROUP,
      flavour: 'grpc',
      protocol: 'sotw',
      waiting: false,
    });
    expect(st[0]!.types.map((t) => [t.typeUrl, t.pendingAck])).toEqual([
      [TYPE_URL.Cluster, false],
      [TYPE_URL.ClusterLoadAssignment, false],
      [TYPE_URL.Listener, false],
      [TYPE_URL.RouteConfiguration, false],
    ]);
  });

  it('follows a weight change to 100:0 within 1 s', async () => {
    cfg = { ...cfg, weights: { 'cds-a': 100, 'cds-b': 0 } };
    const t0 = Date.now();
    cache.setSnapshot(GROUP, splitSnapshot(cfg));
    let streak = 0;
    while (streak < 20) {
      streak = (await who(client)) === 'backend-A' ? streak + 1 : 0;
      expect(Date.now() - t0).toBeLessThan(1000);
    }
    const counts = await tally(client, 200);
    expect(counts).toEqual({ 'backend-A': 200 });
  });

  it('records a NACK, does not re-send it, keeps traffic on the last good config, then ACKs a fix', async () => {
    const nacks: string[] = [];
    server.events.on('nack', (e) => nacks.push(e.message));
    const rdsBefore = rdsPushes().length;
    const bad = cache.setSnapshot(GROUP, splitSnapshot({ ...cfg, weights: { 'cds-a': 0, 'cds-b': 0 } }));
    await waitFor('NACK', () => nacks.length > 0);
    expect(nacks[0]).toMatch(/sum of weights is 0/);
    // Traffic stays on 100:0 while we wait to see that nothing is re-sent.
    const counts = await tally(client, 200);
    expect(counts).toEqual({ 'backend-A': 200 });
    // Nothing can prove a re-send will not come; the NACK was handled when it arrived, so a short window suffices.
    await new Promise((r) => setTimeout(r, 200));
    const sent = rdsPushes().slice(rdsBefore);
    expect(sent).toHaveLength(1);
    const badVersion = sent[0]!.version;
    expect(nacks).toHaveLength(1);

    const rds = server.clientStatus()[0]!.types.find((t) => t.typeUrl === TYPE_URL.RouteConfiguration)!;
    expect(rds.lastNack?.version).toBe(badVersion);
    expect(rds.lastNack?.message).toMatch(/weighted_clusters sum of weights is 0/);
    expect(rds.ackedVersion).not.toBe(badVersion);
    expect(server.groupStatus().find((g) => g.group === GROUP)!.nacks[0]!.message).toMatch(
      /sum of weights is 0/,
    );
    expect(bad.changed).toBe(true);

    cfg = { ...cfg, weights: { 'cds-a': 0, 'cds-b': 100 } };
    cache.setSnapshot(GROUP, splitSnapshot(cfg));
    const fixed = await waitFor('ACK of the fix', () =>
      acks.find(
        (e) =>
          e.typeUrl === TYPE_URL.RouteConfiguration &&
          e.version !== badVersion &&
          rdsPushes().at(-1)!.version === e.version,
      ),
    );
    expect(fixed.pushLatencyMs).toBeGreaterThanOrEqual(0);
    let streak = 0;
    const t0 = Date.now();
    while (streak < 20 && Date.now() - t0 < 2000)
      streak = (await who(client)) === 'backend-B' ? streak + 1 : 0;
    expect(streak).toBe(20);
  });

  it('after a restart on the same port the client reconnects, ACKs the same versions and nothing is re-pushed', async () => {
    const before = server.clientStatus()[0]!.types.map((t) => [t.typeUrl, t.ackedVersion]);
    await server.close(500);
    server = new XdsServer({ cache, logger: quiet });
    const pushed: PushEvent[] = [];
    server.events.on('push', (e) => pushed.push(e));
    expect(await server.listen('127.0.0.1', port)).toBe(port);
    const st = await waitFor(
      'the client to reconnect and report all four types',
      () => {
        const s = server.clientStatus()[0];
        return s && s.types.length === 4 && s.types.every((t) => t.ackedVersion !== null) ? s : undefined;
      },
      20_000,
    );
    expect(st.types.map((t) => [t.typeUrl, t.ackedVersion])).toEqual(before);
    await new Promise((r) => setTimeout(r, 300));
    expect(pushed).toEqual([]);
    expect(server.counters().pushes).toBe(0);
    const counts = await tally(client, 50);
    expect(counts).toEqual({ 'backend-B': 50 });
  });
});
