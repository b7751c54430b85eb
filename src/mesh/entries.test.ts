import { describe, expect, it } from 'vitest';
import {
  gatewayRouteToCrd,
  meshToCrd,
  routeToCrd,
  virtualGatewayToCrd,
  virtualNodeToCrd,
  virtualRouterToCrd,
  virtualServiceToCrd,
  type GatewayToCrdContext,
  type ToCrdContext,
} from '../model/api-form/index.js';
import { checkObject, type AnyResource } from '../model/index.js';
import { buildMeshGraph } from './build.js';
import { check, summarize, vn } from './fixtures.testkit.js';
import type { MeshGraph } from './graph.js';

// Resources as the App Mesh REST API stores them: no namespace, names scoped by spec.meshRef (and virtualGatewayRef).
const listeners = [{ portMapping: { port: 80, protocol: 'http' as const } }];
const at = (mesh: string): ToCrdContext => ({ mesh, meshRef: { name: mesh, uid: `uid-${mesh}` } });
const onGateway = (mesh: string, gateway: string): GatewayToCrdContext => ({
  ...at(mesh),
  virtualGatewayRef: { name: gateway, uid: `uid-${gateway}` },
});
const node = (mesh: string, name: string, host = `${name}.${mesh}.local`) =>
  virtualNodeToCrd(name, { listeners, serviceDiscovery: { dns: { hostname: host } } }, at(mesh));
const service = (mesh: string, name: string, router: string) =>
  virtualServiceToCrd(name, { provider: { virtualRouter: { virtualRouterName: router } } }, at(mesh));
const gateway = (mesh: string, name: string) => virtualGatewayToCrd(name, { listeners }, at(mesh));
const gatewayRoute = (mesh: string, gw: string, name: string, target: string) =>
  gatewayRouteToCrd(
    name,
    {
      httpRoute: {
        match: { prefix: '/' },
        action: { target: { virtualService: { virtualServiceName: target } } },
      },
    },
    onGateway(mesh, gw),
  );
const router = (mesh: string, name: string, targets: string[]) =>
  virtualRouterToCrd(name, { listeners }, at(mesh), [
    routeToCrd(
      'r',
      {
        httpRoute: {
          match: { prefix: '/' },
          action: { weightedTargets: targets.map((t) => ({ virtualNode: t, weight: 1 })) },
        },
      },
      at(mesh),
    ),
  ]);

function build(objects: AnyResource[]): MeshGraph {
  return buildMeshGraph({
    resources: objects.map((o) => {
      const r = checkObject(o);
      if (!r.resource) throw new Error(`fixture does not validate: ${JSON.stringify(r.diagnostics)}`);
      return { resource: r.resource };
    }),
  });
}

const errorsOf = (g: MeshGraph) => g.diagnostics.filter((d) => d.severity === 'error');

