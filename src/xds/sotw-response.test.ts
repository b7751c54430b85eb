import { describe, expect, it } from 'vitest';
import { messageType } from '../proto/index.js';
import { SnapshotCache } from './snapshot-cache.js';
import { sotwResponse } from './sotw-response.js';
import { SubscriptionTable } from './subscription.js';
import { TYPE_URL } from './type-urls.js';

const CDS = TYPE_URL.Cluster;
const clusterType = messageType('envoy.config.cluster.v3.Cluster');
const cluster = (name: string): Uint8Array => clusterType.encode(clusterType.fromObject({ name })).finish();

describe('SotW responses', () => {
  const cache = new SnapshotCache();
  cache.setSnapshot('g', { [CDS]: { a: cluster('a'), b: cluster('b') } });
  const t = cache.state('g')!.type(CDS);
  const subs = new SubscriptionTable();

  it('are shared by every stream with the same subscription, and built anew for a new snapshot', () => {
    const one = subs.acquire(false, ['a']);
    const r = sotwResponse(t, one);
    expect(sotwResponse(t, subs.acquire(false, ['a']))).toBe(r);
    expect(subs.acquire(false, ['a'])).toBe(one);
    cache.setSnapshot('g', { [CDS]: { a: cluster('a'), b: cluster('b'), c: cluster('c') } });
    const next = sotwResponse(cache.state('g')!.type(CDS), one);
    expect(next).not.toBe(r);
    expect(next.nonce).not.toBe(r.nonce);
    expect(next.version).toBe(r.version); // the same content under a new nonce
  });

  it('carry the type version for a wildcard and a hash of the named pairs otherwise', () => {
    expect(sotwResponse(t, subs.acquire(true, [])).version).toBe(t.version);
    expect(sotwResponse(t, subs.acquire(false, ['b', 'a'])).version).toBe(t.version); // naming everything = everything
    const one = sotwResponse(t, subs.acquire(false, ['a', 'missing']));
    expect(one.version).not.toBe(t.version);
    expect(one.names).toEqual(['a']);
    expect(one.versions).toEqual([t.resources.get('a')!.wireVersion]);
  });

  it('decode as the DiscoveryResponse they stand for', () => {
    const r = sotwResponse(t, subs.acquire(true, []));
    const decoded = messageType('envoy.service.discovery.v3.DiscoveryResponse').decode(
      r.bytes,
    ) as unknown as {
      version_info: string;
      type_url: string;
      nonce: string;
      resources: { type_url: string; value: Uint8Array }[];
    };
    expect(decoded).toMatchObject({ version_info: t.version, type_url: CDS, nonce: r.nonce });
    expect(
      decoded.resources.map((a) => (clusterType.decode(a.value) as unknown as { name: string }).name),
    ).toEqual(['a', 'b']);
  });

  it('keep no body past the turn it was sent in; one encoded again is the same bytes', async () => {
    const r = sotwResponse(t, subs.acquire(true, []));
    const first = r.bytes;
    expect(r.bytes).toBe(first); // the streams flushed in one turn share one body
    await new Promise((resolve) => setImmediate(resolve));
    const again = r.bytes;
    expect(again).not.toBe(first);
    expect(again.equals(first)).toBe(true);
  });

  it('are lent in one reused buffer to writers that copy them at once, the same bytes', async () => {
    await new Promise((resolve) => setImmediate(resolve)); // a turn of its own
    const all = sotwResponse(t, subs.acquire(true, []));
    const a = sotwResponse(t, subs.acquire(false, ['a']));
    const lentAll = all.lentBytes();
    const copy = Buffer.from(lentAll);
    expect(all.lentBytes()).toBe(lentAll); // the next stream of the group: not encoded again
    const lentA = a.lentBytes();
    expect(lentA.buffer).toBe(lentAll.buffer); // the same scratch, overwritten
    expect(Buffer.from(lentA).equals(a.bytes)).toBe(true);
    expect(copy.equals(all.bytes)).toBe(true);
  });

  it('are allocated, and shared, when lent again in the same turn after another', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    const all = sotwResponse(t, subs.acquire(true, []));
    const a = sotwResponse(t, subs.acquire(false, ['a']));
    const scratch = all.lentBytes().buffer;
    a.lentBytes();
    const again = all.lentBytes();
    expect(again.buffer).not.toBe(scratch);
    expect(all.lentBytes()).toBe(again);
    expect(all.bytes).toBe(again);
    await new Promise((resolve) => setImmediate(resolve));
    expect(all.lentBytes().buffer).toBe(scratch); // a new turn lends again
  });

  it('are not lent past 1 MiB: such a body is allocated', () => {
    const big = new SnapshotCache();
    big.setSnapshot('g', { [CDS]: { a: cluster('a'.repeat(1 << 20)) } });
    const r = sotwResponse(big.state('g')!.type(CDS), subs.acquire(true, []));
    const small = sotwResponse(t, subs.acquire(true, [])).lentBytes();
    const body = r.lentBytes();
    expect(body.length).toBeGreaterThan(1 << 20);
    expect(body.buffer).not.toBe(small.buffer);
    expect(r.bytes).toBe(body);
  });
});
