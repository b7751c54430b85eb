import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { parseResourceKey, resourceKey, resourceKeyPrefix } from './keys.js';

describe('resource keys', () => {
  it('builds readable kind/namespace/name keys, `_` for no namespace', () => {
    expect(resourceKey('VirtualNode', 'mesh-test', 'vnode-1')).toBe('VirtualNode/mesh-test/vnode-1');
    expect(resourceKey('Mesh', undefined, 'mesh-1')).toBe('Mesh/_/mesh-1');
    expect(resourceKey('Mesh', '', 'mesh-1')).toBe('Mesh/_/mesh-1');
  });

  it('round-trips awkward segments', () => {
    const cases: Array<[string, string | undefined, string]> = [
      ['VirtualService', 'ns', 'svc.ns.svc.cluster.local'],
      ['Route', 'a/b', 'c%2Fd/e'],
      ['Mesh', '_', '_'],
      ['Mesh', undefined, '100%'],
      ['VirtualNode', 'ünï', '😀'],
    ];
    for (const [kind, ns, name] of cases) {
      const key = resourceKey(kind, ns, name);
      expect(key.split('/')).toHaveLength(3);
      expect(parseResourceKey(key)).toEqual({ kind, namespace: ns, name });
    }
    expect(resourceKey('Mesh', '_', 'x')).not.toBe(resourceKey('Mesh', undefined, 'x'));
  });

  it('builds prefixes that select a kind, a namespace, or cluster-scoped records', () => {
    expect(resourceKeyPrefix('VirtualNode')).toBe('VirtualNode/');
    expect(resourceKeyPrefix('VirtualNode', 'ns')).toBe('VirtualNode/ns/');
    expect(resourceKeyPrefix('Mesh', null)).toBe('Mesh/_/');
    expect(resourceKey('VirtualNode', 'ns', 'x').startsWith(resourceKeyPrefix('VirtualNode', 'ns'))).toBe(
      true,
    );
    expect(resourceKey('VirtualNode', 'ns2', 'x').startsWith(resourceKeyPrefix('VirtualNode', 'ns'))).toBe(
      false,
    );
  });

  it('rejects empty segments and malformed keys', () => {
    expect(() => resourceKey('', 'ns', 'x')).toThrow(InvalidArgumentError);
    expect(() => resourceKey('Mesh', undefined, '')).toThrow(InvalidArgumentError);
    for (const bad of ['Mesh/x', 'a/b/c/d', 'a//c', 'a/b/%zz', 'a/b/100%']) {
      expect(() => parseResourceKey(bad)).toThrow(InvalidArgumentError);
    }
  });
});
