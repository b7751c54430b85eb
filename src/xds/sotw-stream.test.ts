/**
 * The state-of-the-world state machine, one protocol rule per test, in process and
 * deterministic (requests, flushes and the clock are the test's). Rules: xDS
 * protocol, "ACK/NACK and versioning", "How the client specifies what resources to
 * return", "Eventual consistency considerations".
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { EMPTY_VERSION } from './hash.js';
import { NonceSource } from './protocol.js';
import { FakeGroup, FakeHost, res, sotwRequest as req, type SentSotw } from './protocol.testkit.js';
import { SotwStream } from './sotw-stream.js';
import { SubscriptionTable } from './subscription.js';
import { TYPE_URL } from './type-urls.js';

const { Cluster: CDS, ClusterLoadAssignment: EDS, Listener: LDS, RouteConfiguration: RDS } = TYPE_URL;

let host: FakeHost;
let group: FakeGroup;
let subs: SubscriptionTable;
let stream: SotwStream;

function snapshot(v: { c?: number; e?: number; l?: number; r?: number; clusters?: string[] } = {}): void {
  const clusters = v.clusters ?? ['c1', 'c2'];
  group.set(
    {
      [CDS]: Object.fromEntries(clusters.map((n) => [n, res.cluster(n, v.c ?? 1)])),
      [EDS]: Object.fromEntries(clusters.map((n) => [n, res.cla(n, v.e ?? 1)])),
      [LDS]: { l1: res.listener('l1', v.l ?? 1) },
      [RDS]: { r1: res.route('r1', v.r ?? 1) },
    },
    { edsNames: Object.fromEntries(clusters.map((n) => [n, n])) },
  );
}

const flush = (): void => stream.flush(group.view);

/** The client ACKs `r`, keeping `names`. */
function answer(r: SentSotw, names: string[]): void {
  stream.onRequest(
    req({ typeUrl: r.typeUrl, resourceNames: names, versionInfo: r.version, responseNonce: r.nonce }),
  );
}

beforeEach(() => {
  host = new FakeHost();
  group = new FakeGroup();
  subs = new SubscriptionTable();
  stream = new SotwStream(host, subs, new NonceSource(), 100);
  snapshot();
});

/** Subscribes to one type (wildcard unless names are given), flushes, returns the response. */
function subscribe(typeUrl: string, names: string[] = [], versionInfo = '') {
  stream.onRequest(req({ typeUrl, resourceNames: names, versionInfo }));
  flush();
  return host.takeSotw();
}

