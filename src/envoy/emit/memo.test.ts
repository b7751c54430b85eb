import { describe, expect, it } from 'vitest';
import type { ClusterIR, ListenerIR } from '../ir/types.js';
import { markShared } from '../encode-plain.js';
import { EmitMemo } from './memo.js';
import { cluster } from './cluster.js';
import { listener } from './listener.js';

const local = (timeoutMs: number): ClusterIR => ({
  name: 'cds_ingress_m_node_http_8080',
  connectTimeout: timeoutMs,
  discovery: { type: 'STATIC', endpoints: [{ address: '127.0.0.1', port: 8080 }] },
});

const inbound = (): ListenerIR => ({
  name: 'lds_ingress_0.0.0.0_15000',
  address: '0.0.0.0',
  port: 15000,
  direction: 'INBOUND',
  filterChains: [],
});

const ownClusters = (memo: EmitMemo, group: string, irs: ClusterIR[]) =>
  memo.emitOwn(group, (own) => irs.map((c) => own('cluster', c.name, c, cluster)));

describe('EmitMemo', () => {
  it("gives a group's own object back when its next emission has the same content under the same name", () => {
    const memo = new EmitMemo();
    const [first] = ownClusters(memo, 'g', [local(1000)]);
    memo.nextGeneration();
    const [same] = ownClusters(memo, 'g', [local(1000)]);
    expect(same).toBe(first);
    const [changed] = ownClusters(memo, 'g', [local(2000)]);
    expect(changed).not.toBe(first);
    expect(changed?.connect_timeout).toEqual({ seconds: 2 });
  });

  it('compares with the last emission only, and forgets a removed group', () => {
    const memo = new EmitMemo();
    const [a] = ownClusters(memo, 'g', [local(1000)]);
    ownClusters(memo, 'g', [local(2000)]);
    // The 1000 ms object was replaced by the 2000 ms one: back to 1000 ms is a new object.
    expect(ownClusters(memo, 'g', [local(1000)])[0]).not.toBe(a);
    const [b] = ownClusters(memo, 'g', [local(1000)]);
    memo.forgetGroup('g');
    expect(ownClusters(memo, 'g', [local(1000)])[0]).not.toBe(b);
  });

  it("keeps one group's own objects apart from another's, and shared IR as its one Envoy object", () => {
    const memo = new EmitMemo();
    const [a] = ownClusters(memo, 'a', [local(1000)]);
    const [b] = ownClusters(memo, 'b', [local(1000)]);
    expect(b).not.toBe(a);
    expect(b).toEqual(a);
    const sharedIR = local(3000);
    markShared(sharedIR);
    const [x] = ownClusters(memo, 'a', [sharedIR]);
    const [y] = ownClusters(memo, 'b', [sharedIR]);
    expect(y).toBe(x);
  });

  it('gives every group the one listener object of a content, across groups and one generation on', () => {
    const memo = new EmitMemo();
    const a = memo.emit('listener', inbound(), listener);
    expect(memo.emit('listener', inbound(), listener)).toBe(a);
    memo.nextGeneration();
    expect(memo.emit('listener', inbound(), listener)).toBe(a);
    memo.nextGeneration();
    memo.nextGeneration();
    expect(memo.emit('listener', inbound(), listener)).not.toBe(a);
  });
});
