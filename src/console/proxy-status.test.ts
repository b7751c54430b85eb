import { describe, expect, it } from 'vitest';
import { TYPE_URL, type ClientStatus, type TypeStatus } from '../xds/index.js';
import { proxyStatusRow, typeSync } from './proxy-status.js';

const sent = (version: string) => ({ version, nonce: 'n', at: '2026-12-04T21:00:00.000Z' });
function type(over: Partial<TypeStatus>): TypeStatus {
  return {
    typeUrl: TYPE_URL.RouteConfiguration,
    wildcard: false,
    names: ['r'],
    ackedVersion: null,
    lastSent: null,
    pendingAck: false,
    lastNack: null,
    resources: [],
    ...over,
  };
}

describe('typeSync', () => {
  it('is NOT SENT for a type never asked for or never answered', () => {
    expect(typeSync(undefined).state).toBe('NOT SENT');
    expect(typeSync(type({})).state).toBe('NOT SENT');
  });

  it('is SYNCED once the newest version sent is ACKed', () => {
    expect(typeSync(type({ lastSent: sent('v2'), ackedVersion: 'v2' })).state).toBe('SYNCED');
  });

  it('is STALE while a response is in flight or an older version is held', () => {
    expect(typeSync(type({ lastSent: sent('v2'), ackedVersion: 'v1', pendingAck: true })).state).toBe(
      'STALE',
    );
    expect(typeSync(type({ lastSent: sent('v2'), ackedVersion: 'v1' })).state).toBe('STALE');
  });

  it("is NACKED with Envoy's message when the newest version sent was rejected", () => {
    const s = typeSync(
      type({
        lastSent: sent('v2'),
        ackedVersion: 'v1',
        lastNack: { version: 'v2', message: 'bad weight', code: 3, at: '2026-12-04T21:00:01.000Z' },
      }),
    );
    expect(s).toMatchObject({
      state: 'NACKED',
      error: 'bad weight',
      rejectedVersion: 'v2',
      ackedVersion: 'v1',
    });
  });

  it('is SYNCED again after a later version is accepted', () => {
    const s = typeSync(
      type({
        lastSent: sent('v3'),
        ackedVersion: 'v3',
        lastNack: { version: 'v2', message: 'bad weight', code: 3, at: '2026-12-04T21:00:01.000Z' },
      }),
    );
    expect(s.state).toBe('SYNCED');
  });
});

describe('proxyStatusRow', () => {
  it('names the worst state of the proxy and its age', () => {
    const c: ClientStatus = {
      streamId: 1,
      nodeId: 'mesh/m/virtualNode/a',
      cluster: 'a',
      group: 'mesh/m/virtualNode/a',
      flavour: 'envoy',
      protocol: 'sotw',
      userAgent: 'envoy',
      peer: '127.0.0.1:1',
      principal: null,
      connectedSince: '2026-12-04T21:00:00.000Z',
      waiting: false,
      types: [
        type({ typeUrl: TYPE_URL.Cluster, lastSent: sent('c'), ackedVersion: 'c' }),
        type({ lastSent: sent('r2'), ackedVersion: 'r1', pendingAck: true }),
      ],
    };
    const row = proxyStatusRow(c, 'replica-a', Date.parse('2026-12-04T21:01:30.000Z'), 'snap');
    expect(row.state).toBe('STALE');
    expect(row.types.CDS.state).toBe('SYNCED');
    expect(row.types.LDS.state).toBe('NOT SENT');
    expect(row.ageSeconds).toBe(90);
    expect(row.replica).toBe('replica-a');
  });
});
