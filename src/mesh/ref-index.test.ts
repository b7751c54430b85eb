import { describe, expect, it } from 'vitest';
import type { AnyResource } from '../model/index.js';
import type { InputResource } from './graph.js';
import { idKey, keyOf, RefIndex, referencedNames, within } from './ref-index.js';
import { res } from './updates.testkit.js';

const MESH = { ...res('Mesh', 'm', {}), metadata: { name: 'm' } } as AnyResource;
const node = (name: string, backends: string[] = [], more: object = {}) =>
  res('VirtualNode', name, {
    listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
    backends: backends.map((s) => ({ virtualService: { virtualServiceRef: { name: s } } })),
    ...more,
  });
const service = (name: string, provider: string) =>
  res('VirtualService', name, { provider: { virtualNode: { virtualNodeRef: { name: provider } } } });

function indexOf(resources: AnyResource[]): RefIndex {
  return RefIndex.of(new Map(resources.map((r) => [keyOf(r), { resource: r } as InputResource])));
}

describe('keys', () => {
  it('kind/namespace/name, with an empty namespace for cluster-scoped or namespace-less resources', () => {
    expect(idKey({ kind: 'VirtualNode', namespace: 'ns', name: 'n' })).toBe('VirtualNode/ns/n');
    expect(idKey({ kind: 'Mesh', name: 'm' })).toBe('Mesh//m');
    expect(keyOf(MESH)).toBe('Mesh//m');
    expect(keyOf(node('n'))).toBe('VirtualNode/ns/n');
  });
});

describe('referencedNames', () => {
  it('every *Ref name, in arrays too, and the last segment of every *ARN', () => {
    const r = res('VirtualRouter', 'r', {
      listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
      routes: [
        {
          name: 'route-name',
          httpRoute: {
            match: { prefix: '/' },
            action: {
              weightedTargets: [
                { virtualNodeRef: { name: 'a' }, weight: 1 },
                { virtualNodeARN: 'arn:aws:appmesh:r:1:mesh/m/virtualNode/b', weight: 1 },
              ],
            },
          },
        },
      ],
      meshRef: { name: 'm', uid: 'u' },
    });
    expect([...referencedNames(r)].sort()).toEqual(['a', 'b', 'm']);
  });

  it('ignores other strings, Refs without a string name, and nulls', () => {
    const r = res('VirtualNode', 'n', {
      serviceDiscovery: { dns: { hostname: 'x/y' } },
      awsName: 'named',
      backends: [{ virtualService: { virtualServiceRef: { namespace: 'ns' } } }, null],
      backendDefaults: null,
      podSelector: { matchLabels: { name: 'label' } },
    });
    expect([...referencedNames(r)]).toEqual([]);
  });

  it('an array under a *ARN key is a list of ARNs', () => {
    const r = res('VirtualNode', 'n', {
      someARN: ['arn:aws:appmesh:r:1:mesh/m/virtualNode/a', 'mesh/m/virtualNode/b'],
    });
    expect([...referencedNames(r)]).toEqual(['a', 'b']);
  });
});