describe('SotW versions and ACKs', () => {
  it('answers a first request, and not again once ACKed', () => {
    const [cds] = subscribe(CDS);
    expect(cds).toMatchObject({ typeUrl: CDS, names: ['c1', 'c2'] });
    stream.onRequest(req({ typeUrl: CDS, versionInfo: cds!.version, responseNonce: cds!.nonce }));
    flush();
    expect(host.takeSotw()).toEqual([]);
    expect(host.acks.map((a) => [a.typeUrl, a.version])).toEqual([[CDS, cds!.version]]);
  });

  it('sends nothing to a reconnecting client that already holds the current version', () => {
    const [cds] = subscribe(CDS);
    const again = new SotwStream(host, subs, new NonceSource(), 100);
    again.onRequest(req({ typeUrl: CDS, versionInfo: cds!.version }));
    again.flush(group.view);
    expect(host.takeSotw()).toEqual([]);
    const stale = new SotwStream(host, subs, new NonceSource(), 100);
    stale.onRequest(req({ typeUrl: CDS, versionInfo: 'an-old-version' }));
    stale.flush(group.view);
    expect(host.takeSotw().map((r) => r.version)).toEqual([cds!.version]);
  });

  it('keeps one response in flight per type and sends only the newest after the ACK', () => {
    const [first] = subscribe(RDS, ['r1']);
    snapshot({ r: 2 });
    flush();
    snapshot({ r: 3 });
    flush();
    expect(host.takeSotw()).toEqual([]);
    answer(first!, ['r1']);
    flush();
    const [newest] = host.takeSotw();
    expect(newest!.version).toBe(group.view!.type(RDS).version);
    expect(newest!.version).not.toBe(first!.version);
  });

  it('ignores a request answering an older response (stale nonce)', () => {
    const [first] = subscribe(CDS, ['c1']);
    answer(first!, ['c1']);
    snapshot({ c: 2 });
    flush();
    const [second] = host.takeSotw();
    // The client changes its names, but echoes the first nonce: stale, so nothing changes...
    answer(first!, ['c1', 'c2']);
    flush();
    expect(host.takeSotw()).toEqual([]);
    expect(host.acks).toHaveLength(1);
    // ...and the ACK of the second response is still awaited and accepted.
    answer(second!, ['c1']);
    expect(host.acks).toHaveLength(2);
    expect(stream.typeStatuses().find((t) => t.typeUrl === CDS)!.names).toEqual(['c1']);
  });

  it('ignores a stale request even when nothing is in flight any more (it would re-subscribe old names)', () => {
    const [first] = subscribe(CDS, ['c1']);
    answer(first!, ['c1']);
    snapshot({ c: 2 });
    flush();
    host.takeSotw();
    expect(stream.expireAcks(host.clock + 60_000, 30_000)).toBe(true); // the second is no longer awaited
    answer(first!, ['c1', 'c2']);
    flush();
    expect(host.takeSotw()).toEqual([]);
    expect(stream.typeStatuses()[0]!.names).toEqual(['c1']);
  });

  it('does not treat a response as ACKed by a request without its nonce', () => {
    const [cds] = subscribe(CDS);
    stream.onRequest(req({ typeUrl: CDS, versionInfo: cds!.version }));
    expect(host.acks).toEqual([]);
    expect(stream.typeStatuses()[0]!.pendingAck).toBe(true);
  });
});

describe('SotW responses in flight', () => {
  it('counts a response until it is ACKed, NACKed or given up on', () => {
    const [cds] = subscribe(CDS);
    expect(stream.inFlight()).toBe(1);
    answer(cds!, []);
    expect(stream.inFlight()).toBe(0);
    const [rds] = subscribe(RDS, ['r1']);
    expect(stream.inFlight()).toBe(1);
    stream.onRequest(
      req({
        typeUrl: RDS,
        resourceNames: ['r1'],
        responseNonce: rds!.nonce,
        errorDetail: { code: 3, message: 'no' },
      }),
    );
    expect(stream.inFlight()).toBe(0);
    snapshot({ r: 2 });
    flush();
    expect(host.takeSotw()).toHaveLength(1);
    expect(stream.inFlight()).toBe(1);
    expect(stream.expireAcks(host.clock + 60_000, 30_000)).toBe(true);
    expect(stream.inFlight()).toBe(0);
  });
});

