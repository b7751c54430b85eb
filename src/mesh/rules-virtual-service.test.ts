import { describe, expect, it } from 'vitest';
import type { AnyResource } from '../model/index.js';
import { buildMeshGraph } from './build.js';
import type { ResourceEntry } from './context.js';
import { check, httpRoute, listener, verifyRule, vn, vr, vs, type RuleCase } from './fixtures.testkit.js';
import { derivedHostnames } from './rules-virtual-service.js';

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

  it('a provider that does not exist is an error naming it, by Ref or by ARN', () => {
    const byRef = check([
      vs('s', { provider: { virtualRouter: { virtualRouterRef: { name: 'r' } } } }),
    ]).errors;
    expect(byRef.map((d) => d.message)).toEqual(['the provider is VirtualRouter ns/r, which does not exist']);
    const byArn = check([
      vs('s', { provider: { virtualNode: { virtualNodeARN: 'mesh/m/virtualNode/n_ns' } } }),
    ]).errors;
    expect(byArn.map((d) => [d.path, d.message])).toEqual([
      [
        'spec.provider.virtualNode.virtualNodeARN',
        'the provider is VirtualNode n_ns in mesh m (by ARN), which does not exist',
      ],
    ]);
  });

  it('links a provider named by ARN', () => {
    const r = check([
      vn('n'),
      vs('s', { provider: { virtualNode: { virtualNodeARN: 'mesh/m/virtualNode/n_ns' } } }),
    ]);
    const view = r.graph.meshes.get('m')!;
    const s = view.virtualServices.get('s.ns')!;
    expect(s.provider?.kind === 'virtualNode' && s.provider.node).toBe(view.virtualNodes.get('n_ns'));
  });

  it('a provider node without listeners is pointed at; a router is not checked so', () => {
    const node = check([
      vn('n', {}),
      vs('s', { provider: { virtualNode: { virtualNodeRef: { name: 'n' } } } }),
    ]);
    expect(node.warnings.find((d) => d.code === 'target.no-listener')).toEqual({
      severity: 'warning',
      code: 'target.no-listener',
      resource: { kind: 'VirtualService', namespace: 'ns', name: 's' },
      path: 'spec.provider.virtualNode',
      message: 'the provider VirtualNode n has no listeners, so the service cannot receive traffic',
      related: [
        { resource: { kind: 'VirtualNode', namespace: 'ns', name: 'n' }, path: 'spec', message: 'its spec' },
      ],
    });
    const router = buildMeshGraph({
      resources: [
        vr('r', { listeners: [], routes: [] }),
        vs('s', { provider: { virtualRouter: { virtualRouterRef: { name: 'r' } } } }),
      ].map((resource) => ({ resource: resource as unknown as AnyResource })),
    });
    expect(
      router.diagnostics.filter((d) => d.resource?.kind === 'VirtualService').map((d) => d.code),
    ).not.toContain('target.no-listener');
  });

  it('a provider with neither a node nor a router resolves nothing', () => {
    const g = buildMeshGraph({
      resources: [{ resource: vs('s', { provider: {} }) as unknown as AnyResource }],
    });
    expect(g.diagnostics.map((d) => d.code)).not.toContain('internal.error');
  });

  it('a shadowed Kubernetes form points at the service that owns it', () => {
    const r = check([vs('a'), vs('b', { awsName: 'a.ns.svc.cluster.local' })]);
    expect(r.warnings.find((d) => d.code === 'vs.hostname-shadowed')!.related).toEqual([
      {
        resource: { kind: 'VirtualService', namespace: 'ns', name: 'b' },
        path: 'spec.awsName',
        message: 'the service that owns the name',
      },
    ]);
  });

  it('a namespace-less service has no Kubernetes forms', () => {
    const e = {
      id: { kind: 'VirtualService', name: 's' },
      awsName: 's.ns',
      resource: vs('s') as unknown as AnyResource,
    } as ResourceEntry;
    expect(derivedHostnames(e, 'cluster.local')).toEqual([]);
    expect(derivedHostnames({ ...e, id: { ...e.id, namespace: 'ns' } }, 'cluster.local')).toEqual([
      's.ns.svc.cluster.local',
      's.ns.svc',
    ]);
  });
});