describe('RefIndex', () => {
  const resources = [MESH, node('a', ['s']), service('s', 'b'), node('b'), node('c', ['s'])];

  it('knows who reads a resource and what a resource reads, once each', () => {
    const index = indexOf(resources);
    expect(index.size).toBe(5);
    expect(index.get('VirtualNode/ns/b')!.resource).toBe(resources[3]);
    expect(index.get('VirtualNode/ns/zz')).toBeUndefined();
    expect(index.readersOf('VirtualNode/ns/b')).toEqual(['VirtualService/ns/s']);
    expect(index.readersOf('VirtualService/ns/s')).toEqual(['VirtualNode/ns/a', 'VirtualNode/ns/c']);
    expect(index.readBy('VirtualNode/ns/a')).toEqual(['VirtualService/ns/s']);
    // A name nobody has: nothing read.
    expect(indexOf([node('x', ['missing'])]).readBy('VirtualNode/ns/x')).toEqual([]);
  });

  it('a resource is read by its App Mesh name as well as by its Kubernetes name', () => {
    const named = res('VirtualService', 's', { awsName: 's.example', provider: {} });
    const index = indexOf([
      named,
      node('by-name', ['s']),
      res('VirtualNode', 'by-arn', {
        backends: [
          { virtualService: { virtualServiceARN: 'arn:aws:appmesh:r:1:mesh/m/virtualService/s.example' } },
        ],
      }),
    ]);
    expect(index.readersOf('VirtualService/ns/s')).toEqual([
      'VirtualNode/ns/by-name',
      'VirtualNode/ns/by-arn',
    ]);
    // An awsName equal to the name is one name: each reader once.
    const same = indexOf([
      res('VirtualService', 's', { awsName: 's', provider: {} }),
      node('by-name', ['s']),
    ]);
    expect(same.readersOf('VirtualService/ns/s')).toEqual(['VirtualNode/ns/by-name']);
  });

  it('withUpdate moves the references of the updated resource, leaving the index it came from as it was', () => {
    const before = indexOf(resources);
    const after = before.withUpdate('VirtualNode/ns/a', { resource: node('a', ['t']) });
    expect(after.readersOf('VirtualService/ns/s')).toEqual(['VirtualNode/ns/c']);
    expect(after.readBy('VirtualNode/ns/a')).toEqual([]);
    expect(before.readersOf('VirtualService/ns/s')).toEqual(['VirtualNode/ns/a', 'VirtualNode/ns/c']);
    const back = after.withUpdate('VirtualNode/ns/a', { resource: node('a', ['s', 't']) });
    expect(back.readersOf('VirtualService/ns/s')).toEqual(['VirtualNode/ns/c', 'VirtualNode/ns/a']);
    expect(back.size).toBe(5);
  });

  it('inOrder gives the known resources of the keys in input order; a new key comes last', () => {
    const index = indexOf(resources);
    const keys = ['VirtualNode/ns/c', 'Mesh//m', 'gone', 'VirtualService/ns/s'];
    expect(index.inOrder(keys).map((r) => keyOf(r.resource))).toEqual([
      'Mesh//m',
      'VirtualService/ns/s',
      'VirtualNode/ns/c',
    ]);
    const grown = index.withUpdate('VirtualNode/ns/d', { resource: node('d') });
    expect(grown.size).toBe(6);
    expect(
      grown.inOrder(['VirtualNode/ns/d', 'VirtualNode/ns/c', 'Mesh//m']).map((r) => keyOf(r.resource)),
    ).toEqual(['Mesh//m', 'VirtualNode/ns/c', 'VirtualNode/ns/d']);
    const twice = grown.withUpdate('VirtualNode/ns/e', { resource: node('e') });
    expect(twice.inOrder(['VirtualNode/ns/e', 'VirtualNode/ns/d']).map((r) => keyOf(r.resource))).toEqual([
      'VirtualNode/ns/d',
      'VirtualNode/ns/e',
    ]);
  });

  it('keysOfKinds: the keys of resources of those kinds, in input order', () => {
    const index = indexOf(resources);
    expect(index.keysOfKinds(new Set(['Mesh', 'VirtualService']))).toEqual([
      'Mesh//m',
      'VirtualService/ns/s',
    ]);
    expect(index.keysOfKinds(new Set(['VirtualGateway']))).toEqual([]);
  });
});

describe('within', () => {
  const edges: Record<string, string[]> = { a: ['b'], b: ['c', 'a'], c: ['d'], d: [] };
  const step = (k: string) => edges[k] ?? [];

  it('grows the start set by what is reachable in at most `depth` steps', () => {
    const start = new Set(['a']);
    expect([...within(start, step, 2)]).toEqual(['a', 'b', 'c']);
    expect(start).toEqual(new Set(['a', 'b', 'c']));
    expect([...within(new Set(['a']), step, 0)]).toEqual(['a']);
    expect([...within(new Set(['a']), step, 10)]).toEqual(['a', 'b', 'c', 'd']);
  });
});