describe('namespace-less (App Mesh API) resources are identified within their mesh', () => {
  it('same-named virtual nodes in two meshes are both valid, each in its own mesh', () => {
    const g = build([meshToCrd('m1'), meshToCrd('m2'), node('m1', 'vn'), node('m2', 'vn')]);
    expect(errorsOf(g)).toEqual([]);
    expect(g.unplaced).toEqual([]);
    for (const m of ['m1', 'm2']) {
      const n = g.meshes.get(m)!.virtualNodes.get('vn')!;
      expect(n.mesh).toBe(m);
      expect(n.inactive).toBeUndefined();
      expect(n.resource.spec.serviceDiscovery?.dns?.hostname).toBe(`vn.${m}.local`);
    }
  });

  it('same-named gateway routes on two gateways of one mesh are both valid, each on its own gateway', () => {
    const g = build([
      meshToCrd('m'),
      node('m', 'vn'),
      router('m', 'vr', ['vn']),
      service('m', 's1', 'vr'),
      service('m', 's2', 'vr'),
      gateway('m', 'g1'),
      gateway('m', 'g2'),
      gatewayRoute('m', 'g1', 'gr', 's1'),
      gatewayRoute('m', 'g2', 'gr', 's2'),
    ]);
    expect(errorsOf(g)).toEqual([]);
    expect(g.unplaced).toEqual([]);
    const view = g.meshes.get('m')!;
    for (const [gw, target] of [
      ['g1', 's1'],
      ['g2', 's2'],
    ] as const) {
      const routes = view.virtualGateways.get(gw)!.routes;
      expect(routes.map((r) => [r.awsName, r.gateway, r.target.service.awsName, r.inactive])).toEqual([
        ['gr', gw, target, undefined],
      ]);
    }
  });

  it('same-named routers in two meshes route to their own mesh’s same-named nodes (by ARN)', () => {
    const g = build([
      meshToCrd('m1'),
      meshToCrd('m2'),
      node('m1', 'vn'),
      node('m2', 'vn'),
      router('m1', 'vr', ['vn']),
      router('m2', 'vr', ['vn']),
      service('m1', 'svc', 'vr'),
      service('m2', 'svc', 'vr'),
    ]);
    expect(errorsOf(g)).toEqual([]);
    for (const m of ['m1', 'm2']) {
      const view = g.meshes.get(m)!;
      const vr = view.virtualRouters.get('vr')!;
      expect(vr.mesh).toBe(m);
      expect(vr.inactive).toBeUndefined();
      const target = vr.routes[0]!.targets[0]!.node;
      expect(target).toBe(view.virtualNodes.get('vn'));
      expect(target.resource.spec.serviceDiscovery?.dns?.hostname).toBe(`vn.${m}.local`);
      const provider = view.virtualServices.get('svc')!.provider;
      expect(provider?.kind === 'virtualRouter' && provider.router).toBe(vr);
    }
  });

  it('a Ref without namespace from a namespace-less resource looks in the referrer’s mesh, not in another mesh', () => {
    const byRef = (mesh: string) => {
      const r = router(mesh, 'vr', []);
      r.spec.routes = [
        {
          name: 'r',
          httpRoute: {
            match: { prefix: '/' },
            action: { weightedTargets: [{ virtualNodeRef: { name: 'vn' }, weight: 1 }] },
          },
        },
      ];
      return r;
    };
    const g = build([
      meshToCrd('m1'),
      meshToCrd('m2'),
      node('m1', 'vn'),
      node('m2', 'vn'),
      byRef('m1'),
      byRef('m2'),
    ]);
    expect(errorsOf(g)).toEqual([]);
    for (const m of ['m1', 'm2']) {
      const view = g.meshes.get(m)!;
      expect(view.virtualRouters.get('vr')!.routes[0]!.targets[0]!.node).toBe(view.virtualNodes.get('vn'));
    }
    // The name does not leak into another mesh: m2 has no node 'only1'.
    const lonely = byRef('m2');
    lonely.spec.routes = [
      {
        name: 'r',
        httpRoute: {
          match: { prefix: '/' },
          action: { weightedTargets: [{ virtualNodeRef: { name: 'only1' }, weight: 1 }] },
        },
      },
    ];
    const h = build([meshToCrd('m1'), meshToCrd('m2'), node('m1', 'only1'), lonely]);
    expect(summarize(errorsOf(h))).toEqual([
      'error ref.not-found @ spec.routes[0].httpRoute.action.weightedTargets[0].virtualNodeRef',
    ]);
  });

  it('a gateway route finds its gateway in its own mesh when two meshes have a gateway of that name', () => {
    const world = (m: string) => [
      node(m, 'vn'),
      router(m, 'vr', ['vn']),
      service(m, 's', 'vr'),
      gateway(m, 'g'),
      gatewayRoute(m, 'g', 'gr', 's'),
    ];
    const g = build([meshToCrd('m1'), meshToCrd('m2'), ...world('m1'), ...world('m2')]);
    expect(errorsOf(g)).toEqual([]);
    for (const m of ['m1', 'm2']) {
      const gw = g.meshes.get(m)!.virtualGateways.get('g')!;
      expect(gw.routes.map((r) => [r.awsName, r.mesh, r.target.service.mesh])).toEqual([['gr', m, m]]);
    }
  });

  it('a real duplicate (same mesh, same name) is still an error, naming the mesh', () => {
    const g = build([
      meshToCrd('m1'),
      meshToCrd('m2'),
      node('m1', 'vn', 'a.local'),
      node('m2', 'vn'),
      node('m1', 'vn', 'b.local'),
    ]);
    expect(summarize(errorsOf(g))).toEqual(['error resource.duplicate @ metadata.name']);
    expect(errorsOf(g)[0]!.message).toBe(
      'VirtualNode vn in mesh m1 is defined more than once; only the first definition is used',
    );
    expect(g.meshes.get('m1')!.virtualNodes.get('vn')!.resource.spec.serviceDiscovery?.dns?.hostname).toBe(
      'a.local',
    );
  });

  it('a real duplicate gateway route (same gateway, same name) is still an error, naming the gateway', () => {
    const g = build([
      meshToCrd('m'),
      node('m', 'vn'),
      router('m', 'vr', ['vn']),
      service('m', 's', 'vr'),
      gateway('m', 'g1'),
      gatewayRoute('m', 'g1', 'gr', 's'),
      gatewayRoute('m', 'g1', 'gr', 's'),
    ]);
    expect(summarize(errorsOf(g))).toEqual(['error resource.duplicate @ metadata.name']);
    expect(errorsOf(g)[0]!.message).toBe(
      'GatewayRoute gr on VirtualGateway g1 in mesh m is defined more than once; only the first definition is used',
    );
  });

  it('Kubernetes-form (namespaced) duplicates keep their identity and message', () => {
    const r = check([vn('a'), vn('a')]);
    expect(summarize(r.errors)).toEqual(['error resource.duplicate @ metadata.name']);
    expect(r.errors[0]!.message).toBe(
      'VirtualNode ns/a is defined more than once; only the first definition is used',
    );
  });

  it('a namespace-less resource never collides with a namespaced one of the same name', () => {
    const k8sMesh = {
      ...meshToCrd('m'),
      spec: { awsName: 'm', namespaceSelector: { matchLabels: { mesh: 'm' } } },
    };
    const namespaced = {
      ...node('m', 'vn'),
      metadata: { name: 'vn', namespace: 'ns' },
      spec: { listeners, serviceDiscovery: { dns: { hostname: 'k8s.local' } }, awsName: 'vn_ns' },
    };
    const g = buildMeshGraph({
      resources: [k8sMesh, namespaced, node('m', 'vn')].map((o) => ({ resource: checkObject(o).resource! })),
      namespaces: [{ name: 'ns', labels: { mesh: 'm' } }],
    });
    expect(errorsOf(g)).toEqual([]);
    expect([...g.meshes.get('m')!.virtualNodes.keys()].sort()).toEqual(['vn', 'vn_ns']);
  });
});