describe('SotW NACKs', () => {
  it('records a NACK and does not re-send the rejected version until the content changes', () => {
    const [good] = subscribe(RDS, ['r1']);
    answer(good!, ['r1']);
    snapshot({ r: 2 });
    flush();
    const [bad] = host.takeSotw();
    stream.onRequest(
      req({
        typeUrl: RDS,
        resourceNames: ['r1'],
        versionInfo: good!.version,
        responseNonce: bad!.nonce,
        errorDetail: { code: 3, message: 'no' },
      }),
    );
    flush();
    expect(host.takeSotw()).toEqual([]);
    expect(host.nacks).toEqual([{ typeUrl: RDS, version: bad!.version, message: 'no', code: 3 }]);
    const status = stream.typeStatuses().find((t) => t.typeUrl === RDS)!;
    expect(status.lastNack).toMatchObject({ version: bad!.version, message: 'no' });
    expect(status.ackedVersion).toBe(good!.version);
    // Asking again (same nonce) does not bring the rejected version back.
    stream.onRequest(
      req({ typeUrl: RDS, resourceNames: ['r1'], versionInfo: good!.version, responseNonce: bad!.nonce }),
    );
    flush();
    expect(host.takeSotw()).toEqual([]);
    snapshot({ r: 3 });
    flush();
    expect(host.takeSotw().map((r) => r.typeUrl)).toEqual([RDS]);
  });

  it('sends a once-rejected version again when the content comes back to it later', () => {
    const [v1] = subscribe(RDS, ['r1']);
    answer(v1!, ['r1']);
    snapshot({ r: 2 });
    flush();
    const [v2] = host.takeSotw();
    stream.onRequest(
      req({
        typeUrl: RDS,
        resourceNames: ['r1'],
        versionInfo: v1!.version,
        responseNonce: v2!.nonce,
        errorDetail: { code: 3, message: 'x' },
      }),
    );
    snapshot({ r: 3 });
    flush();
    const [v3] = host.takeSotw();
    answer(v3!, ['r1']);
    snapshot({ r: 2 });
    flush();
    expect(host.takeSotw().map((r) => r.version)).toEqual([v2!.version]);
  });
});

describe('SotW push order (make before break)', () => {
  function subscribeAll(): void {
    for (const t of [RDS, LDS, EDS, CDS])
      stream.onRequest(
        req({ typeUrl: t, resourceNames: t === RDS ? ['r1'] : t === EDS ? ['c1', 'c2'] : [] }),
      );
  }

  it('sends clusters, then endpoints, listeners and routes, each after the previous is ACKed', () => {
    subscribeAll();
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      flush();
      const out = host.takeSotw();
      expect(out).toHaveLength(1);
      order.push(out[0]!.typeUrl);
      stream.onRequest(
        req({
          typeUrl: out[0]!.typeUrl,
          resourceNames: out[0]!.typeUrl === RDS ? ['r1'] : out[0]!.typeUrl === EDS ? ['c1', 'c2'] : [],
          versionInfo: out[0]!.version,
          responseNonce: out[0]!.nonce,
        }),
      );
    }
    expect(order).toEqual([CDS, EDS, LDS, RDS]);
  });

  it('re-sends endpoints after a change of their cluster alone', () => {
    subscribeAll();
    const held = new Map<string, string>();
    for (let i = 0; i < 4; i++) {
      flush();
      const [r] = host.takeSotw();
      held.set(r!.typeUrl, r!.version);
      stream.onRequest(
        req({
          typeUrl: r!.typeUrl,
          resourceNames: r!.typeUrl === RDS ? ['r1'] : r!.typeUrl === EDS ? ['c1', 'c2'] : [],
          versionInfo: r!.version,
          responseNonce: r!.nonce,
        }),
      );
    }
    snapshot({ c: 2 }); // clusters change, endpoints' content does not
    flush();
    const [cds] = host.takeSotw();
    expect(cds!.typeUrl).toBe(CDS);
    stream.onRequest(req({ typeUrl: CDS, versionInfo: cds!.version, responseNonce: cds!.nonce }));
    flush();
    const [eds] = host.takeSotw();
    expect(eds).toMatchObject({ typeUrl: EDS, names: ['c1', 'c2'] });
    expect(eds!.version).not.toBe(held.get(EDS));
  });

  it('stops waiting for an unanswered response after the ACK timeout, without re-sending it', () => {
    subscribeAll();
    flush();
    const [cds] = host.takeSotw();
    expect(stream.expireAcks(host.clock + 1000, 5000)).toBe(false);
    flush();
    expect(host.takeSotw()).toEqual([]);
    expect(stream.expireAcks(host.clock + 6000, 5000)).toBe(true);
    flush();
    expect(host.takeSotw().map((r) => r.typeUrl)).toEqual([EDS]);
    expect(cds!.typeUrl).toBe(CDS);
  });
});

