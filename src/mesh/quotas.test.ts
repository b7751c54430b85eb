import { describe, expect, it } from 'vitest';
import { DEFAULT_QUOTAS, type Quotas } from './graph.js';
import {
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
});
