import { describe, expect, it } from 'vitest';
import {
  gatewayRouteToCrd,
  meshToCrd,
  virtualGatewayToCrd,
  virtualNodeToCrd,
  virtualServiceToCrd,
} from '../model/api-form/index.js';
import { checkObject, type AnyResource } from '../model/index.js';
import { buildMeshGraph } from './build.js';
import { DEFAULT_QUOTAS, type Quotas } from './graph.js';
import {
  bg,
  check,
  dns,
  gr,
  httpRoute,
  listener,
  mesh,
  vg,
  vn,
  vr,
  vs,
  vsRef,
  type Raw,
} from './fixtures.testkit.js';
import { QUOTA_INFO, quotaNameOf } from './quotas.js';

const target = { virtualService: { virtualServiceRef: { name: 's' } } };
const grs = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    gr(`r${i}`, { httpRoute: { match: { prefix: `/${i}` }, action: { target } } }),
  );

interface QuotaCase {
  quota: keyof Quotas;
  /** Input with exactly `n` of the counted thing. */
  make: (n: number) => Raw[];
  path: string;
}

const cases: QuotaCase[] = [
  {
    quota: 'meshes',
    make: (n) => Array.from({ length: n - 1 }, (_, i) => mesh(`x${i}`, {})),
    path: 'metadata.name',
  },
  {
    quota: 'virtualNodesPerMesh',
    make: (n) => Array.from({ length: n }, (_, i) => vn(`n${i}`)),
    path: 'metadata.name',
  },
  {
    quota: 'virtualServicesPerMesh',
    make: (n) => Array.from({ length: n }, (_, i) => vs(`s${i}`)),
    path: 'metadata.name',
  },
  {
    quota: 'virtualRoutersPerMesh',
    make: (n) => [
      vn('t'),
      ...Array.from({ length: n }, (_, i) =>
        vr(`r${i}`, { listeners: [listener()], routes: [httpRoute('a', ['t'])] }),
      ),
    ],
    path: 'metadata.name',
  },
  {
    quota: 'virtualGatewaysPerMesh',
    make: (n) => Array.from({ length: n }, (_, i) => vg(`g${i}`, { listeners: [listener(8088)] })),
    path: 'metadata.name',
  },
  {
    quota: 'routesPerVirtualRouter',
    make: (n) => [
      vn('t'),
      vr('r', {
        listeners: [listener()],
        routes: Array.from({ length: n }, (_, i) => httpRoute(`a${i}`, ['t'])),
      }),
    ],
    path: 'spec.routes[2]',
  },
  {
    quota: 'gatewayRoutesPerVirtualGateway',
    make: (n) => [
      vn('t'),
      vs('s', { provider: { virtualNode: { virtualNodeRef: { name: 't' } } } }),
      vg('g', { namespaceSelector: {}, listeners: [listener(8088)] }),
      ...grs(n),
    ],
    path: 'metadata.name',
  },
  {
    quota: 'backendsPerVirtualNode',
    make: (n) => [
      ...Array.from({ length: n }, (_, i) => vs(`s${i}`)),
      vn('a', { serviceDiscovery: dns(), backends: Array.from({ length: n }, (_, i) => vsRef(`s${i}`)) }),
    ],
    path: 'spec.backends[2]',
  },
  {
    quota: 'weightedTargetsPerRoute',
    make: (n) => [
      ...Array.from({ length: n }, (_, i) => vn(`t${i}`)),
      vr('r', {
        listeners: [listener()],
        routes: [
          httpRoute(
            'a',
            Array.from({ length: n }, (_, i) => `t${i}`),
          ),
        ],
      }),
    ],
    path: 'spec.routes[0].httpRoute.action.weightedTargets[2]',
  },
];

