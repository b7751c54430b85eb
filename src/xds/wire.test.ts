import { describe, expect, it } from 'vitest';
import { messageType } from '../proto/index.js';
import { encodeDeltaResponse } from './codec.js';
import { SnapshotCache } from './snapshot-cache.js';
import { SubscriptionTable } from './subscription.js';
import { TYPE_URL } from './type-urls.js';
import { anyFieldHeader, readFields, varintSize, writeVarint } from './wire.js';

const cluster = (name: string): Uint8Array => {
  const t = messageType('envoy.config.cluster.v3.Cluster');
  return t
    .encode(t.fromObject({ name, type: 'EDS', eds_cluster_config: { service_name: `svc-${name}` } }))
    .finish();
};

describe('wire helpers', () => {
  it('writes varints the way protobuf reads them', () => {
    for (const n of [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 31 + 5, 2 ** 40]) {
      const buf = new Uint8Array(10);
      const end = writeVarint(buf, 0, n);
      expect(end).toBe(varintSize(n));
      // Field 1 varint: tag 0x08 followed by the value.
      const msg = Uint8Array.from([0x08, ...buf.subarray(0, end)]);
      expect([...readFields(msg)][0]!.varint).toBe(n);
    }
  });

  it('frames an Any around stored bytes without copying them into a new message', () => {
    const value = cluster('c1');
    const { head, anyOffset } = anyFieldHeader(2, TYPE_URL.Cluster, value.length);
    const field = Buffer.concat([head, value]);
    const res = messageType('envoy.service.discovery.v3.DiscoveryResponse').decode(field) as unknown as {
      resources: { type_url: string; value: Uint8Array }[];
    };
    expect(res.resources).toHaveLength(1);
    expect(res.resources[0]!.type_url).toBe(TYPE_URL.Cluster);
    expect(Buffer.from(res.resources[0]!.value)).toEqual(Buffer.from(value));
    expect(anyOffset).toBeGreaterThan(1);
  });

  it('rejects truncated input', () => {
    expect(() => [...readFields(Uint8Array.from([0x0a, 0x05, 0x01]))]).toThrow(/truncated/);
    expect(() => [...readFields(Uint8Array.from([0x08, 0x80]))]).toThrow(/truncated/);
  });
});

describe('response assembly from stored bytes', () => {
  const cache = new SnapshotCache();
  cache.setSnapshot('g', { [TYPE_URL.Cluster]: { c1: cluster('c1'), c2: cluster('c2'), c3: cluster('c3') } });
  const type = cache.state('g')!.type(TYPE_URL.Cluster);
  const subs = new SubscriptionTable();

  it('builds a SotW DiscoveryResponse equal to what protobufjs would encode', () => {
    const body = type.sotwBody(subs.acquire(false, ['c3', 'c1', 'missing']));
    const buf = body.response;
    const t = messageType('envoy.service.discovery.v3.DiscoveryResponse');
    const decoded = t.toObject(t.decode(buf)) as {
      version_info: string;
      type_url: string;
      nonce: string;
      resources: { value: Uint8Array }[];
    };
    expect(decoded.version_info).toBe(body.version);
    expect(decoded.type_url).toBe(TYPE_URL.Cluster);
    expect(decoded.nonce).toBe(body.nonce);
    // Another subscription's response has its own nonce.
    expect(type.sotwBody(subs.acquire(false, ['c2'])).nonce).not.toBe(body.nonce);
    const ct = messageType('envoy.config.cluster.v3.Cluster');
    expect(decoded.resources.map((r) => (ct.decode(r.value) as unknown as { name: string }).name)).toEqual([
      'c1',
      'c3',
    ]);
    // Re-encoding the decoded message with protobufjs gives the same bytes.
    expect(Buffer.from(t.encode(t.fromObject(decoded)).finish()).equals(buf)).toBe(true);
  });

  it('builds a DeltaDiscoveryResponse with versions, resources and removals', () => {
    const entries = [...type.entries.values()].slice(0, 2);
    const buf = encodeDeltaResponse(TYPE_URL.Cluster, type.version, '7', entries, ['gone-1', 'gone-2']);
    const t = messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse');
    const d = t.toObject(t.decode(buf)) as {
      system_version_info: string;
      nonce: string;
      type_url: string;
      removed_resources: string[];
      resources: { name: string; version: string; resource: { type_url: string; value: Uint8Array } }[];
    };
    expect(d.system_version_info).toBe(type.version);
    expect(d.nonce).toBe('7');
    expect(d.type_url).toBe(TYPE_URL.Cluster);
    expect(d.removed_resources).toEqual(['gone-1', 'gone-2']);
    expect(d.resources.map((r) => [r.name, r.version, r.resource.type_url])).toEqual(
      entries.map((e) => [e.name, e.wireVersion, TYPE_URL.Cluster]),
    );
    expect(Buffer.from(d.resources[0]!.resource.value)).toEqual(Buffer.from(entries[0]!.bytes));
    expect(Buffer.from(t.encode(t.fromObject(d)).finish()).equals(buf)).toBe(true);
  });
});
