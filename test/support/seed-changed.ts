/**
 * examples/seed-changed/ (the seed with route-1 at 3:1 instead of 1:1), and what
 * `amime diff` must print for it against the seed: the one route, and the same weight
 * edit in the Envoy routes of gateway-v and vnode-x, nothing else.
 */
import { expect } from 'vitest';

export function expectSeedChangedDiff(stdout: string, stderr: string): void {
  expect(stdout.split('\n').filter((l) => /^[~+-] [A-Z]/.test(l))).toEqual([
    '~ Route route-1 of VirtualRouter vrouter-1_mesh-test in mesh mesh-1: changed',
  ]);
  expect([...stdout.matchAll(/^\+\+\+ b\/(mesh\/\S+)$/gm)].map((m) => m[1])).toEqual([
    'mesh/mesh-1/virtualGateway/gateway-v_mesh-test',
    'mesh/mesh-1/virtualNode/vnode-x_mesh-test',
  ]);
  // The lines the diffs add or remove, not their ---/+++ headers.
  const edits = stdout.split('\n').filter((l) => /^[-+](?![-+]{2} )/.test(l));
  const envoyWeights = ['-   weight: 50', '+   weight: 75', '-   weight: 50', '+   weight: 25'];
  expect(edits.map((l) => l.replace(/^([-+])\s+/, '$1   '))).toEqual([
    '-   weight: 1',
    '+   weight: 3',
    ...envoyWeights,
    ...envoyWeights,
  ]);
  expect(stderr).toBe('1 resource would change, the Envoy configuration of 2 proxy groups\n');
}