describe('quotas (appmesh.md §5)', () => {
  it('defaults are App Mesh defaults', () => {
    expect(DEFAULT_QUOTAS).toMatchObject({
      meshes: 15,
      virtualNodesPerMesh: 200,
      virtualServicesPerMesh: 200,
      virtualRoutersPerMesh: 200,
      virtualGatewaysPerMesh: 3,
      routesPerVirtualRouter: 50,
      gatewayRoutesPerVirtualGateway: 10,
      backendsPerVirtualNode: 50,
      weightedTargetsPerRoute: 10,
    });
  });

  for (const c of cases) {
    it(`${c.quota}: at the limit is fine, one more is an error naming the quota, its limit and how to raise it`, () => {
      const options = { quotas: { [c.quota]: 2 } };
      const ok = check(c.make(2), { options });
      expect(ok.errors.filter((d) => d.code.startsWith('quota.'))).toEqual([]);
      const over = check(c.make(3), { options });
      const errors = over.errors.filter((d) => d.code === `quota.${c.quota}`);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.path).toBe(c.path);
      expect(errors[0]!.message).toContain(
        `"${QUOTA_INFO[c.quota].title}" (${QUOTA_INFO[c.quota].code}) is 2`,
      );
      expect(errors[0]!.message).toContain(`--quota ${c.quota}=3`);
      expect(errors[0]!.message).toContain(`quotas.${c.quota}`);
    });
  }

  it('resources past a per-mesh quota are refused (inactive), the rest are served', () => {
    const r = check([vn('a'), vn('b'), vn('c')], { options: { quotas: { virtualNodesPerMesh: 2 } } });
    const nodes = r.graph.meshes.get('m')!.virtualNodes;
    expect(nodes.get('a_ns')!.inactive).toBeUndefined();
    expect(nodes.get('c_ns')!.inactive?.reason).toBe('QuotaExceeded');
  });

  it('the default of 3 virtual gateways per mesh applies without options', () => {
    const r = check(Array.from({ length: 4 }, (_, i) => vg(`g${i}`, { listeners: [listener(8088)] })));
    expect(r.errors.map((d) => d.code)).toEqual(['quota.virtualGatewaysPerMesh']);
  });

  it('quota names and App Mesh codes are both accepted', () => {
    expect(quotaNameOf('virtualNodesPerMesh')).toBe('virtualNodesPerMesh');
    expect(quotaNameOf('L-E043DFB4')).toBe('virtualNodesPerMesh');
    expect(quotaNameOf('l-bb90b7ff')).toBe('routesPerVirtualRouter');
    expect(quotaNameOf('nodes')).toBeUndefined();
  });

  it('ignores nonsense overrides', () => {
    const r = check([vn('a')], { options: { quotas: { virtualNodesPerMesh: Number.NaN, meshes: -1 } } });
    expect(r.graph.options.quotas.virtualNodesPerMesh).toBe(200);
    expect(r.graph.options.quotas.meshes).toBe(15);
  });

  /** What each case's error counts, as its message begins. */
  const SCOPES: Record<keyof Quotas, string> = {
    meshes: 'the input',
    virtualNodesPerMesh: 'mesh m: virtual nodes',
    virtualServicesPerMesh: 'mesh m: virtual services',
    virtualRoutersPerMesh: 'mesh m: virtual routers',
    virtualGatewaysPerMesh: 'mesh m: virtual gateways',
    routesPerVirtualRouter: 'VirtualRouter r: routes',
    gatewayRoutesPerVirtualGateway: 'VirtualGateway ns/g: gateway routes',
    backendsPerVirtualNode: 'VirtualNode a: backends (with BackendGroups expanded)',
    weightedTargetsPerRoute: 'route a: weighted targets',
    listenersPerVirtualNode: 'VirtualNode n: listeners',
    listenersPerVirtualRouter: 'VirtualRouter r: listeners',
    listenersPerVirtualGateway: 'VirtualGateway g: listeners',
  };
  const messageOf = (q: keyof Quotas, count: number, limit: number) => {
    const { title, code, adjustable } = QUOTA_INFO[q];
    return `${SCOPES[q]}: ${count}; the quota "${title}" (${code ?? 'an Amime limit: App Mesh published none'}) is ${limit}${adjustable ? '' : ' (App Mesh does not allow raising this one)'}: raise it in Amime's configuration (quotas.${q}: ${count}) or with \`amime validate --quota ${q}=${count}\``;
  };

  for (const c of cases) {
    it(`${c.quota}: the message says what was counted`, () => {
      const over = check(c.make(3), { options: { quotas: { [c.quota]: 2 } } });
      expect(over.errors.filter((d) => d.code === `quota.${c.quota}`).map((d) => d.message)).toEqual([
        messageOf(c.quota, 3, 2),
      ]);
    });
  }

  it('listeners per node, router and gateway: Amime limits, reported at the first listener past them', () => {
    const listeners = (n: number) => Array.from({ length: n }, (_, i) => listener(8000 + i));
    const input = (n: number) => [
      vn('n', { listeners: listeners(n), serviceDiscovery: dns() }),
      vr('r', { listeners: listeners(n), routes: [] }),
      vg('g', { namespaceSelector: {}, listeners: listeners(n) }),
    ];
    const quotas = {
      listenersPerVirtualNode: 2,
      listenersPerVirtualRouter: 2,
      listenersPerVirtualGateway: 2,
    };
    expect(check(input(2), { options: { quotas } }).errors).toEqual([]);
    const over = check(input(3), { options: { quotas } }).errors;
    expect(over.map((d) => [d.code, d.path, d.message])).toEqual(
      (['listenersPerVirtualNode', 'listenersPerVirtualRouter', 'listenersPerVirtualGateway'] as const).map(
        (q) => [`quota.${q}`, 'spec.listeners[2]', messageOf(q, 3, 2)],
      ),
    );
  });

  it('a resource past a per-mesh quota is refused naming the quota; the error lists up to 20 others past it', () => {
    const r = check(
      Array.from({ length: 23 }, (_, i) => vs(`s${String(i).padStart(2, '0')}`)),
      { options: { quotas: { virtualServicesPerMesh: 1 } } },
    );
    const [error] = r.errors;
    expect(error!.resource?.name).toBe('s01');
    expect(error!.related!.map((x) => x.resource?.name)).toEqual(
      Array.from({ length: 20 }, (_, i) => `s${String(i + 2).padStart(2, '0')}`),
    );
    expect(error!.related![0]).toEqual({
      resource: { kind: 'VirtualService', namespace: 'ns', name: 's02' },
      path: 'metadata.name',
      message: 'also over the quota',
    });
    expect(r.graph.meshes.get('m')!.virtualServices.get('s22.ns')!.inactive).toEqual({
      reason: 'QuotaExceeded',
      message: 'over the quota "Virtual services per mesh" (L-DA7495A7)',
    });
  });

  it('a quota of 0 is no error where there is nothing to count', () => {
    const zero = Object.fromEntries(Object.keys(DEFAULT_QUOTAS).map((q) => [q, 0])) as Partial<Quotas>;
    const r = buildMeshGraph(
      {
        resources: [
          mesh(),
          vn('n', { listeners: [], serviceDiscovery: dns() }),
          vr('r', { listeners: [], routes: [] }),
          vr('bare', { listeners: [] }),
        ].map((resource) => ({ resource: resource as unknown as AnyResource })),
        namespaces: [{ name: 'ns', labels: { mesh: 'm' } }],
      },
      { quotas: { ...zero, meshes: 1, virtualNodesPerMesh: 1, virtualRoutersPerMesh: 2 } },
    );
    expect(r.counts).toEqual({ meshes: 1, resources: 3 });
    expect(r.diagnostics.filter((d) => d.code.startsWith('quota.') || d.code === 'internal.error')).toEqual(
      [],
    );
  });

  it('a route without an action, or of no known type, has no weighted targets to count', () => {
    const router = vr('r', {
      listeners: [listener()],
      routes: [{ name: 'a', httpRoute: { match: { prefix: '/' } } }, { name: 'b' }],
    });
    const r = buildMeshGraph(
      { resources: [mesh(), router].map((resource) => ({ resource: resource as unknown as AnyResource })) },
      { quotas: { weightedTargetsPerRoute: 0 } },
    );
    expect(r.diagnostics.filter((d) => d.code.startsWith('quota.') || d.code === 'internal.error')).toEqual(
      [],
    );
  });

  it('backends past the quota through BackendGroups are reported at spec.backendGroups', () => {
    const services = [vs('s0'), vs('s1'), vs('s2')];
    const group = bg('g', { virtualservices: [{ name: 's1' }, { name: 's2' }] });
    const paths = (node: Raw) =>
      check([...services, group, node], { options: { quotas: { backendsPerVirtualNode: 1 } } })
        .errors.filter((d) => d.code === 'quota.backendsPerVirtualNode')
        .map((d) => d.path);
    expect(paths(vn('a', { serviceDiscovery: dns(), backendGroups: [{ name: 'g' }] }))).toEqual([
      'spec.backendGroups',
    ]);
    expect(
      paths(vn('a', { serviceDiscovery: dns(), backends: [vsRef('s0')], backendGroups: [{ name: 'g' }] })),
    ).toEqual(['spec.backendGroups']);
  });

  it('a gateway route that failed schema validation does not count against its gateway', () => {
    const input = [
      vn('t'),
      vs('s', { provider: { virtualNode: { virtualNodeRef: { name: 't' } } } }),
      vg('g', { namespaceSelector: {}, listeners: [listener(8088)] }),
      ...grs(1),
      gr('broken', { httpRoute: { match: { prefix: 7 }, action: { target } } }),
    ];
    const r = check(input, { options: { quotas: { gatewayRoutesPerVirtualGateway: 1 } } });
    expect(r.errors.map((d) => d.code)).not.toContain('quota.gatewayRoutesPerVirtualGateway');
    expect(r.errors.map((d) => d.code)).toContain('schema.type');
  });

  it('names a namespace-less (REST API) gateway by its name alone', () => {
    const at = { mesh: 'm', meshRef: { name: 'm', uid: 'u' } };
    const onGateway = { ...at, virtualGatewayRef: { name: 'g', uid: 'ug' } };
    const route = (name: string) =>
      gatewayRouteToCrd(
        name,
        {
          httpRoute: {
            match: { prefix: `/${name}` },
            action: { target: { virtualService: { virtualServiceName: 's' } } },
          },
        },
        onGateway,
      );
    const objects = [
      meshToCrd('m'),
      virtualNodeToCrd('n', { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] }, at),
      virtualServiceToCrd('s', { provider: { virtualNode: { virtualNodeName: 'n' } } }, at),
      virtualGatewayToCrd('g', { listeners: [{ portMapping: { port: 8088, protocol: 'http' } }] }, at),
      route('a'),
      route('b'),
    ];
    const g = buildMeshGraph(
      { resources: objects.map((o) => ({ resource: checkObject(o).resource! })) },
      { quotas: { gatewayRoutesPerVirtualGateway: 1 } },
    );
    expect(
      g.diagnostics.filter((d) => d.code.startsWith('quota.')).map((d) => d.message.split(';')[0]),
    ).toEqual(['VirtualGateway g: gateway routes: 2']);
  });
});
