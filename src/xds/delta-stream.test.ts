/**
 * The incremental (delta) state machine, one protocol rule per test, in process and
 * deterministic. Rules: xDS protocol, "Incremental xDS"; order after Consul's
 * make-before-break sequence (upserts first, cluster and endpoint removals last).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { DeltaDiscoveryRequestMsg } from './codec.js';
import { DeltaStream } from './delta-stream.js';
import { EMPTY_VERSION } from './hash.js';
import { NonceSource } from './protocol.js';
import { FakeGroup, FakeHost, deltaRequest as req, res, type SentDelta } from './protocol.testkit.js';
import { TYPE_URL } from './type-urls.js';

const { Cluster: CDS, ClusterLoadAssignment: EDS, Listener: LDS, RouteConfiguration: RDS } = TYPE_URL;

let host: FakeHost;
let group: FakeGroup;
let stream: DeltaStream;

function snapshot(v: { c?: number; l?: number; clusters?: string[]; listeners?: string[] } = {}): void {
  const clusters = v.clusters ?? ['c1', 'c2'];
  group.set(
    {
      [CDS]: Object.fromEntries(clusters.map((n) => [n, res.cluster(n, v.c ?? 1)])),
      [EDS]: Object.fromEntries(clusters.map((n) => [n, res.cla(n)])),
      [LDS]: Object.fromEntries((v.listeners ?? ['l1']).map((n) => [n, res.listener(n, v.l ?? 1)])),
      [RDS]: { r1: res.route('r1') },
    },
    { edsNames: Object.fromEntries(clusters.map((n) => [n, n])) },
  );
}

const flush = (): void => stream.flush(group.view);

function send(r: Partial<DeltaDiscoveryRequestMsg> & { typeUrl: string }): SentDelta[] {
  stream.onRequest(req(r));
  flush();
  return host.takeDelta();
}

const ack = (r: SentDelta): SentDelta[] => send({ typeUrl: r.typeUrl, responseNonce: r.nonce });
const names = (r: SentDelta | undefined): string[] => r?.resources.map((x) => x.name) ?? [];

beforeEach(() => {
  host = new FakeHost();
  group = new FakeGroup();
  stream = new DeltaStream(host, new NonceSource(), 100);
  snapshot();
});

describe('delta subscriptions', () => {
  it('takes a first request without names as a wildcard and sends every resource with its version', () => {
    const [cds] = send({ typeUrl: CDS });
    expect(names(cds)).toEqual(['c1', 'c2']);
    expect(cds!.resources[0]!.version).toBe(group.view!.type(CDS).resources.get('c1')!.wireVersion);
    expect(cds!.systemVersion).toBe(group.view!.type(CDS).version);
    ack(cds!);
    snapshot({ clusters: ['c1', 'c2', 'c3'] });
    flush();
    expect(names(host.takeDelta()[0])).toEqual(['c3']); // only the difference
  });

  it('serves named subscriptions, says at once which names do not exist, and grows and shrinks', () => {
    const [eds] = send({ typeUrl: EDS, subscribe: ['c1', 'missing'] });
    expect(names(eds)).toEqual(['c1']);
    expect(eds!.removed).toEqual(['missing']);
    expect(ack(eds!)).toEqual([]);
    const [more] = send({ typeUrl: EDS, subscribe: ['c2'] });
    expect(names(more)).toEqual(['c2']);
    ack(more!);
    // An unsubscribed name is forgotten on both sides: its later removal is not sent.
    expect(send({ typeUrl: EDS, unsubscribe: ['c2'] })).toEqual([]);
    snapshot({ clusters: ['c1'] });
    flush();
    expect(host.takeDelta()).toEqual([]);
    expect(stream.typeStatuses()[0]!.names).toEqual(['c1', 'missing']);
  });

  it('leaves the wildcard on unsubscribe "*" and forgets what is no longer subscribed', () => {
    const [cds] = send({ typeUrl: CDS });
    ack(cds!);
    send({ typeUrl: CDS, subscribe: ['c1'], unsubscribe: ['*'] });
    snapshot({ clusters: ['c1'] });
    flush();
    expect(host.takeDelta()).toEqual([]); // c2 was dropped with the wildcard, so its removal is not news
    expect(stream.typeStatuses()[0]!.resources.map((r) => r.name)).toEqual(['c1']);
  });

  it('sends nothing for what the client already holds at the current version (initial_resource_versions)', () => {
    const current = group.view!.type(LDS).resources.get('l1')!.wireVersion;
    expect(send({ typeUrl: LDS, initialResourceVersions: new Map([['l1', current]]) })).toEqual([]);
    const other = new DeltaStream(host, new NonceSource(), 100);
    other.onRequest(req({ typeUrl: LDS, initialResourceVersions: new Map([['l1', 'old']]) }));
    other.flush(group.view);
    expect(host.takeDelta().map(names)).toEqual([['l1']]);
  });

  it('removes a held resource that is gone, and a removal is ACKed like an update', () => {
    const [lds] = send({ typeUrl: LDS });
    ack(lds!);
    snapshot({ listeners: [] });
    flush();
    const [removal] = host.takeDelta();
    expect(removal).toMatchObject({ typeUrl: LDS, resources: [], removed: ['l1'] });
    expect(ack(removal!)).toEqual([]);
    expect(stream.typeStatuses()[0]!.resources).toEqual([]);
  });
});

describe('delta ACKs, NACKs and order', () => {
  function subscribeAll(): void {
    for (const t of [RDS, LDS, EDS, CDS]) stream.onRequest(req({ typeUrl: t }));
  }

  it('sends upserts in push order, one response in flight at a time', () => {
    subscribeAll();
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      flush();
      const out = host.takeDelta();
      expect(out).toHaveLength(1);
      order.push(out[0]!.typeUrl);
      flush();
      expect(host.takeDelta()).toEqual([]); // held back until the ACK
      stream.onRequest(req({ typeUrl: out[0]!.typeUrl, responseNonce: out[0]!.nonce }));
    }
    expect(order).toEqual([CDS, EDS, LDS, RDS]);
    expect(host.acks.map((a) => a.typeUrl)).toEqual([CDS, EDS, LDS, RDS]);
  });

  it('removes clusters and endpoints only after listeners and routes changed (make before break)', () => {
    subscribeAll();
    for (let i = 0; i < 4; i++) {
      flush();
      const [r] = host.takeDelta();
      stream.onRequest(req({ typeUrl: r!.typeUrl, responseNonce: r!.nonce }));
    }
    snapshot({ clusters: ['c1'], l: 2 });
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      flush();
      const [r] = host.takeDelta();
      if (!r) break;
      order.push(`${r.typeUrl.split('.').at(-1)} +${names(r).join(',')} -${r.removed.join(',')}`);
      stream.onRequest(req({ typeUrl: r.typeUrl, responseNonce: r.nonce }));
    }
    expect(order).toEqual(['Listener +l1 -', 'Cluster + -c2', 'ClusterLoadAssignment + -c2']);
  });

  it('counts a response in flight until its ACK, or until it is given up on', () => {
    const [cds] = send({ typeUrl: CDS });
    expect(stream.inFlight()).toBe(1);
    ack(cds!);
    expect(stream.inFlight()).toBe(0);
    snapshot({ c: 2 });
    flush();
    expect(host.takeDelta()).toHaveLength(1);
    expect(stream.inFlight()).toBe(1);
    expect(stream.expireAcks(host.clock + 60_000, 30_000)).toBe(true);
    expect(stream.inFlight()).toBe(0);
  });

  it('ignores an ACK whose nonce is not the one in flight', () => {
    const [cds] = send({ typeUrl: CDS });
    stream.onRequest(req({ typeUrl: CDS, responseNonce: 'not-it' }));
    expect(host.acks).toEqual([]);
    expect(stream.typeStatuses()[0]!.pendingAck).toBe(true);
    ack(cds!);
    expect(host.acks).toHaveLength(1);
  });

  it('keeps a NACKed version from being re-sent until it changes, and keeps what the client held', () => {
    const [first] = send({ typeUrl: LDS });
    ack(first!);
    snapshot({ l: 2 });
    flush();
    const [bad] = host.takeDelta();
    expect(
      send({ typeUrl: LDS, responseNonce: bad!.nonce, errorDetail: { code: 3, message: 'no' } }),
    ).toEqual([]);
    expect(host.nacks).toEqual([{ typeUrl: LDS, version: bad!.systemVersion, message: 'no', code: 3 }]);
    const status = stream.typeStatuses()[0]!;
    expect(status.resources).toEqual([{ name: 'l1', version: first!.resources[0]!.version }]);
    expect(status.lastNack).toMatchObject({ message: 'no' });
    snapshot({ l: 3 });
    flush();
    expect(names(host.takeDelta()[0])).toEqual(['l1']);
  });

  it('does not retry a removal the client refused', () => {
    const [lds] = send({ typeUrl: LDS });
    ack(lds!);
    snapshot({ listeners: [] });
    flush();
    const [removal] = host.takeDelta();
    send({ typeUrl: LDS, responseNonce: removal!.nonce, errorDetail: { code: 3, message: 'in use' } });
    flush();
    expect(host.takeDelta()).toEqual([]);
  });

  it('stops waiting for an unanswered response after the ACK timeout, without re-sending it', () => {
    subscribeAll();
    flush();
    host.takeDelta();
    expect(stream.expireAcks(host.clock + 10, 5000)).toBe(false);
    expect(stream.expireAcks(host.clock + 6000, 5000)).toBe(true);
    flush();
    expect(host.takeDelta().map((r) => r.typeUrl)).toEqual([EDS]);
  });
});

describe('delta limits and unserved types', () => {
  it('says the names of an unserved type do not exist, answers a first wildcard, and keeps nothing', () => {
    const url = 'type.googleapis.com/not.served.Type';
    const [named] = send({ typeUrl: url, subscribe: ['b', 'a'] });
    expect(named).toMatchObject({
      typeUrl: url,
      systemVersion: EMPTY_VERSION,
      resources: [],
      removed: ['a', 'b'],
    });
    expect(send({ typeUrl: url, responseNonce: named!.nonce })).toEqual([]);
    expect(send({ typeUrl: 'type.googleapis.com/other' })).toHaveLength(1);
    expect(stream.typeStatuses()).toEqual([]);
  });

  it('ends the stream when its names, all types together, pass the limit', () => {
    const small = new DeltaStream(host, new NonceSource(), 3);
    small.onRequest(req({ typeUrl: EDS, subscribe: ['a', 'b', 'a'] }));
    small.onRequest(req({ typeUrl: CDS, subscribe: ['c'] }));
    small.onRequest(req({ typeUrl: CDS, unsubscribe: ['c'] }));
    small.onRequest(req({ typeUrl: CDS, subscribe: ['d'] }));
    expect(host.limits).toEqual([]);
    small.onRequest(req({ typeUrl: RDS, subscribe: ['e'] }));
    expect(host.limits).toEqual([
      'the stream subscribes to more than the 3 resource names allowed (maxNamesPerStream)',
    ]);
  });
});
