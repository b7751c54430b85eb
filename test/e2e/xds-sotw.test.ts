/**
 * State-of-the-world ADS against a real XdsServer on loopback, driven by an
 * explicit test client so every ACK, NACK and nonce is under the test's control.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SnapshotCache, TYPE_URL, XdsServer } from '../../src/xds/index.js';
import { SotwClient, fetchClientStatus, type SotwResponse } from './support/ads-test-client.js';
import { apiListener, edsCluster, loadAssignment, weightedRoute } from './support/envoy-resources.js';

const NODE = 'mesh/mesh-1/virtualNode/vn-1_ns';
const GROUP = NODE; // Envoy flavour: the short id
const envoyNode = { id: NODE, cluster: 'vn-1_ns', user_agent_name: 'envoy' };

const { Cluster: CDS, ClusterLoadAssignment: EDS, Listener: LDS, RouteConfiguration: RDS } = TYPE_URL;

interface Spec {
  clusters?: Record<string, Record<string, unknown>>;
  endpoints?: Record<string, number[]>;
  weights?: Record<string, number>;
  listener?: string;
}

function snapshot(s: Spec = {}): Record<string, Record<string, Uint8Array>> {
  const clusters = s.clusters ?? { c1: {}, c2: {} };
  const endpoints = s.endpoints ?? { c1: [1001], c2: [1002] };
  const out: Record<string, Record<string, Uint8Array>> = { [CDS]: {}, [EDS]: {}, [LDS]: {}, [RDS]: {} };
  for (const [name, extra] of Object.entries(clusters)) out[CDS]![name] = edsCluster(name, name, extra);
  for (const [name, ports] of Object.entries(endpoints)) out[EDS]![name] = loadAssignment(name, ports);
  const listener = s.listener ?? 'l1';
  out[LDS]![listener] = apiListener(listener, 'r1');
  out[RDS]!['r1'] = weightedRoute('r1', listener, s.weights ?? { c1: 1, c2: 1 });
  return out;
}

let cache: SnapshotCache;
let server: XdsServer;
let port: number;
const clients: SotwClient[] = [];

function client(): SotwClient {
  const c = new SotwClient(port);
  clients.push(c);
  return c;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

beforeEach(async () => {
  cache = new SnapshotCache();
  server = new XdsServer({ cache, logger: quiet });
  port = await server.listen('127.0.0.1', 0);
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.close(500);
});

/** Subscribes all four types the way Envoy does and ACKs everything. */
async function connectAll(c: SotwClient): Promise<Map<string, SotwResponse>> {
  const got = new Map<string, SotwResponse>();
  c.send({ type_url: CDS, node: envoyNode });
  const cds = await c.next();
  c.ack(cds, []);
  got.set(CDS, cds);
  c.send({ type_url: EDS, resource_names: ['c1', 'c2'] });
  const eds = await c.next();
  c.ack(eds);
  got.set(EDS, eds);
  c.send({ type_url: LDS });
  const lds = await c.next();
  c.ack(lds, []);
  got.set(LDS, lds);
  c.send({ type_url: RDS, resource_names: ['r1'] });
  const rds = await c.next();
  c.ack(rds);
  got.set(RDS, rds);
  return got;
}

