import { describe, expect, it } from 'vitest';
import { check, dns, gr, httpRoute, listener, mesh, vg, vn, vr, vs, vsRef } from './fixtures.testkit.js';

const target = { virtualService: { virtualServiceRef: { name: 's' } } };
const chain = (routeTargets: string[]) => [
  vn('n'),
  vr('r', { listeners: [listener()], routes: [httpRoute('a', routeTargets)] }),
  vs('s', { provider: { virtualRouter: { virtualRouterRef: { name: 'r' } } } }),
  vg('g', { namespaceSelector: {}, listeners: [listener(8088)] }),
  gr('gr', { httpRoute: { match: { prefix: '/' }, action: { target } } }),
];

describe('activity: App Mesh reconcile order (appmesh.md §2.1)', () => {
  it('everything valid is active', () => {
    const r = check(chain(['n']));
    expect(r.diagnostics).toEqual([]);
    const v = r.graph.meshes.get('m')!;
    expect(
      [
        ...v.virtualNodes.values(),
        ...v.virtualRouters.values(),
        ...v.virtualServices.values(),
        ...v.virtualGateways.values(),
      ].map((x) => x.inactive),
    ).toEqual([undefined, undefined, undefined, undefined]);
    expect(v.virtualGateways.get('g_ns')!.routes[0]!.inactive).toBeUndefined();
  });

  it('a router with a missing target is invalid; its service and the gateway route wait (inactive, not errors)', () => {
    const r = check(chain(['n', 'missing']));
    expect(r.errors.map((d) => d.code)).toEqual(['ref.not-found']);
    const v = r.graph.meshes.get('m')!;
    expect(v.virtualRouters.get('r_ns')!.inactive?.reason).toBe('ValidationFailed');
    expect(v.virtualServices.get('s.ns')!.inactive).toMatchObject({ reason: 'DependencyNotActive' });
    expect(v.virtualServices.get('s.ns')!.inactive!.message).toContain('VirtualRouter ns/r');
    const route = v.virtualGateways.get('g_ns')!.routes[0]!;
    expect(route.inactive).toMatchObject({ reason: 'DependencyNotActive' });
    expect(route.inactive!.message).toContain('VirtualService ns/s');
    expect(v.virtualNodes.get('n_ns')!.inactive).toBeUndefined();
  });

  it('a VirtualNode does not wait for its backends (cycles are allowed)', () => {
    const r = check([
      vn('n', { listeners: [listener()], serviceDiscovery: dns(), backends: [vsRef('s')] }),
      vr('r', { listeners: [listener()], routes: [httpRoute('a', ['n', 'gone'])] }),
      vs('s', { provider: { virtualRouter: { virtualRouterRef: { name: 'r' } } } }),
    ]);
    const v = r.graph.meshes.get('m')!;
    expect(v.virtualServices.get('s.ns')!.inactive).toBeDefined();
    expect(v.virtualNodes.get('n_ns')!.inactive).toBeUndefined();
    expect(v.virtualNodes.get('n_ns')!.backends[0]).toMatchObject({ serviceName: 's.ns', found: true });
  });

  it('a reference to a resource that failed schema validation makes the referrer wait, without a second error', () => {
    const r = check([
      vn('n', { listeners: [{ portMapping: { port: 0, protocol: 'http' } }], serviceDiscovery: dns() }),
      vs('s', { provider: { virtualNode: { virtualNodeRef: { name: 'n' } } } }),
    ]);
    expect(r.errors.map((d) => `${d.code} @ ${d.path}`)).toEqual([
      'schema.range @ spec.listeners[0].portMapping.port',
    ]);
    expect(r.graph.meshes.get('m')!.virtualServices.get('s.ns')!.inactive?.message).toContain(
      'VirtualNode ns/n, which is invalid',
    );
  });

  it('an invalid Mesh makes every member inactive', () => {
    const r = check([mesh('m', { awsName: 'x'.repeat(300), namespaceSelector: {} }), vn('n')], {
      base: false,
      namespaces: [{ name: 'ns', labels: {} }],
    });
    expect(r.errors.map((d) => d.code)).toEqual(['name.aws-name-length']);
    const view = [...r.graph.meshes.values()][0]!;
    expect(view.mesh.inactive?.reason).toBe('ValidationFailed');
    expect(view.virtualNodes.get('n_ns')!.inactive?.reason).toBe('MeshNotActive');
  });

  it('a gateway route whose gateway is inactive waits for it', () => {
    const r = check([
      ...chain(['n']).slice(0, 3),
      vg('g', { namespaceSelector: {} }),
      gr('gr', { httpRoute: { match: { prefix: '/' }, action: { target } } }),
    ]);
    expect(r.errors.map((d) => d.code)).toEqual(['vg.listener-required']);
    const route = r.graph.meshes.get('m')!.virtualGateways.get('g_ns')!.routes[0]!;
    expect(route.inactive?.message).toContain('VirtualGateway ns/g');
  });

  it('a Mesh over the meshes quota is inactive, and so are its members', () => {
    const r = check(
      [
        mesh('m2', { namespaceSelector: { matchLabels: { mesh: 'm2' } } }),
        vn('n', undefined, { namespace: 'ns2' }),
      ],
      {
        options: { quotas: { meshes: 1 } },
        namespaces: [
          { name: 'ns', labels: { mesh: 'm' } },
          { name: 'ns2', labels: { mesh: 'm2' } },
        ],
      },
    );
    const m2 = r.graph.unplaced.find((u) => u.id.name === 'm2') ?? {
      inactive: r.graph.meshes.get('m2')?.mesh.inactive,
    };
    expect(m2.inactive?.reason).toBe('QuotaExceeded');
    const n = r.graph.unplaced.find((u) => u.id.name === 'n') ?? {
      inactive: r.graph.meshes.get('m2')?.virtualNodes.get('n_ns2')?.inactive,
    };
    expect(n.inactive).toEqual({
      reason: 'MeshNotActive',
      message: `Mesh m2 is not active: ${m2.inactive!.message}`,
    });
  });

  it('a resource over a quota in an inactive mesh names the quota', () => {
    const r = check([mesh('m', { awsName: 'x'.repeat(300), namespaceSelector: {} }), vn('a'), vn('b')], {
      base: false,
      namespaces: [{ name: 'ns', labels: {} }],
      options: { quotas: { virtualNodesPerMesh: 1 } },
    });
    const view = [...r.graph.meshes.values()][0]!;
    expect(view.virtualNodes.get('a_ns')!.inactive).toEqual({
      reason: 'MeshNotActive',
      message: `Mesh m is not active: ${view.mesh.inactive!.message}`,
    });
    expect(view.virtualNodes.get('b_ns')!.inactive?.reason).toBe('QuotaExceeded');
  });

  it('waiting for a resource that failed schema validation is DependencyNotActive', () => {
    const r = check([
      vn('n', { listeners: [{ portMapping: { port: 0, protocol: 'http' } }], serviceDiscovery: dns() }),
      vs('s', { provider: { virtualNode: { virtualNodeRef: { name: 'n' } } } }),
    ]);
    expect(r.graph.meshes.get('m')!.virtualServices.get('s.ns')!.inactive).toEqual({
      reason: 'DependencyNotActive',
      message: 'waits for VirtualNode ns/n, which is invalid',
    });
  });

  it('a dependency inactive only for its mesh is named as such', () => {
    // ns2 is selected by no Mesh: that is the Mesh's error, not the node's.
    const r = check(
      [
        vn('n', undefined, { namespace: 'ns2' }),
        vs('s', { provider: { virtualNode: { virtualNodeRef: { name: 'n', namespace: 'ns2' } } } }),
      ],
      {
        namespaces: [
          { name: 'ns', labels: { mesh: 'm' } },
          { name: 'ns2', labels: {} },
        ],
      },
    );
    const node = r.graph.unplaced.find((u) => u.id.name === 'n')!;
    expect(node.inactive).toEqual({ reason: 'MeshNotFound', message: 'no Mesh selects namespace ns2' });
    expect(r.graph.meshes.get('m')!.virtualServices.get('s.ns')!.inactive).toEqual({
      reason: 'DependencyNotActive',
      message:
        'waits for VirtualNode ns2/n, which is not active (MeshNotFound: no Mesh selects namespace ns2)',
    });
  });
});
