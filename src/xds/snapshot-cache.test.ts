import { describe, expect, it } from 'vitest';
import { messageType } from '../proto/index.js';
import {
  edsServiceNameOf,
  SnapshotCache,
  type GroupChange,
  type ResourceBytesInput,
} from './snapshot-cache.js';
import { SubscriptionTable } from './subscription.js';
import { TYPE_URL } from './type-urls.js';

const { Cluster: CDS, ClusterLoadAssignment: EDS, Listener: LDS } = TYPE_URL;

function cluster(name: string, extra: Record<string, unknown> = {}): Uint8Array {
  const t = messageType('envoy.config.cluster.v3.Cluster');
  return t
    .encode(t.fromObject({ name, type: 'EDS', eds_cluster_config: { eds_config: { ads: {} } }, ...extra }))
    .finish();
}
function cla(name: string, port: number): Uint8Array {
  const t = messageType('envoy.config.endpoint.v3.ClusterLoadAssignment');
  return t
    .encode(
      t.fromObject({
        cluster_name: name,
        endpoints: [
          {
            lb_endpoints: [
              { endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: port } } } },
            ],
          },
        ],
      }),
    )
    .finish();
}
function listener(name: string): Uint8Array {
  const t = messageType('envoy.config.listener.v3.Listener');
  return t.encode(t.fromObject({ name })).finish();
}