describe('SotW subscriptions', () => {
  it('serves wildcard and named subscriptions; names grow and shrink', async () => {
    cache.setSnapshot(GROUP, snapshot());
    const c = client();
    c.send({ type_url: CDS, node: envoyNode });
    const cds = await c.next();
    expect(cds.type_url).toBe(CDS);
    expect(cds.names.sort()).toEqual(['c1', 'c2']);
    expect(cds.version_info).toBe(cache.getSnapshot(GROUP)!.types.get(CDS)!.version);
    c.ack(cds, []);

    c.send({ type_url: EDS, resource_names: ['c1'] });
    const e1 = await c.next();
    expect(e1.names).toEqual(['c1']);
    c.ack(e1, ['c1', 'c2']); // ACK and grow in one request, as gRPC does
    const e2 = await c.next();
    expect(e2.names).toEqual(['c1', 'c2']);
    expect(e2.version_info).not.toBe(e1.version_info);
    c.ack(e2, ['c2']);
    const e3 = await c.next();
    expect(e3.names).toEqual(['c2']);
    c.ack(e3);
    await c.nothingFor(150);

    // Legacy wildcard stays wildcard while the client keeps sending no names.
    cache.setSnapshot(GROUP, snapshot({ clusters: { c1: {}, c2: {}, c3: {} } }));
    const cds2 = await c.next();
    expect(cds2.type_url).toBe(CDS);
    expect(cds2.names.sort()).toEqual(['c1', 'c2', 'c3']);
  });

  it('a named resource that does not exist yet stays subscribed through the ACK and arrives when it is published', async () => {
    // A proxy's ACK repeats its subscription, not the names the response held: the
    // built-in CA's certificate is such a resource (issued after the first SDS answer).
    cache.setSnapshot(GROUP, snapshot());
    const c = client();
    c.send({ type_url: EDS, node: envoyNode, resource_names: ['c1', 'c3'] });
    const first = await c.next();
    expect(first.names).toEqual(['c1']);
    c.ack(first);
    cache.setSnapshot(GROUP, snapshot({ endpoints: { c1: [1001], c2: [1002], c3: [1003] } }));
    const later = await c.next();
    expect(later.names.sort()).toEqual(['c1', 'c3']);
  });

  it('answers an explicit "*" with everything', async () => {
    cache.setSnapshot(GROUP, snapshot());
    const c = client();
    c.send({ type_url: EDS, node: envoyNode, resource_names: ['*'] });
    const eds = await c.next();
    expect(eds.names.sort()).toEqual(['c1', 'c2']);
  });

  it('ignores requests with a stale nonce', async () => {
    cache.setSnapshot(GROUP, snapshot());
    const c = client();
    const first = await connectAll(c);
    cache.setSnapshot(GROUP, snapshot({ endpoints: { c1: [2001], c2: [1002] } }));
    const eds = await c.next();
    expect(eds.type_url).toBe(EDS);
    // A name change carrying the previous nonce is stale and must not trigger anything.
    c.send({
      type_url: EDS,
      response_nonce: first.get(EDS)!.nonce,
      version_info: first.get(EDS)!.version_info,
      resource_names: ['c1'],
    });
    await c.nothingFor(150);
    c.ack(eds, ['c1', 'c2']);
    await c.nothingFor(150);
  });
});

