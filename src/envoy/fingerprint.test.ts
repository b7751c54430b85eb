import { describe, expect, it } from 'vitest';
import { buildMeshGraph, type GraphInput } from '../mesh/index.js';
import type { AnyResource, Mesh, VirtualNode, VirtualService } from '../model/index.js';
import { API_VERSION } from '../model/index.js';
import { changedKeys } from './fingerprint.js';

const mesh: Mesh = {
  apiVersion: API_VERSION,
  kind: 'Mesh',
  metadata: { name: 'm' },
  spec: { namespaceSelector: {} },
};

const node = (name: string, backends: string[]): VirtualNode => ({
  apiVersion: API_VERSION,
  kind: 'VirtualNode',
  metadata: { name, namespace: 'ns' },
  spec: {
    podSelector: {},
    listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
    serviceDiscovery: { dns: { hostname: `${name}.ns.svc.cluster.local` } },
    backends: backends.map((b) => ({ virtualService: { virtualServiceRef: { name: b } } })),
  },
});

const service = (name: string, provider: string): VirtualService => ({
  apiVersion: API_VERSION,
  kind: 'VirtualService',
  metadata: { name, namespace: 'ns' },
  spec: { provider: { virtualNode: { virtualNodeRef: { name: provider } } } },
});

const graph = (resources: AnyResource[]) =>
  buildMeshGraph({ resources: resources.map((resource) => ({ resource })) } satisfies GraphInput);

const keys = (resources: AnyResource[], next: AnyResource[]) =>
  changedKeys(graph(resources), graph(next))
    .map(([m, k]) => `${m} ${k}`)
    .sort();

describe('changedKeys', () => {
  const a = node('a', ['s1']);
  const b = node('b', ['s2']);
  const s1 = service('s1', 'b');
  const s2 = service('s2', 'a');
  const s3 = service('s3', 'a');
  const base: AnyResource[] = [mesh, a, b, s1, s2];

  it('finds nothing between two builds of the same input objects', () => {
    expect(keys(base, [...base])).toEqual([]);
  });

  it('finds the one entry whose input object was replaced, the others in the same places', () => {
    expect(keys(base, [mesh, a, node('b', ['s2']), s1, s2])).toEqual(['m VirtualNode/b_ns']);
  });

  it('finds an entry removed and another added in its place (as many names, not the same ones)', () => {
    expect(keys(base, [mesh, a, b, s1, s3])).toEqual(['m VirtualService/s2.ns', 'm VirtualService/s3.ns']);
  });

  it('finds nothing when the same input objects come in another order', () => {
    expect(keys(base, [mesh, b, a, s2, s1])).toEqual([]);
  });

  it('finds a changed entry among entries in another order', () => {
    expect(keys(base, [mesh, b, node('a', ['s1', 's2']), s2, s1])).toEqual(['m VirtualNode/a_ns']);
  });
});
