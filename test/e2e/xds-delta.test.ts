/**
 * Incremental (delta) ADS against a real XdsServer on loopback, with the explicit
 * delta test client: subscribe/unsubscribe, incremental updates, removals last,
 * ACK/NACK, and resuming with initial_resource_versions.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SnapshotCache, TYPE_URL, XdsServer } from '../../src/xds/index.js';
import { DeltaClient, type DeltaResponse } from './support/ads-test-client.js';
import { apiListener, edsCluster, loadAssignment, weightedRoute } from './support/envoy-resources.js';

const NODE = 'mesh/mesh-1/virtualGateway/gw-1_ns';
const envoyNode = { id: NODE, cluster: 'gw-1_ns', user_agent_name: 'envoy' };
const { Cluster: CDS, ClusterLoadAssignment: EDS, Listener: LDS, RouteConfiguration: RDS } = TYPE_URL;

function snapshot(
  endpoints: Record<string, number[]> = { c1: [1001], c2: [1002] },
  weights: Record<string, number> = { c1: 1, c2: 1 },
): Record<string, Record<string, Uint8Array>> {
  const out: Record<string, Record<string, Uint8Array>> = { [CDS]: {}, [EDS]: {}, [LDS]: {}, [RDS]: {} };
  for (const [name, ports] of Object.entries(endpoints)) {
    out[CDS]![name] = edsCluster(name);
    out[EDS]![name] = loadAssignment(name, ports);
  }
  out[LDS]!['l1'] = apiListener('l1', 'r1');
  out[RDS]!['r1'] = weightedRoute('r1', 'l1', weights);
  return out;
}

let cache: SnapshotCache;
let server: XdsServer;
let port: number;
const clients: DeltaClient[] = [];
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function client(): DeltaClient {
  const c = new DeltaClient(port);
  clients.push(c);
  return c;
}

beforeEach(async () => {
  cache = new SnapshotCache();
  server = new XdsServer({ cache, logger: quiet });
  port = await server.listen('127.0.0.1', 0);
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.close(500);
});

const names = (r: DeltaResponse): string[] => r.resources.map((x) => x.name).sort();

async function subscribeAll(c: DeltaClient): Promise<Map<string, DeltaResponse>> {
  const got = new Map<string, DeltaResponse>();
  c.send({ type_url: CDS, node: envoyNode });
  got.set(CDS, await c.next());
  c.ack(got.get(CDS)!);
  c.send({ type_url: EDS, resource_names_subscribe: ['c1', 'c2'] });
  got.set(EDS, await c.next());
  c.ack(got.get(EDS)!);
  c.send({ type_url: LDS });
  got.set(LDS, await c.next());
  c.ack(got.get(LDS)!);
  c.send({ type_url: RDS, resource_names_subscribe: ['r1'] });
  got.set(RDS, await c.next());
  c.ack(got.get(RDS)!);
  return got;
}

describe('delta ADS', () => {
  it('subscribes, unsubscribes and sends only what changed', async () => {
    cache.setSnapshot(NODE, snapshot());
    const c = client();
    c.send({ type_url: CDS, node: envoyNode });
    const cds = await c.next();
    expect(names(cds)).toEqual(['c1', 'c2']);
    expect(cds.system_version_info).toBe(cache.getSnapshot(NODE)!.types.get(CDS)!.version);
    c.ack(cds);

    c.send({ type_url: EDS, resource_names_subscribe: ['c1'] });
    const e1 = await c.next();
    expect(names(e1)).toEqual(['c1']);
    c.ack(e1);
    c.send({ type_url: EDS, resource_names_subscribe: ['c2'] });
    const e2 = await c.next();
    expect(names(e2)).toEqual(['c2']); // only the new one, not c1 again
    c.ack(e2);

    c.send({ type_url: EDS, resource_names_unsubscribe: ['c1'] });
    await c.nothingFor(150);
    cache.setSnapshot(NODE, snapshot({ c1: [9001], c2: [1002] }));
    await c.nothingFor(200); // c1 changed, but nobody here wants it any more
    cache.setSnapshot(NODE, snapshot({ c1: [9001], c2: [9002] }));
    const e3 = await c.next();
    expect(names(e3)).toEqual(['c2']);
    expect(e3.resources[0]!.version).not.toBe(e2.resources[0]!.version);
    expect(e3.removed_resources).toEqual([]);
    c.ack(e3);
    await c.nothingFor(100);
  });

  it('removes clusters and endpoints only after the routes stop using them', async () => {
    cache.setSnapshot(NODE, snapshot());
    const c = client();
    await subscribeAll(c);
    cache.setSnapshot(NODE, snapshot({ c1: [1001] }, { c1: 1 }));
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await c.next();
      expect(c.pending).toBe(0);
      seen.push(`${r.type_url.split('.').pop()}:${names(r).join(',')}-${r.removed_resources.join(',')}`);
      c.ack(r);
    }
    expect(seen).toEqual(['RouteConfiguration:r1-', 'Cluster:-c2', 'ClusterLoadAssignment:-c2']);
    await c.nothingFor(150);
  });

  it('tells the client that a requested resource does not exist', async () => {
    cache.setSnapshot(NODE, snapshot());
    const c = client();
    c.send({ type_url: EDS, node: envoyNode, resource_names_subscribe: ['c1', 'nope'] });
    const r = await c.next();
    expect(names(r)).toEqual(['c1']);
    expect(r.removed_resources).toEqual(['nope']);
    c.ack(r);
    await c.nothingFor(100);
    // When it appears later, it is sent.
    const snap = snapshot();
    snap[EDS]!['nope'] = loadAssignment('nope', [1003]);
    cache.setSnapshot(NODE, snap);
    const later = await c.next();
    expect(names(later)).toEqual(['nope']);
  });

  it('records a NACK, keeps it from being re-sent, then ACKs a valid update', async () => {
    cache.setSnapshot(NODE, snapshot());
    const c = client();
    await subscribeAll(c);
    cache.setSnapshot(NODE, snapshot(undefined, { c1: 0, c2: 0 }));
    const bad = await c.next();
    expect(bad.type_url).toBe(RDS);
    c.nack(bad, 'sum of weights is 0');
    await c.nothingFor(300);
    const st = server.clientStatus()[0]!;
    expect(st.protocol).toBe('delta');
    const rds = st.types.find((t) => t.typeUrl === RDS)!;
    expect(rds.lastNack).toMatchObject({ message: 'sum of weights is 0', version: bad.system_version_info });
    expect(rds.resources[0]!.version).not.toBe(bad.resources[0]!.version);

    cache.setSnapshot(NODE, snapshot(undefined, { c1: 3, c2: 1 }));
    const good = await c.next();
    expect(names(good)).toEqual(['r1']);
    c.ack(good);
    await vi.waitFor(() => {
      const after = server.clientStatus()[0]!.types.find((t) => t.typeUrl === RDS)!;
      expect(after.ackedVersion).toBe(good.system_version_info);
      expect(after.resources).toEqual([{ name: 'r1', version: good.resources[0]!.version }]);
    });
  });

  it('resumes from initial_resource_versions without re-sending what the client holds', async () => {
    cache.setSnapshot(NODE, snapshot());
    const first = client();
    const held = await subscribeAll(first);
    first.close();
    cache.setSnapshot(NODE, snapshot({ c1: [1001], c2: [7002] }));

    const c = client();
    const versions = (r: DeltaResponse): Record<string, string> =>
      Object.fromEntries(r.resources.map((x) => [x.name, x.version]));
    c.send({ type_url: CDS, node: envoyNode, initial_resource_versions: versions(held.get(CDS)!) });
    c.send({
      type_url: EDS,
      resource_names_subscribe: ['c1', 'c2'],
      initial_resource_versions: versions(held.get(EDS)!),
    });
    const eds = await c.next();
    expect(eds.type_url).toBe(EDS);
    expect(names(eds)).toEqual(['c2']);
    c.ack(eds);
    await c.nothingFor(200);
  });
});