describe('SotW pushes', () => {
  it('keeps at most one un-ACKed response per type and sends only the newest after the ACK', async () => {
    cache.setSnapshot(GROUP, snapshot());
    const c = client();
    await connectAll(c);
    cache.setSnapshot(GROUP, snapshot({ endpoints: { c1: [2001], c2: [1002] } }));
    const a = await c.next();
    expect(a.type_url).toBe(EDS);
    cache.setSnapshot(GROUP, snapshot({ endpoints: { c1: [3001], c2: [1002] } }));
    cache.setSnapshot(GROUP, snapshot({ endpoints: { c1: [4001], c2: [1002] } }));
    await c.nothingFor(200);
    c.ack(a);
    const newest = await c.next();
    expect(newest.type_url).toBe(EDS);
    expect(newest.version_info).toBe(cache.getSnapshot(GROUP)!.types.get(EDS)!.version);
    const c1 = newest.resources.find((r) => r.cluster_name === 'c1') as {
      endpoints: { lb_endpoints: { endpoint: { address: { socket_address: { port_value: number } } } }[] }[];
    };
    expect(c1.endpoints[0]!.lb_endpoints[0]!.endpoint.address.socket_address.port_value).toBe(4001);
    c.ack(newest);
    await c.nothingFor(150);
  });

  it('does not push when content is unchanged', async () => {
    cache.setSnapshot(GROUP, snapshot());
    const c = client();
    await connectAll(c);
    const r = cache.setSnapshot(GROUP, snapshot());
    expect(r.changed).toBe(false);
    await c.nothingFor(200);
    expect(server.counters().pushes).toBe(4);
  });

  it('pushes in make-before-break order CDS, EDS, LDS, RDS, one type in flight at a time', async () => {
    cache.setSnapshot(GROUP, snapshot());
    const c = client();
    await connectAll(c);
    cache.setSnapshot(
      GROUP,
      snapshot({
        clusters: { c1: {}, c2: { connect_timeout: { seconds: 3 } } },
        endpoints: { c1: [1001], c2: [5002] },
        weights: { c1: 1, c2: 3 },
      }),
    );
    const order: string[] = [];
    for (;;) {
      const r = await c.next().catch(() => undefined);
      if (!r) break;
      order.push(r.type_url);
      expect(c.pending).toBe(0); // nothing else was sent before this one was ACKed
      await new Promise((res) => setTimeout(res, 30));
      expect(c.pending).toBe(0);
      c.ack(r, r.type_url === CDS || r.type_url === LDS ? [] : undefined);
      if (order.length === 3) break;
    }
    expect(order).toEqual([CDS, EDS, RDS]);
  });

  it('re-sends endpoints when only their cluster changed', async () => {
    // Which endpoints each cluster reads comes from translation.
    const edsNames = { c1: 'c1', c2: 'c2' };
    cache.setSnapshot(GROUP, snapshot(), { edsNames });
    const c = client();
    const before = await connectAll(c);
    cache.setSnapshot(GROUP, snapshot({ clusters: { c1: { connect_timeout: { seconds: 7 } }, c2: {} } }), {
      edsNames,
    });
    const cds = await c.next();
    expect(cds.type_url).toBe(CDS);
    c.ack(cds, []);
    const eds = await c.next();
    expect(eds.type_url).toBe(EDS);
    expect(eds.version_info).not.toBe(before.get(EDS)!.version_info);
    expect(eds.names).toEqual(['c1', 'c2']);
  });

  it('records a NACK and does not re-send that version until the snapshot changes', async () => {
    cache.setSnapshot(GROUP, snapshot());
    const c = client();
    const good = await connectAll(c);
    const nacks: string[] = [];
    server.events.on('nack', (e) => nacks.push(e.message));
    cache.setSnapshot(GROUP, snapshot({ weights: { c1: 0, c2: 0 } }));
    const bad = await c.next();
    expect(bad.type_url).toBe(RDS);
    c.nack(bad, good.get(RDS)!.version_info, 'weighted_clusters sum of weights is 0');
    await c.nothingFor(300);
    // Re-requesting with the same nonce (e.g. a names update) does not bring it back.
    c.send({
      type_url: RDS,
      version_info: good.get(RDS)!.version_info,
      response_nonce: bad.nonce,
      resource_names: ['r1'],
    });
    await c.nothingFor(200);
    expect(nacks).toEqual(['weighted_clusters sum of weights is 0']);

    const st = server.clientStatus()[0]!.types.find((t) => t.typeUrl === RDS)!;
    expect(st.ackedVersion).toBe(good.get(RDS)!.version_info);
    expect(st.lastNack).toMatchObject({
      version: bad.version_info,
      message: 'weighted_clusters sum of weights is 0',
      code: 3,
    });
    expect(server.groupStatus().find((g) => g.group === GROUP)!.nacks[0]).toMatchObject({
      typeUrl: RDS,
      version: bad.version_info,
    });

    cache.setSnapshot(GROUP, snapshot({ weights: { c1: 1, c2: 0 } }));
    const fixed = await c.next();
    expect(fixed.type_url).toBe(RDS);
    expect(fixed.version_info).not.toBe(bad.version_info);
    c.ack(fixed);
    await vi.waitFor(() =>
      expect(server.clientStatus()[0]!.types.find((t) => t.typeUrl === RDS)!.ackedVersion).toBe(
        fixed.version_info,
      ),
    );
  });
});

