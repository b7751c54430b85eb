import { describe, expect, it } from 'vitest';
import { check, mesh, verifyRule, vn, type RuleCase } from './fixtures.testkit.js';

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
});