describe('SnapshotCache', () => {
  it('versions resources and types by content and reports unchanged content as unchanged', () => {
    const cache = new SnapshotCache();
    const changes: GroupChange[] = [];
    cache.subscribe('g', (c) => changes.push(c));
    const r1 = cache.setSnapshot('g', {
      [CDS]: { a: cluster('a'), b: cluster('b') },
      [LDS]: { l: listener('l') },
    });
    expect(r1.changed).toBe(true);
    expect(r1.changedTypes).toEqual([CDS, LDS]);
    const snap = cache.getSnapshot('g')!;
    expect(snap.types.get(CDS)!.version).toMatch(/^[0-9a-f]{16}$/);
    expect(snap.types.get(CDS)!.resources.get('a')!.version).toMatch(/^[0-9a-f]{16}$/);

    // Fresh but identical bytes: nothing changes, nobody is told.
    const input = new Map<string, ResourceBytesInput>([
      [
        CDS,
        new Map([
          ['b', cluster('b')],
          ['a', cluster('a')],
        ]),
      ],
      [LDS, { l: listener('l') }],
    ]);
    const r2 = cache.setSnapshot('g', input);
    expect(r2).toEqual({ changed: false, version: r1.version, changedTypes: [] });
    expect(changes).toHaveLength(1);

    const r3 = cache.setSnapshot('g', {
      [CDS]: { a: cluster('a', { connect_timeout: { seconds: 2 } }), b: cluster('b') },
      [LDS]: { l: listener('l') },
    });
    expect(r3.changedTypes).toEqual([CDS]);
    expect(cache.getSnapshot('g')!.types.get(LDS)).toBe(snap.types.get(LDS)); // untouched type kept as is
    expect(changes.map((c) => c.changedTypes)).toEqual([[CDS, LDS], [CDS]]);
  });

  it('treats a missing type as empty and notices when a type goes away', () => {
    const cache = new SnapshotCache();
    cache.setSnapshot('g', { [LDS]: { l: listener('l') } });
    expect(cache.setSnapshot('g', { [LDS]: { l: listener('l') }, [CDS]: {} }).changed).toBe(false);
    const r = cache.setSnapshot('g', {});
    expect(r.changedTypes).toEqual([LDS]);
    expect(cache.state('g')!.type(LDS).entries.size).toBe(0);
  });

  it('folds cluster versions into their endpoints so a cluster change re-sends endpoints', () => {
    const cache = new SnapshotCache();
    cache.setSnapshot('g', {
      [CDS]: { a: cluster('a') },
      [EDS]: { a: cla('a', 80), other: cla('other', 81) },
    });
    const before = cache.getSnapshot('g')!.types.get(EDS)!;
    const r = cache.setSnapshot('g', {
      [CDS]: { a: cluster('a', { connect_timeout: { seconds: 9 } }) },
      [EDS]: { a: cla('a', 80), other: cla('other', 81) },
    });
    expect(r.changedTypes).toEqual([CDS, EDS]);
    const after = cache.getSnapshot('g')!.types.get(EDS)!;
    expect(after.resources.get('a')!.version).toBe(before.resources.get('a')!.version); // same content...
    expect(after.version).not.toBe(before.version); // ...but a new wire version for the type
    const sub = new SubscriptionTable().acquire(false, ['other']);
    expect(cache.state('g')!.type(EDS).sotwBody(sub).version).toBe(
      (() => {
        const c2 = new SnapshotCache();
        c2.setSnapshot('g', { [EDS]: { other: cla('other', 81) } });
        return c2.state('g')!.type(EDS).sotwBody(sub).version;
      })(),
    ); // a CLA no cluster uses is unaffected
  });

  it('finds the ClusterLoadAssignment an EDS cluster asks for', () => {
    expect(edsServiceNameOf('a', cluster('a'))).toBe('a');
    expect(edsServiceNameOf('a', cluster('a', { eds_cluster_config: { service_name: 'svc-a' } }))).toBe(
      'svc-a',
    );
    const t = messageType('envoy.config.cluster.v3.Cluster');
    expect(
      edsServiceNameOf('s', t.encode(t.fromObject({ name: 's', type: 'STRICT_DNS' })).finish()),
    ).toBeUndefined();
    expect(edsServiceNameOf('x', Uint8Array.from([0x0a, 0x09]))).toBeUndefined();
  });

  it('updates endpoints through the fast path without touching other types', () => {
    const cache = new SnapshotCache();
    expect(() => cache.setEndpoints('g', { a: cla('a', 1) })).toThrow(/no snapshot yet/);
    cache.setSnapshot('g', {
      [CDS]: { a: cluster('a') },
      [EDS]: { a: cla('a', 80), b: cla('b', 80) },
      [LDS]: { l: listener('l') },
    });
    const cds = cache.getSnapshot('g')!.types.get(CDS);
    const r = cache.setEndpoints(
      'g',
      new Map([
        ['a', cla('a', 90)],
        ['b', null],
      ]),
    );
    expect(r.changedTypes).toEqual([EDS]);
    const snap = cache.getSnapshot('g')!;
    expect(snap.types.get(CDS)).toBe(cds);
    expect([...snap.types.get(EDS)!.resources.keys()]).toEqual(['a']);
    expect(cache.setEndpoints('g', { a: cla('a', 90) }).changed).toBe(false);
  });

  it('shares one response body per subscription and hashes named subsets', () => {
    const cache = new SnapshotCache();
    cache.setSnapshot('g', { [CDS]: { a: cluster('a'), b: cluster('b') } });
    const t = cache.state('g')!.type(CDS);
    const subs = new SubscriptionTable();
    const all = subs.acquire(true, []);
    const both = subs.acquire(false, ['b', 'a']);
    const one = subs.acquire(false, ['a']);
    expect(t.sotwBody(all).version).toBe(t.version);
    expect(t.sotwBody(both).version).toBe(t.version); // naming everything = everything
    expect(t.sotwBody(one).version).not.toBe(t.version);
    expect(t.sotwBody(one)).toBe(t.sotwBody(subs.acquire(false, ['a'])));
    expect(subs.acquire(false, ['a'])).toBe(one);
  });

  it('removes groups and tells listeners', () => {
    const cache = new SnapshotCache();
    const seen: GroupChange[] = [];
    const off = cache.subscribeAll((c) => seen.push(c));
    cache.setSnapshot('g', { [LDS]: { l: listener('l') } });
    expect(cache.groups()).toEqual(['g']);
    expect(cache.removeGroup('g')).toBe(true);
    expect(cache.removeGroup('g')).toBe(false);
    expect(cache.getSnapshot('g')).toBeUndefined();
    expect(seen.map((c) => c.removed)).toEqual([false, true]);
    off();
    cache.setSnapshot('h', {});
    expect(seen).toHaveLength(2);
  });

  it('rejects non-byte resources', () => {
    const cache = new SnapshotCache();
    expect(() => cache.setSnapshot('g', { [LDS]: { l: 'not bytes' as unknown as Uint8Array } })).toThrow(
      /must be a Uint8Array/,
    );
  });
});