describe('SotW connections', () => {
  it('serves a reconnecting proxy from current state without re-pushing what it holds', async () => {
    cache.setSnapshot(GROUP, snapshot());
    const c = client();
    const held = await connectAll(c);
    c.close();
    await vi.waitFor(() => expect(server.clientStatus()).toEqual([]));
    const pushesBefore = server.counters().pushes;

    const again = client();
    again.send({ type_url: CDS, node: envoyNode, version_info: held.get(CDS)!.version_info });
    again.send({ type_url: EDS, version_info: held.get(EDS)!.version_info, resource_names: ['c1', 'c2'] });
    again.send({ type_url: LDS, version_info: held.get(LDS)!.version_info });
    // The route changed while the proxy was away: only that is pushed.
    cache.setSnapshot(GROUP, snapshot({ weights: { c1: 2, c2: 1 } }));
    again.send({ type_url: RDS, version_info: held.get(RDS)!.version_info, resource_names: ['r1'] });
    const rds = await again.next();
    expect(rds.type_url).toBe(RDS);
    expect(rds.version_info).not.toBe(held.get(RDS)!.version_info);
    again.ack(rds);
    await again.nothingFor(200);
    expect(server.counters().pushes - pushesBefore).toBe(1);
    const st = server.clientStatus().find((s) => s.streamId !== undefined)!;
    expect(st.types.find((t) => t.typeUrl === CDS)!.ackedVersion).toBe(held.get(CDS)!.version_info);
  });

  it('keeps a proxy without a snapshot connected and waiting, then serves it', async () => {
    const c = client();
    c.send({ type_url: LDS, node: envoyNode });
    await c.nothingFor(200);
    const waiting = server.waiting();
    expect(waiting.map((w) => w.nodeId)).toEqual([NODE]);
    cache.setSnapshot(GROUP, snapshot());
    const lds = await c.next();
    expect(lds.names).toEqual(['l1']);
    expect(server.waiting()).toEqual([]);
    // Removing the group leaves the proxy with what it has, waiting again.
    cache.removeGroup(GROUP);
    await c.nothingFor(150);
    expect(server.waiting().length).toBe(1);
  });

  it('ends a stream with INVALID_ARGUMENT for a node id that is not an App Mesh resource', async () => {
    const c = client();
    c.send({ type_url: LDS, node: { id: 'sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local' } });
    const end = await c.ended;
    expect(end.code).toBe(3);
    expect(end.details).toMatch(/is not an App Mesh resource; expected mesh\/<mesh>\/virtualNode\/<name>/);
    const noNode = client();
    noNode.send({ type_url: LDS });
    expect((await noNode.ended).code).toBe(3);
  });

  it('accepts its own full ARNs and owner, grouped by the short form, and refuses others', async () => {
    cache.setSnapshot(GROUP, snapshot());
    // The server runs with the default region and account (us-west-2, 000000000000).
    const c = client();
    c.send({
      type_url: LDS,
      node: { id: `arn:aws:appmesh:us-west-2:000000000000:${NODE}`, user_agent_name: 'envoy' },
    });
    expect((await c.next()).names).toEqual(['l1']);
    const owned = client();
    owned.send({
      type_url: LDS,
      node: { id: 'mesh/mesh-1@000000000000/virtualNode/vn-1_ns', user_agent_name: 'envoy' },
    });
    expect((await owned.next()).names).toEqual(['l1']);
    expect(new Set(server.clientStatus().map((s) => s.group))).toEqual(new Set([GROUP]));
    for (const id of [
      `arn:aws:appmesh:eu-west-1:000000000000:${NODE}`,
      'mesh/mesh-1@210987654321/virtualNode/vn-1_ns',
    ]) {
      const foreign = client();
      foreign.send({ type_url: LDS, node: { id, user_agent_name: 'envoy' } });
      const end = await foreign.ended;
      expect(end.code, id).toBe(7);
      expect(foreign.received).toEqual([]);
    }
  });

  it('reports proxies over CSDS with ACKED and NACKED resources', async () => {
    cache.setSnapshot(GROUP, snapshot());
    const c = client();
    const good = await connectAll(c);
    cache.setSnapshot(GROUP, snapshot({ weights: { c1: 0, c2: 0 } }));
    const bad = await c.next();
    c.nack(bad, good.get(RDS)!.version_info, 'sum of weights is 0');
    await vi.waitFor(() =>
      expect(server.clientStatus()[0]!.types.find((t) => t.typeUrl === RDS)!.lastNack).not.toBeNull(),
    );
    const res = (await fetchClientStatus(port, { node_matchers: [{ node_id: { exact: NODE } }] })) as {
      config: { node: { id: string }; generic_xds_configs: Record<string, unknown>[] }[];
    };
    expect(res.config).toHaveLength(1);
    expect(res.config[0]!.node.id).toBe(NODE);
    const byType = (t: string) => res.config[0]!.generic_xds_configs.filter((g) => g.type_url === t);
    expect(byType(CDS).map((g) => [g.name, g.client_status, g.config_status])).toEqual([
      ['c1', 'ACKED', 'SYNCED'],
      ['c2', 'ACKED', 'SYNCED'],
    ]);
    expect(byType(CDS)[0]!.xds_config).toBeDefined();
    const rds = byType(RDS)[0]!;
    expect(rds).toMatchObject({
      name: 'r1',
      client_status: 'NACKED',
      config_status: 'ERROR',
      version_info: good.get(RDS)!.version_info,
    });
    expect(rds.error_state).toMatchObject({ details: 'sum of weights is 0', version_info: bad.version_info });
    const none = (await fetchClientStatus(port, {
      node_matchers: [{ node_id: { prefix: 'mesh/other/' } }],
    })) as { config?: unknown[] };
    expect(none.config ?? []).toHaveLength(0);
  });
});
