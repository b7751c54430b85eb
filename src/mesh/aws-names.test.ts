import { describe, expect, it } from 'vitest';
import type { AnyResource } from '../model/index.js';
import { buildMeshGraph } from './build.js';
import { bg, check, mesh, verifyRule, vn, vs, type RuleCase } from './fixtures.testkit.js';

const cases: RuleCase[] = [
  {
    rule: 'spec.awsName is at most 255 characters',
    good: [vn('a', { awsName: 'x'.repeat(255) })],
    bad: [vn('a', { awsName: 'x'.repeat(256) })],
    code: 'name.aws-name-length',
    path: 'spec.awsName',
  },
  {
    rule: 'a defaulted awsName (name_namespace) longer than 255 is reported at metadata.name',
    good: [vn('a'.repeat(250))],
    bad: [vn('a'.repeat(253))],
    code: 'name.aws-name-length',
    path: 'metadata.name',
    message: 'set a shorter spec.awsName',
  },
  {
    rule: 'two VirtualNodes may not share an App Mesh name in one mesh',
    good: [vn('a'), vn('b')],
    bad: [vn('a'), vn('b', { awsName: 'a_ns' })],
    code: 'name.duplicate',
    path: 'spec.awsName',
    message: 'already used by ns/a in mesh m',
  },
  {
    rule: 'Mesh names are unique',
    good: [mesh('m2', { namespaceSelector: { matchLabels: { x: 'y' } } })],
    bad: [mesh('m2', { awsName: 'm' })],
    code: 'name.duplicate',
    path: 'spec.awsName',
  },
  {
    rule: 'Mesh egressFilter.type is ALLOW_ALL or DROP_ALL',
    good: [mesh('m2', { egressFilter: { type: 'ALLOW_ALL' } })],
    bad: [mesh('m2', { egressFilter: { type: 'ALLOW_SOME' } })],
    code: 'schema.type',
    path: 'spec.egressFilter.type',
  },
  {
    rule: 'Mesh ipPreference is IPv4_ONLY or IPv6_ONLY',
    good: [mesh('m2', { meshServiceDiscovery: { ipPreference: 'IPv6_ONLY' } })],
    bad: [mesh('m2', { meshServiceDiscovery: { ipPreference: 'IPv4_PREFERRED' } })],
    code: 'schema.type',
    path: 'spec.meshServiceDiscovery.ipPreference',
  },
  {
    rule: 'Kubernetes identities are unique in the input',
    good: [vn('a'), vn('b')],
    bad: [vn('a'), vn('a')],
    code: 'resource.duplicate',
    path: 'metadata.name',
  },
];

describe('App Mesh names (appmesh.md §1.0, §5)', () => {
  for (const c of cases) it(c.rule, () => void verifyRule(c));

  it('the same name in two meshes is fine', () => {
    const r = check(
      [
        mesh('m2', { namespaceSelector: { matchLabels: { mesh: 'm2' } } }),
        vn('a', undefined, { namespace: 'ns' }),
        vn('a', { awsName: 'a_ns' }, { namespace: 'ns2' }),
      ],
      {
        namespaces: [
          { name: 'ns', labels: { mesh: 'm' } },
          { name: 'ns2', labels: { mesh: 'm2' } },
        ],
      },
    );
    expect(r.errors).toEqual([]);
  });

  it('a Mesh defaults egressFilter to DROP_ALL', () => {
    expect(check([]).graph.meshes.get('m')!.mesh.egressFilter).toBe('DROP_ALL');
  });

  it('says where a too-long name comes from, shortening a long default name', () => {
    const explicit = check([vn('a', { awsName: 'x'.repeat(256) })]).errors;
    expect(explicit.map((d) => d.message)).toEqual([
      'spec.awsName is 256 characters long; App Mesh names are 1..255 characters',
    ]);
    const defaulted = check([vn('a'.repeat(253))]).errors;
    expect(defaulted.map((d) => d.message)).toEqual([
      `the default App Mesh name "${'a'.repeat(57)}..." is 256 characters long; App Mesh names are 1..255 characters: set a shorter spec.awsName`,
    ]);
  });

  it('an empty spec.awsName is the default name, reported at metadata.name', () => {
    const node = vn('a'.repeat(253), {
      awsName: '',
      listeners: [{ portMapping: { port: 80, protocol: 'http' } }],
      serviceDiscovery: { dns: { hostname: 'h' } },
    });
    const g = buildMeshGraph({ resources: [{ resource: node as unknown as AnyResource }] });
    expect(g.diagnostics.filter((d) => d.code === 'name.aws-name-length').map((d) => d.path)).toEqual([
      'metadata.name',
    ]);
  });

  it('a BackendGroup has no App Mesh name, so no length limit', () => {
    const r = check([vs('s'), bg('g'.repeat(253), { virtualservices: [{ name: 's' }] })]);
    expect(r.diagnostics.map((d) => d.code)).not.toContain('name.aws-name-length');
  });

  it('a duplicate names the first resource, in its mesh, and points at its name', () => {
    const nodes = check([vn('a'), vn('b', { awsName: 'a_ns' })]).errors;
    expect(nodes).toEqual([
      expect.objectContaining({
        message:
          'VirtualNode name "a_ns" is already used by ns/a in mesh m; App Mesh names must be unique per kind in a mesh',
        related: [
          {
            resource: { kind: 'VirtualNode', namespace: 'ns', name: 'a' },
            path: 'metadata.name',
            message: 'the first resource with this name',
          },
        ],
      }),
    ]);
    const meshes = check([mesh('m2', { awsName: 'm' })]).errors;
    expect(meshes).toEqual([
      expect.objectContaining({
        resource: { kind: 'Mesh', name: 'm2' },
        path: 'spec.awsName',
        message: 'Mesh name "m" is already used by m; App Mesh names must be unique per kind in a mesh',
        related: [
          {
            resource: { kind: 'Mesh', name: 'm' },
            path: 'metadata.name',
            message: 'the first resource with this name',
          },
        ],
      }),
    ]);
  });
});
