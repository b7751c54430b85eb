import { describe, expect, it } from 'vitest';
import type { AnyResource } from '../model/index.js';
import { buildMeshGraph } from './build.js';
import { check, dns, listener, mesh, vn, vs, type CheckOptions, type Raw } from './fixtures.testkit.js';

const nodeProvider = (ref: Raw) => ({ provider: { virtualNode: ref } });
const TWO_MESHES: CheckOptions = {
  namespaces: [
    { name: 'ns', labels: { mesh: 'm' } },
    { name: 'ns2', labels: { mesh: 'm2' } },
    { name: 'none', labels: {} },
  ],
};
const m2 = mesh('m2', { namespaceSelector: { matchLabels: { mesh: 'm2' } } });
const codes = (r: { diagnostics: ReadonlyArray<{ code: string }> }) => r.diagnostics.map((d) => d.code);

describe('resolving a Ref', () => {
  it('an empty namespace in a Ref is the referrer’s namespace', () => {
    const r = check([vn('n'), vs('s', nodeProvider({ virtualNodeRef: { name: 'n', namespace: '' } }))]);
    expect(r.errors).toEqual([]);
    const s = r.graph.meshes.get('m')!.virtualServices.get('s.ns')!;
    expect(s.provider?.kind === 'virtualNode' && s.provider.node.awsName).toBe('n_ns');
  });

  it('a Ref without a name is not used: the ARN next to it is', () => {
    const g = buildMeshGraph({
      resources: [
        mesh(),
        vn('n'),
        vs(
          's',
          nodeProvider({ virtualNodeRef: { namespace: 'ns' }, virtualNodeARN: 'mesh/m/virtualNode/n_ns' }),
        ),
      ].map((resource) => ({ resource: resource as unknown as AnyResource })),
      namespaces: [{ name: 'ns', labels: { mesh: 'm' } }],
    });
    expect(g.diagnostics).toEqual([]);
    const s = g.meshes.get('m')!.virtualServices.get('s.ns')!;
    expect(s.provider?.kind === 'virtualNode' && s.provider.node.awsName).toBe('n_ns');
  });

  it('neither a Ref nor an ARN resolves nothing and says nothing (the schema does)', () => {
    const g = buildMeshGraph({
      resources: [mesh(), vs('s', nodeProvider({}))].map((resource) => ({
        resource: resource as unknown as AnyResource,
      })),
      namespaces: [{ name: 'ns', labels: { mesh: 'm' } }],
    });
    expect(g.diagnostics).toEqual([]);
  });

  it('a missing target that exists in other namespaces says where, three at most, of the same kind only', () => {
    const namespaces = ['a', 'b', 'c', 'd'].map((name) => ({ name, labels: { mesh: 'm' } }));
    const r = check(
      [
        vs('n', {}, { namespace: 'x' }),
        ...['a', 'b', 'c', 'd'].map((ns) => vn('n', undefined, { namespace: ns })),
        vs('s', nodeProvider({ virtualNodeRef: { name: 'n' } })),
      ],
      {
        namespaces: [
          { name: 'ns', labels: { mesh: 'm' } },
          { name: 'x', labels: { mesh: 'm' } },
          ...namespaces,
        ],
      },
    );
    expect(r.errors.filter((d) => d.code === 'ref.not-found').map((d) => d.message)).toEqual([
      'the provider is VirtualNode ns/n, which does not exist (a VirtualNode n exists in namespace a, b, c; set namespace: in the reference)',
    ]);
    const alone = check(
      [
        vs('n', {}, { namespace: 'x' }),
        vn('other', undefined, { namespace: 'x' }),
        vs('s', nodeProvider({ virtualNodeRef: { name: 'n' } })),
      ],
      {
        namespaces: [
          { name: 'ns', labels: { mesh: 'm' } },
          { name: 'x', labels: { mesh: 'm' } },
        ],
      },
    );
    expect(alone.errors.map((d) => d.message)).toEqual([
      'the provider is VirtualNode ns/n, which does not exist',
    ]);
  });

  it('a target in another mesh is refused, pointing at it and its mesh', () => {
    const r = check(
      [
        m2,
        vn('n', undefined, { namespace: 'ns2' }),
        vs('s', nodeProvider({ virtualNodeRef: { name: 'n', namespace: 'ns2' } })),
      ],
      TWO_MESHES,
    );
    expect(r.errors).toEqual([
      {
        severity: 'error',
        code: 'ref.cross-mesh',
        resource: { kind: 'VirtualService', namespace: 'ns', name: 's' },
        path: 'spec.provider.virtualNode.virtualNodeRef',
        message:
          "VirtualNode ns2/n didn't belong to mesh m (it is in mesh m2); references must stay within one mesh",
        related: [{ resource: { kind: 'VirtualNode', namespace: 'ns2', name: 'n' }, message: 'in mesh m2' }],
      },
    ]);
  });

  it('a referrer or target without a mesh is not a cross-mesh reference', () => {
    const fromNowhere = check(
      [
        vn('n'),
        vs('s', nodeProvider({ virtualNodeRef: { name: 'n', namespace: 'ns' } }), { namespace: 'none' }),
      ],
      TWO_MESHES,
    );
    expect(codes(fromNowhere)).not.toContain('ref.cross-mesh');
    const toNowhere = check(
      [
        vn('n', undefined, { namespace: 'none' }),
        vs('s', nodeProvider({ virtualNodeRef: { name: 'n', namespace: 'none' } })),
      ],
      TWO_MESHES,
    );
    expect(codes(toNowhere)).not.toContain('ref.cross-mesh');
  });
});

describe('resolving an ARN', () => {
  it('refuses an ARN that does not name a resource of that kind', () => {
    for (const arn of [
      'not an arn',
      'arn:aws:appmesh:us-west-2:1:mesh/m',
      'mesh/m/virtualRouter/r_ns/route/a',
    ]) {
      const r = check([vs('s', nodeProvider({ virtualNodeARN: arn }))]);
      expect(
        r.errors.map((d) => [d.code, d.path]),
        arn,
      ).toEqual([['ref.arn-invalid', 'spec.provider.virtualNode.virtualNodeARN']]);
      expect(r.errors[0]!.message).toBe(
        `${JSON.stringify(arn)} is not a VirtualNode ARN: expected arn:aws:appmesh:<region>:<account>:mesh/<mesh>/virtualNode/<name>`,
      );
    }
  });

  it('a backend by ARN that does not exist is still a backend, by its name', () => {
    const r = check([
      vn('n', {
        listeners: [listener()],
        serviceDiscovery: dns(),
        backends: [{ virtualService: { virtualServiceARN: 'mesh/m/virtualService/gone.example' } }],
      }),
    ]);
    expect(r.warnings.map((d) => d.message)).toEqual([
      'backend VirtualService gone.example in mesh m (by ARN), which does not exist',
    ]);
    expect(r.graph.meshes.get('m')!.virtualNodes.get('n_ns')!.backends).toEqual([
      expect.objectContaining({ serviceName: 'gone.example', found: false }),
    ]);
  });

  it('a referrer without a mesh resolves an ARN without a cross-mesh error', () => {
    const r = check(
      [vn('n'), vs('s', nodeProvider({ virtualNodeARN: 'mesh/m/virtualNode/n_ns' }), { namespace: 'none' })],
      TWO_MESHES,
    );
    expect(codes(r)).not.toContain('ref.cross-mesh');
    expect(codes(r)).not.toContain('internal.error');
  });
});
