import { describe, expect, it } from 'vitest';
import { labelName, labelValue, NameAllocator, subdomainName } from './k8s-names.js';

describe('Kubernetes names from App Mesh names', () => {
  it('shapes names to the RFC 1123 rules', () => {
    expect(subdomainName('Catalog_v1')).toBe('catalog-v1');
    expect(subdomainName('svc.Shop.local')).toBe('svc.shop.local');
    expect(subdomainName('__')).toMatch(/^x-[0-9a-f]{6}$/);
    expect(subdomainName('a'.repeat(300))).toMatch(/^a{246}-[0-9a-f]{6}$/);
    expect(labelName('my.mesh')).toBe('my-mesh');
    expect(labelValue('My_Mesh.v2')).toBe('My_Mesh.v2');
    expect(labelValue('x'.repeat(70))).toHaveLength(63);
  });

  it('gives each identity one name, unique in its scope', () => {
    const names = new NameAllocator();
    expect(names.take('VirtualNode/ns', 'A', 'A')).toBe('a');
    expect(names.take('VirtualNode/ns', 'a', 'a')).toBe('a-ca9781');
    expect(names.take('VirtualNode/ns', 'A', 'A')).toBe('a');
    expect(names.take('VirtualService/ns', 'a', 'a')).toBe('a');
  });
});