describe('SotW subscriptions', () => {
  it('takes empty names on the first request as a wildcard, and keeps it until names are given', () => {
    const [all] = subscribe(CDS);
    expect(all!.names).toEqual(['c1', 'c2']);
    expect(stream.typeStatuses()[0]!.wildcard).toBe(true);
    stream.onRequest(req({ typeUrl: CDS, versionInfo: all!.version, responseNonce: all!.nonce }));
    snapshot({ clusters: ['c1', 'c2', 'c3'] });
    flush();
    const [grown] = host.takeSotw();
    expect(grown!.names).toEqual(['c1', 'c2', 'c3']);
    // Naming resources leaves the wildcard.
    answer(grown!, ['c3']);
    flush();
    expect(host.takeSotw()[0]!.names).toEqual(['c3']);
  });

  it('serves "*" as a wildcard and named subscriptions by name, in name order', () => {
    expect(subscribe(CDS, ['*'])[0]!.names).toEqual(['c1', 'c2']);
    const named = new SotwStream(host, subs, new NonceSource(), 100);
    named.onRequest(req({ typeUrl: EDS, resourceNames: ['c2', 'missing', 'c1'] }));
    named.flush(group.view);
    expect(host.takeSotw()[0]!.names).toEqual(['c1', 'c2']);
  });

  it('answers a change of names, and an unsubscribe of everything releases what was in flight', () => {
    const [one] = subscribe(EDS, ['c1']);
    answer(one!, ['c1', 'c2']);
    flush();
    const [two] = host.takeSotw();
    expect(two!.names).toEqual(['c1', 'c2']);
    // Unsubscribing everything (before answering the response in flight): no response is
    // expected for EDS any more, and later types are not held back by it.
    stream.onRequest(req({ typeUrl: EDS, resourceNames: [], versionInfo: one!.version }));
    stream.onRequest(req({ typeUrl: LDS }));
    flush();
    expect(host.takeSotw().map((r) => r.typeUrl)).toEqual([LDS]);
    expect(stream.typeStatuses().find((t) => t.typeUrl === EDS)!.pendingAck).toBe(false);
  });

  it('shares subscriptions between streams and releases them on close', () => {
    subscribe(EDS, ['c1']);
    const other = new SotwStream(host, subs, new NonceSource(), 100);
    other.onRequest(req({ typeUrl: EDS, resourceNames: ['c1'] }));
    expect(subs.size).toBe(1);
    other.close();
    stream.close();
    expect(subs.size).toBe(0);
  });
});

describe('SotW limits and unserved types', () => {
  it('answers an unserved type once with an empty response and keeps nothing about it', () => {
    const url = 'type.googleapis.com/not.served.Type';
    stream.onRequest(req({ typeUrl: url }));
    const [r] = host.takeSotw();
    expect(r).toMatchObject({ typeUrl: url, version: EMPTY_VERSION, names: [] });
    stream.onRequest(req({ typeUrl: url, versionInfo: r!.version, responseNonce: r!.nonce }));
    stream.onRequest(req({ typeUrl: url, versionInfo: EMPTY_VERSION }));
    stream.onRequest(req({ typeUrl: url, responseNonce: r!.nonce, errorDetail: { code: 3, message: 'x' } }));
    expect(host.takeSotw()).toEqual([]);
    expect(stream.typeStatuses()).toEqual([]);
  });

  it('ends the stream when its names, all types together, pass the limit', () => {
    const small = new SotwStream(host, subs, new NonceSource(), 3);
    small.onRequest(req({ typeUrl: EDS, resourceNames: ['a', 'b'] }));
    small.onRequest(req({ typeUrl: RDS, resourceNames: ['r'] }));
    expect(host.limits).toEqual([]);
    small.onRequest(req({ typeUrl: CDS, resourceNames: ['x'] }));
    expect(host.limits).toEqual([
      'the stream subscribes to 4 resource names, more than the 3 allowed (maxNamesPerStream)',
    ]);
  });
});
