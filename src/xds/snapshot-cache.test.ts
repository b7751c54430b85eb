import { describe, expect, it } from 'vitest';
import { ByteParts, NamedBytes, messageType } from '../proto/index.js';
import { SnapshotCache, type GroupChange, type ResourceBytesInput } from './snapshot-cache.js';
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
  it('takes a type as NamedBytes (two arrays) as it takes the same entries in a Map', () => {
    const a = new SnapshotCache({ now: () => 0 });
    const b = new SnapshotCache({ now: () => 0 });
    const names = ['c2', 'c1'];
    const bytes = [cluster('c2'), cluster('c1')];
    a.setSnapshot('g', { [CDS]: new NamedBytes(names, bytes) });
    b.setSnapshot('g', {
      [CDS]: new Map([
        ['c2', bytes[0]!],
        ['c1', bytes[1]!],
      ]),
    });
    const [ta, tb] = [a.getSnapshot('g')!.type(CDS), b.getSnapshot('g')!.type(CDS)];
    expect(ta.version).toBe(tb.version);
    expect(ta.sortedNames).toEqual(['c1', 'c2']);
    expect([...ta.resources.keys()]).toEqual([...tb.resources.keys()]);
    for (const n of names) expect(ta.resources.get(n)?.any).toEqual(tb.resources.get(n)?.any);
  });

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
    expect(cache.state('g')!.type(LDS).resources.size).toBe(0);
  });

  it('folds cluster versions into their endpoints, as translation names them, so a cluster change re-sends endpoints', () => {
    const cache = new SnapshotCache();
    const edsNames = { a: 'a', b: 'svc-b' };
    const clusters = (timeout: number) => ({
      a: cluster('a', { connect_timeout: { seconds: timeout } }),
      b: cluster('b', { eds_cluster_config: { service_name: 'svc-b' } }),
      dns: cluster('dns', { type: 'STRICT_DNS' }),
    });
    const endpoints = { a: cla('a', 80), 'svc-b': cla('svc-b', 80), other: cla('other', 81) };
    cache.setSnapshot('g', { [CDS]: clusters(1), [EDS]: endpoints }, { edsNames });
    const before = cache.getSnapshot('g')!.types.get(EDS)!;
    const wire = (name: string) => cache.getSnapshot('g')!.types.get(EDS)!.resources.get(name)!.wireVersion;
    expect(wire('a')).not.toBe(before.resources.get('a')!.version);
    expect(wire('svc-b')).not.toBe(before.resources.get('svc-b')!.version);
    expect(wire('other')).toBe(before.resources.get('other')!.version); // no cluster uses it

    const r = cache.setSnapshot('g', { [CDS]: clusters(9), [EDS]: endpoints }, { edsNames });
    expect(r.changedTypes).toEqual([CDS, EDS]);
    const after = cache.getSnapshot('g')!.types.get(EDS)!;
    expect(after.resources.get('a')!.version).toBe(before.resources.get('a')!.version); // same content...
    expect(after.resources.get('a')!.wireVersion).not.toBe(before.resources.get('a')!.wireVersion);
    expect(after.version).not.toBe(before.version); // ...but a new wire version for the type
    expect(after.resources.get('svc-b')).toBe(before.resources.get('svc-b'));

    // What translation says decides, not what the cluster bytes say: without the names nothing folds.
    const plain = new SnapshotCache();
    plain.setSnapshot('g', { [CDS]: clusters(1), [EDS]: endpoints });
    const pe = plain.getSnapshot('g')!.types.get(EDS)!.resources.get('a')!;
    expect(pe.wireVersion).toBe(pe.version);
    // A change of the names alone re-folds.
    expect(
      plain.setSnapshot('g', { [CDS]: clusters(1), [EDS]: endpoints }, { edsNames }).changedTypes,
    ).toEqual([EDS]);
  });

  it('takes a type given as the same map as last time as it was, and never writes to a stored map', () => {
    const cache = new SnapshotCache();
    const edsNames = new Map([['a', 'a']]);
    const endpoints = new Map([['a', cla('a', 80)]]);
    const clusters1 = new Map([['a', cluster('a')]]);
    cache.setSnapshot(
      'g',
      new Map([
        [CDS, clusters1],
        [EDS, endpoints],
      ]),
      { edsNames },
    );
    const first = cache.getSnapshot('g')!;
    const storedEds = first.types.get(EDS)!.resources;
    const wireBefore = storedEds.get('a')!.wireVersion;

    // The clusters change, the endpoints map is the one given before: its wire version is folded again...
    const clusters2 = new Map([['a', cluster('a', { connect_timeout: { seconds: 7 } })]]);
    const r = cache.setSnapshot(
      'g',
      new Map([
        [CDS, clusters2],
        [EDS, endpoints],
      ]),
      { edsNames },
    );
    expect(r.changedTypes).toEqual([CDS, EDS]);
    const second = cache.getSnapshot('g')!;
    expect(second.types.get(EDS)!.resources.get('a')!.wireVersion).not.toBe(wireBefore);
    // ...into a map of its own: the first snapshot, which streams may still read, is as it was.
    expect(storedEds.get('a')!.wireVersion).toBe(wireBefore);
    expect(first.types.get(EDS)!.resources).toBe(storedEds);

    // Both maps given again: nothing changed, and the types are the very same states.
    const again = cache.setSnapshot(
      'g',
      new Map([
        [CDS, clusters2],
        [EDS, endpoints],
      ]),
      { edsNames },
    );
    expect(again.changed).toBe(false);
    expect(cache.getSnapshot('g')!.types.get(CDS)).toBe(second.types.get(CDS));
    expect(cache.getSnapshot('g')!.types.get(EDS)).toBe(second.types.get(EDS));
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

  it('says which groups have listeners of their own (connected proxies), not counting listeners of all', () => {
    const cache = new SnapshotCache();
    cache.subscribeAll(() => {});
    expect(cache.watched('g')).toBe(false);
    const off = cache.subscribe('g', () => {});
    const off2 = cache.subscribe('g', () => {});
    expect([cache.watched('g'), cache.watched('h')]).toEqual([true, false]);
    off();
    expect(cache.watched('g')).toBe(true);
    off2();
    expect(cache.watched('g')).toBe(false);
  });

  it('rejects non-byte resources', () => {
    const cache = new SnapshotCache();
    expect(() => cache.setSnapshot('g', { [LDS]: { l: 'not bytes' as unknown as Uint8Array } })).toThrow(
      /must be a Uint8Array or ByteParts/,
    );
  });

  it('stores a resource given in parts as the same resource in one piece: same Any, same version', () => {
    const whole = new SnapshotCache();
    const inParts = new SnapshotCache();
    const a = cluster('a', { connect_timeout: { seconds: 2 } });
    const parts = new ByteParts([a.subarray(0, 3), a.subarray(3, 10), a.subarray(10)]);
    whole.setSnapshot('g', { [CDS]: { a } });
    const r = inParts.setSnapshot('g', { [CDS]: { a: parts } });
    const [x, y] = [whole, inParts].map((c) => c.getSnapshot('g')!.types.get(CDS)!.resources.get('a')!);
    expect(y!.any.equals(x!.any)).toBe(true);
    expect(Buffer.from(y!.bytes).equals(Buffer.from(a))).toBe(true);
    expect(y!.version).toBe(x!.version);
    expect(r.version).toBe(whole.getSnapshot('g')!.version);
    // The bytes again, in one piece: unchanged.
    expect(
      inParts.setSnapshot('g', { [CDS]: { a: cluster('a', { connect_timeout: { seconds: 2 } }) } }).changed,
    ).toBe(false);
  });
});
