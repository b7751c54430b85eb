import { describe, expect, it } from 'vitest';
import { check, httpRoute, listener, verifyRule, vn, vr, vs, type RuleCase } from './fixtures.testkit.js';

const cases: RuleCase[] = [
  {
    rule: 'a virtualRouter provider must exist',
    good: [
      vn('n'),
      vr('r', { listeners: [listener()], routes: [httpRoute('a', ['n'])] }),
      vs('s', { provider: { virtualRouter: { virtualRouterRef: { name: 'r' } } } }),
    ],
    bad: [vs('s', { provider: { virtualRouter: { virtualRouterRef: { name: 'r' } } } })],
    code: 'ref.not-found',
    path: 'spec.provider.virtualRouter.virtualRouterRef',
  },
  {
    rule: 'a virtualNode provider must exist',
    good: [vn('n'), vs('s', { provider: { virtualNode: { virtualNodeRef: { name: 'n' } } } })],
    bad: [vs('s', { provider: { virtualNode: { virtualNodeRef: { name: 'n' } } } })],
    code: 'ref.not-found',
    path: 'spec.provider.virtualNode.virtualNodeRef',
  },
  {
    rule: 'the provider is a virtualNode or a virtualRouter, not both',
    good: [vn('n'), vs('s', { provider: { virtualNode: { virtualNodeRef: { name: 'n' } } } })],
    bad: [
      vn('n'),
      vs('s', {
        provider: {
          virtualNode: { virtualNodeRef: { name: 'n' } },
          virtualRouter: { virtualRouterRef: { name: 'r' } },
        },
      }),
    ],
    code: 'schema.exactly-one',
    path: 'spec.provider',
  },
  {
    rule: 'a provider is a Ref or an ARN, not both',
    good: [vn('n'), vs('s', { provider: { virtualNode: { virtualNodeARN: 'mesh/m/virtualNode/n_ns' } } })],
    bad: [
      vn('n'),
      vs('s', {
        provider: {
          virtualNode: { virtualNodeRef: { name: 'n' }, virtualNodeARN: 'mesh/m/virtualNode/n_ns' },
        },
      }),
    ],
    code: 'schema.exactly-one',
    path: 'spec.provider.virtualNode',
  },
  {
    rule: 'a provider node without listeners cannot serve (warning)',
    good: [vn('n'), vs('s', { provider: { virtualNode: { virtualNodeRef: { name: 'n' } } } })],
    bad: [vn('n', {}), vs('s', { provider: { virtualNode: { virtualNodeRef: { name: 'n' } } } })],
    code: 'target.no-listener',
    path: 'spec.provider.virtualNode',
    severity: 'warning',
  },
  {
    rule: "a Kubernetes form of a service's name that is another service's awsName is not derived (warning)",
    good: [vs('a'), vs('b')],
    bad: [vs('a'), vs('b', { awsName: 'a.ns.svc.cluster.local' })],
    code: 'vs.hostname-shadowed',
    path: 'metadata.name',
    severity: 'warning',
  },
];

describe('VirtualService rules', () => {
  for (const c of cases) it(c.rule, () => void verifyRule(c));

  it('hostnames: awsName first, then the cluster names, deduplicated', () => {
    const r = check(
      [vs('a'), vs('b', { awsName: 'b.ns.svc.example.org' }), vs('c', { awsName: 'c.ns.svc.example.org' })],
      { options: { clusterDomain: 'example.org' } },
    );
    const services = r.graph.meshes.get('m')!.virtualServices;
    expect(services.get('a.ns')!.hostnames).toEqual(['a.ns', 'a.ns.svc.example.org', 'a.ns.svc']);
    expect(services.get('b.ns.svc.example.org')!.hostnames).toEqual(['b.ns.svc.example.org', 'b.ns.svc']);
  });

  it('hostnames: a custom or external awsName gets no Kubernetes forms (walkthrough howto-k8s-egress)', () => {
    // aws/aws-app-mesh-examples walkthroughs/howto-k8s-egress: VirtualService `external`
    // is named blue.mesh-external.svc.cluster.local; walkthroughs/howto-grpc calls its
    // service color_server.howto-grpc.local.
    const r = check([
      vs('external', { awsName: 'blue.mesh-external.svc.cluster.local' }),
      vs('color', { awsName: 'color_server.howto-grpc.local' }),
    ]);
    const services = r.graph.meshes.get('m')!.virtualServices;
    expect(services.get('blue.mesh-external.svc.cluster.local')!.hostnames).toEqual([
      'blue.mesh-external.svc.cluster.local',
    ]);
    expect(services.get('color_server.howto-grpc.local')!.hostnames).toEqual([
      'color_server.howto-grpc.local',
    ]);
  });

  it('hostnames: the explicit awsName owns the name, in either order', () => {
    for (const list of [
      [vs('a'), vs('b', { awsName: 'a.ns.svc' })],
      [vs('b', { awsName: 'a.ns.svc' }), vs('a')],
    ]) {
      const services = check(list).graph.meshes.get('m')!.virtualServices;
      expect(services.get('a.ns')!.hostnames).toEqual(['a.ns', 'a.ns.svc.cluster.local']);
      expect(services.get('a.ns.svc')!.hostnames).toEqual(['a.ns.svc']);
    }
  });

  it('links the provider', () => {
    const r = check([
      vn('n'),
      vr('r', { listeners: [listener()], routes: [httpRoute('a', ['n'])] }),
      vs('s', { provider: { virtualRouter: { virtualRouterRef: { name: 'r' } } } }),
      vs('t', { provider: { virtualNode: { virtualNodeRef: { name: 'n' } } } }),
    ]);
    const view = r.graph.meshes.get('m')!;
    const s = view.virtualServices.get('s.ns')!;
    expect(s.provider?.kind).toBe('virtualRouter');
    expect(s.provider?.kind === 'virtualRouter' && s.provider.router).toBe(view.virtualRouters.get('r_ns'));
    const t = view.virtualServices.get('t.ns')!;
    expect(t.provider?.kind === 'virtualNode' && t.provider.node).toBe(view.virtualNodes.get('n_ns'));
  });
});
