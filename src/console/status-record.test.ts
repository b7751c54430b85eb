import { describe, expect, it } from 'vitest';
import type { ProxyStatusRow, TypeSync } from './proxy-status.js';
import {
  isProxyStatusKey,
  MAX_SHARD_BYTES,
  shardCount,
  statusRecords,
  SHARD_TARGET,
} from './status-record.js';

const synced: TypeSync = { state: 'SYNCED', ackedVersion: 'v1', sentVersion: 'v1', resources: 3 };

function row(i: number, error?: string): ProxyStatusRow {
  const rds: TypeSync = error
    ? { ...synced, state: 'NACKED', error, rejectedVersion: 'v2', rejectedAt: '2026-12-05T00:00:00.000Z' }
    : synced;
  return {
    nodeId: `mesh/m/virtualNode/node-${i}`,
    group: `mesh/m/virtualNode/node-${i}`,
    snapshotVersion: 'v1',
    replica: 'here',
    flavour: 'envoy',
    protocol: 'sotw',
    peer: '127.0.0.1:1',
    connectedSince: '2026-12-05T00:00:00.000Z',
    ageSeconds: i,
    waiting: false,
    types: { CDS: synced, LDS: synced, EDS: synced, RDS: rds, SDS: synced },
    state: error ? 'NACKED' : 'SYNCED',
  };
}

const rows = (n: number, error?: string) => Array.from({ length: n }, (_, i) => row(i, error));

describe('statusRecords', () => {
  it('publishes nothing without proxies, one record for a few, keyed by instance and shard', () => {
    expect(statusRecords([], 'r', 'i').size).toBe(0);
    const one = statusRecords(rows(3), 'replica-a', 'inst');
    expect([...one.keys()]).toEqual(['ProxyStatus/_/inst.0']);
    expect(isProxyStatusKey('ProxyStatus/_/inst.0')).toBe(true);
    expect(isProxyStatusKey('VirtualNode/_/x')).toBe(false);
    const { record, text } = one.get('ProxyStatus/_/inst.0')!;
    expect(text).toBe(JSON.stringify(record));
    expect(record).toMatchObject({ replica: 'replica-a', instance: 'inst', shard: 0, shards: 1 });
    // The age changes every second: it is the reader's to compute, so an idle replica writes nothing.
    expect(record.proxies[0]).not.toHaveProperty('ageSeconds');
    expect(record.proxies[0]).not.toHaveProperty('replica');
  });

  it('10,000 proxies with long NACK messages: every shard under the size limit, none lost', () => {
    const many = rows(10_000, 'x'.repeat(5_000));
    const records = statusRecords(many, 'r', 'i');
    expect(records.size).toBe(shardCount(10_000));
    expect(records.size).toBeGreaterThanOrEqual(10_000 / SHARD_TARGET);
    let total = 0;
    for (const { record: r, text } of records.values()) {
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_SHARD_BYTES);
      expect(r.omitted ?? 0).toBe(0);
      total += r.proxies.length;
      // The message is cut; the proxy's own replica keeps all of it.
      expect(r.proxies[0]!.types.RDS.error!.length).toBeLessThan(1_100);
    }
    expect(total).toBe(10_000);
  });

  it('a change to one proxy changes one shard only', () => {
    const before = statusRecords(rows(1_000), 'r', 'i');
    const changed = rows(1_000);
    changed[17] = row(17, 'rejected');
    const after = statusRecords(changed, 'r', 'i');
    const differ = [...after].filter(([k, v]) => before.get(k)?.text !== v.text);
    expect(after.size).toBe(before.size);
    expect(after.size).toBeGreaterThan(1);
    expect(differ).toHaveLength(1);
  });

  it('a shard that cannot fit drops its last rows and says how many', () => {
    // 200 rows in one shard, each with five 1 KiB messages, still fits; make rows huge another way.
    const fat = rows(200).map((r) => ({ ...r, nodeId: `${r.nodeId}-${'n'.repeat(4_000)}` }));
    const shards = [...statusRecords(fat, 'r', 'i').values()];
    expect(shards).toHaveLength(1);
    const { record, text } = shards[0]!;
    expect(text).toBe(JSON.stringify(record));
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_SHARD_BYTES);
    expect(record!.omitted).toBeGreaterThan(0);
    expect(record!.proxies.length + record!.omitted!).toBe(200);
  });
});