describe('namespace-less gateway routes and Kubernetes gateways', () => {
  it('a Kubernetes gateway whose selectors would match does not contradict an API route’s virtualGatewayRef', () => {
    const k8sGateway = {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'VirtualGateway',
      metadata: { name: 'kg', namespace: 'kns' },
      spec: { namespaceSelector: {}, listeners },
    };
    const k8sMesh = {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'Mesh',
      metadata: { name: 'k' },
      spec: { namespaceSelector: {} },
    };
    const g = buildMeshGraph({
      resources: [
        meshToCrd('m'),
        k8sMesh,
        k8sGateway,
        node('m', 'vn'),
        router('m', 'vr', ['vn']),
        service('m', 's', 'vr'),
        gateway('m', 'g1'),
        gatewayRoute('m', 'g1', 'gr', 's'),
      ].map((o) => ({
        resource: checkObject(o).resource!,
      })),
      namespaces: [{ name: 'kns', labels: {} }],
    });
    expect(errorsOf(g)).toEqual([]);
    expect(
      g.meshes
        .get('m')!
        .virtualGateways.get('g1')!
        .routes.map((r) => r.awsName),
    ).toEqual(['gr']);
  });
});

describe('indexInput: what the graph accepts as a resource', () => {
  const VN_SPEC = { listeners, serviceDiscovery: { dns: { hostname: 'h.local' } } };
  const raw = (o: Record<string, unknown>) => ({ resource: o as unknown as AnyResource });
  const here = { file: 'in.yaml', line: 3, col: 1 };

  it('a malformed item is one graph.malformed-input error at the item, and the others are still built', () => {
    const g = buildMeshGraph({
      resources: [
        raw({ kind: 'VirtualNode', metadata: { name: 'ok', namespace: 'ns' }, spec: VN_SPEC }),
        { ...raw({ kind: 'VirtualNode', metadata: {}, spec: {} }), locate: () => here },
        null as unknown as { resource: AnyResource },
        {} as { resource: AnyResource },
      ],
    });
    const message =
      'not an App Mesh resource the graph can use (it needs a known kind, metadata.name and a spec mapping); run it through checkObject first';
    expect(g.diagnostics.filter((d) => d.code !== 'mesh.no-mesh')).toEqual([
      {
        severity: 'error',
        code: 'graph.malformed-input',
        resource: { kind: 'VirtualNode', name: '#1' },
        path: '',
        message,
        source: here,
      },
      {
        severity: 'error',
        code: 'graph.malformed-input',
        resource: { kind: 'Unknown', name: '#2' },
        path: '',
        message,
      },
      {
        severity: 'error',
        code: 'graph.malformed-input',
        resource: { kind: 'Unknown', name: '#3' },
        path: '',
        message,
      },
    ]);
    expect(g.diagnostics.filter((d) => d.code === 'mesh.no-mesh').map((d) => d.resource?.name)).toEqual([
      'ok',
    ]);
  });

  it('needs a known kind, a metadata mapping with a non-empty string name, and a spec mapping', () => {
    const good = { kind: 'VirtualNode', metadata: { name: 'n', namespace: 'ns' }, spec: VN_SPEC };
    const bad: Array<Record<string, unknown> | null> = [
      null,
      { ...good, kind: 'Pod' },
      { ...good, metadata: undefined },
      { ...good, metadata: null },
      { ...good, metadata: ['n'] },
      { ...good, spec: undefined },
      { ...good, spec: null },
      { ...good, spec: [] },
      { ...good, metadata: { namespace: 'ns' } },
      { ...good, metadata: { name: 7, namespace: 'ns' } },
      { ...good, metadata: { name: '', namespace: 'ns' } },
    ];
    for (const resource of bad) {
      const g = buildMeshGraph({ resources: [raw(resource as Record<string, unknown>)] });
      expect(summarize(g.diagnostics), JSON.stringify(resource)).toEqual(['error graph.malformed-input @ ']);
    }
    const ok = buildMeshGraph({ resources: [raw(good)] });
    expect(summarize(ok.diagnostics)).toEqual(['error mesh.no-mesh @ metadata.namespace']);
  });

  it('a namespaced kind without a string namespace has none, and must name its mesh', () => {
    for (const namespace of [undefined, '', 7]) {
      const g = buildMeshGraph({
        resources: [raw({ kind: 'VirtualNode', metadata: { name: 'n', namespace }, spec: VN_SPEC })],
      });
      expect(
        g.diagnostics.map((d) => `${d.code} @ ${d.path} ${JSON.stringify(d.resource)}`),
        String(namespace),
      ).toEqual(['mesh.no-membership @ spec.meshRef {"kind":"VirtualNode","name":"n"}']);
    }
  });

  it('a Mesh is cluster-scoped: a namespace on it is ignored', () => {
    const g = buildMeshGraph({
      resources: [
        raw({ kind: 'Mesh', metadata: { name: 'm', namespace: 'a' }, spec: {} }),
        raw({ kind: 'Mesh', metadata: { name: 'm' }, spec: {} }),
      ],
    });
    expect(g.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      'resource.duplicate Mesh m is defined more than once; only the first definition is used',
    ]);
    expect(g.diagnostics[0]!.resource).toEqual({ kind: 'Mesh', name: 'm' });
  });

  it('a duplicate points at the first definition', () => {
    const first = { file: 'a.yaml', line: 1, col: 1 };
    const g = buildMeshGraph({
      resources: [
        { ...raw({ kind: 'Mesh', metadata: { name: 'm' }, spec: {} }), locate: () => first },
        raw({ kind: 'Mesh', metadata: { name: 'm' }, spec: {} }),
      ],
    });
    expect(g.diagnostics[0]!.related).toEqual([
      {
        resource: { kind: 'Mesh', name: 'm' },
        path: 'metadata.name',
        source: first,
        message: 'first defined here',
      },
    ]);
  });

  it('only namespace-less resources are scoped by their meshRef; a Mesh never is', () => {
    const withRef = (kind: string, name: string, namespace?: string) =>
      raw({
        kind,
        metadata: { name, ...(namespace ? { namespace } : {}) },
        spec: { ...(kind === 'VirtualNode' ? VN_SPEC : {}), meshRef: { name: 'm', uid: 'u' } },
      });
    const messages = (resources: Array<{ resource: AnyResource }>) =>
      buildMeshGraph({ resources, namespaces: [{ name: 'ns', labels: {} }] })
        .diagnostics.filter((d) => d.code === 'resource.duplicate')
        .map((d) => d.message);
    expect(messages([withRef('VirtualNode', 'n', 'ns'), withRef('VirtualNode', 'n', 'ns')])).toEqual([
      'VirtualNode ns/n is defined more than once; only the first definition is used',
    ]);
    expect(messages([withRef('Mesh', 'm'), withRef('Mesh', 'm')])).toEqual([
      'Mesh m is defined more than once; only the first definition is used',
    ]);
    expect(
      messages([withRef('Mesh', 'm'), raw({ kind: 'Mesh', metadata: { name: 'm' }, spec: {} })]),
    ).toHaveLength(1);
  });

  it('a meshRef without a non-empty string name gives no scope', () => {
    for (const meshRef of [{ name: '' }, { name: 7 }, 'm', null]) {
      const n = raw({ kind: 'VirtualNode', metadata: { name: 'n' }, spec: { ...VN_SPEC, meshRef } });
      const g = buildMeshGraph({ resources: [n, n] });
      expect(
        g.diagnostics.filter((d) => d.code === 'resource.duplicate').map((d) => d.message),
        JSON.stringify(meshRef),
      ).toEqual(['VirtualNode n is defined more than once; only the first definition is used']);
    }
  });

  it('only gateway routes are scoped by a virtualGatewayRef too', () => {
    const n = (gw?: unknown) =>
      raw({
        kind: 'VirtualNode',
        metadata: { name: 'n' },
        spec: { ...VN_SPEC, meshRef: { name: 'm', uid: 'u' }, ...(gw ? { virtualGatewayRef: gw } : {}) },
      });
    const g = buildMeshGraph({
      resources: [{ resource: meshToCrd('m') }, n(), n({ name: 'g' })],
    });
    expect(g.diagnostics.filter((d) => d.code === 'resource.duplicate').map((d) => d.message)).toEqual([
      'VirtualNode n in mesh m is defined more than once; only the first definition is used',
    ]);
  });

  it('a gateway route is scoped by its gateway’s namespace when it names one', () => {
    const route = (gw: Record<string, unknown> | undefined) =>
      raw({
        kind: 'GatewayRoute',
        metadata: { name: 'r' },
        spec: { meshRef: { name: 'm', uid: 'u' }, ...(gw ? { virtualGatewayRef: gw } : {}) },
      });
    const duplicates = (a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined) =>
      buildMeshGraph({ resources: [route(a), route(b)] })
        .diagnostics.filter((d) => d.code === 'resource.duplicate')
        .map((d) => d.message);
    expect(duplicates({ name: 'g', namespace: 'a' }, { name: 'g', namespace: 'b' })).toEqual([]);
    expect(duplicates({ name: 'g', namespace: 'a' }, { name: 'g', namespace: 'a' })).toEqual([
      'GatewayRoute r on VirtualGateway a/g in mesh m is defined more than once; only the first definition is used',
    ]);
    for (const namespace of ['', 7, undefined])
      expect(duplicates({ name: 'g', namespace }, { name: 'g' }), String(namespace)).toEqual([
        'GatewayRoute r on VirtualGateway g in mesh m is defined more than once; only the first definition is used',
      ]);
    for (const gw of [undefined, { name: '' }, { namespace: 'a' }])
      expect(duplicates(gw, undefined), JSON.stringify(gw)).toEqual([
        'GatewayRoute r in mesh m is defined more than once; only the first definition is used',
      ]);
  });

  it('missing lists, unusable namespaces and invalid ids are ignored; the first namespace of a name counts', () => {
    const objects = [
      { kind: 'Mesh', metadata: { name: 'm' }, spec: { namespaceSelector: { matchLabels: { mesh: 'm' } } } },
      { kind: 'VirtualNode', metadata: { name: 'n', namespace: 'ns' }, spec: VN_SPEC },
    ].map(raw);
    const clean = buildMeshGraph({ resources: objects, namespaces: [{ name: 'ns', labels: { mesh: 'm' } }] });
    expect(clean.diagnostics).toEqual([]);
    const noisy = buildMeshGraph({
      resources: objects,
      namespaces: [
        null,
        { name: 7, labels: { mesh: 'm' } },
        { name: 'ns', labels: { mesh: 'm' } },
        { name: 'ns', labels: { mesh: 'other' } },
      ] as never,
      invalid: [null, {}, { id: null }, { id: { kind: 'Mesh', name: 7 } }] as never,
    });
    expect(noisy.diagnostics).toEqual([]);
    expect([...noisy.meshes.get('m')!.virtualNodes.keys()]).toEqual(['n_ns']);
    // An unusable invalid Mesh is not taken for a broken Mesh that would explain a namespace without one.
    const unselected = (invalid: unknown) =>
      buildMeshGraph({
        resources: objects,
        namespaces: [{ name: 'ns', labels: { mesh: 'other' } }],
        invalid: invalid as never,
      }).diagnostics;
    expect(summarize(unselected([]))).toEqual(['error mesh.no-matching-mesh @ spec.namespaceSelector']);
    expect(unselected([{ id: { kind: 'Mesh', name: 7 } }])).toEqual(unselected([]));
    expect(unselected([{ id: { kind: 'Mesh', name: 'x' } }])).toEqual([]);
    // Labels that are not a mapping count as none.
    const unlabelled = buildMeshGraph({
      resources: objects,
      namespaces: [{ name: 'ns', labels: 'mesh=m' as never }],
    });
    expect(summarize(unlabelled.diagnostics)).toEqual([expect.stringMatching(/^error mesh\./)]);
    // Without any list at all there is nothing to say.
    expect(buildMeshGraph({} as never).diagnostics).toEqual([]);
    expect(buildMeshGraph({ resources: [] }).diagnostics).toEqual([]);
  });
});
