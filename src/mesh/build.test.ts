import { describe, expect, it } from 'vitest';
import type { InputResource } from './graph.js';
import { buildMeshGraph } from './build.js';
import { check, gr, httpRoute, listener, vg, vn, vr, vs } from './fixtures.testkit.js';

const world = () => [
  vn('n'),
  vr('r', { listeners: [listener()], routes: [httpRoute('a', ['n', 'missing'])] }),
  vs('s', { provider: { virtualRouter: { virtualRouterRef: { name: 'r' } } } }),
  vg('g', { namespaceSelector: {}, listeners: [listener(8088)] }),
  gr('x', {
    httpRoute: {
      match: { prefix: '/' },
      action: { target: { virtualService: { virtualServiceRef: { name: 's' } } } },
    },
  }),
];

describe('buildMeshGraph', () => {
  it('is deterministic: the same input gives the same diagnostics and the same graph shape', () => {
    const a = check(world());
    const b = check(world());
    expect(JSON.stringify(a.diagnostics)).toBe(JSON.stringify(b.diagnostics));
    expect([...a.graph.meshes.get('m')!.virtualNodes.keys()]).toEqual([
      ...b.graph.meshes.get('m')!.virtualNodes.keys(),
    ]);
  });

  it('counts meshes and other resources', () => {
    expect(check(world()).graph.counts).toEqual({ meshes: 1, resources: 5 });
  });

  it('reports the options it used', () => {
    const g = check([], {
      options: { clusterDomain: 'corp', enableBackendGroups: false, quotas: { meshes: 2 } },
    }).graph;
    expect(g.options.clusterDomain).toBe('corp');
    expect(g.options.enableBackendGroups).toBe(false);
    expect(g.options.quotas.meshes).toBe(2);
    expect(g.options.quotas.virtualNodesPerMesh).toBe(200);
  });

  it('an empty cluster domain is the default one; quota overrides must be finite numbers of at least 0', () => {
    const g = check([vs('s')], {
      options: {
        clusterDomain: '',
        quotas: { meshes: 0, virtualNodesPerMesh: Infinity, routesPerVirtualRouter: 2.7 },
      },
    }).graph;
    expect(g.options.clusterDomain).toBe('cluster.local');
    expect(g.meshes.get('m')?.virtualServices.get('s.ns')?.hostnames ?? []).toContain(
      's.ns.svc.cluster.local',
    );
    expect(g.options.quotas.meshes).toBe(0);
    expect(g.options.quotas.virtualNodesPerMesh).toBe(200);
    expect(g.options.quotas.routesPerVirtualRouter).toBe(2);
  });

  it('an exception while building is one internal error, and an empty graph', () => {
    const input = {
      get resources(): never {
        throw new Error('boom');
      },
    };
    const g = buildMeshGraph(input);
    expect(g.diagnostics).toEqual([
      {
        severity: 'error',
        code: 'internal.error',
        path: '',
        message: 'internal error while building the mesh graph (please report it): boom',
      },
    ]);
    expect(g.meshes.size).toBe(0);
    expect(g.unplaced).toEqual([]);
    expect(g.counts).toEqual({ meshes: 0, resources: 0 });
    expect(buildMeshGraph(null as never).diagnostics).toEqual([]);
  });

  it('lists resources without a mesh as unplaced, in input order, each with a reason', () => {
    const r = check(world(), { namespaces: [{ name: 'ns', labels: {} }] });
    expect(r.graph.unplaced.map((u) => u.id.name)).toEqual(['n', 'r', 's', 'g', 'x']);
    expect(r.graph.unplaced.every((u) => u.inactive.reason.length > 0 && u.inactive.message.length > 0)).toBe(
      true,
    );
  });

  it('never throws, whatever it is given', () => {
    const junk: unknown[] = [
      null,
      undefined,
      42,
      'str',
      [],
      {},
      { resource: null },
      { resource: { kind: 'VirtualNode' } },
      {
        resource: {
          kind: 'VirtualNode',
          metadata: { name: 'a', namespace: 'ns' },
          spec: { listeners: 'x', backends: [null, 1, { virtualService: null }] },
        },
      },
      {
        resource: {
          kind: 'VirtualRouter',
          metadata: { name: 'r', namespace: 'ns' },
          spec: { listeners: [null], routes: [null, { name: 1 }, { httpRoute: null }] },
        },
      },
      {
        resource: {
          kind: 'GatewayRoute',
          metadata: { name: 'g', namespace: 'ns', labels: null },
          spec: { httpRoute: { match: null } },
        },
      },
      {
        resource: {
          kind: 'Mesh',
          metadata: { name: 'm' },
          spec: { namespaceSelector: { matchLabels: null, matchExpressions: [null] } },
        },
      },
      {
        resource: {
          kind: 'VirtualService',
          metadata: { name: 's', namespace: 'ns' },
          spec: { provider: { virtualNode: { virtualNodeARN: 7 } } },
        },
      },
      {
        resource: {
          kind: 'BackendGroup',
          metadata: { name: 'b', namespace: 'ns' },
          spec: { virtualservices: [{ name: '*' }, null] },
        },
      },
    ];
    const g = buildMeshGraph({
      resources: junk as InputResource[],
      namespaces: [null, { name: 'ns', labels: null }] as never,
      pods: [null, { namespace: 'ns', name: 'p', labels: null }] as never,
    });
    expect(Array.isArray(g.diagnostics)).toBe(true);
    expect(buildMeshGraph(null as never).diagnostics).toEqual([]);
    expect(buildMeshGraph({ resources: 'x' } as never).counts).toEqual({ meshes: 0, resources: 0 });
  });

  it('a throwing locator does not break the build', () => {
    const g = buildMeshGraph({
      resources: [
        {
          resource: {
            apiVersion: 'appmesh.k8s.aws/v1beta2',
            kind: 'VirtualNode',
            metadata: { name: 'a', namespace: 'ns' },
            spec: { listeners: [] },
          },
          locate: () => {
            throw new Error('boom');
          },
        },
      ],
    });
    expect(g.diagnostics.map((d) => d.code)).toContain('vn.service-discovery-required');
  });

  it('sorts diagnostics by file, line and column', () => {
    const at = (line: number) => () => ({ file: 'a.yaml', line, col: 1 });
    const mk = (name: string): InputResource => ({
      resource: {
        apiVersion: 'appmesh.k8s.aws/v1beta2',
        kind: 'VirtualNode',
        metadata: { name, namespace: 'ns' },
        spec: { listeners: [] },
      },
      locate: at(name === 'late' ? 50 : 5),
    });
    const g = buildMeshGraph({
      resources: [mk('late'), mk('early')],
      namespaces: [{ name: 'ns', labels: {} }],
    });
    const lines = g.diagnostics.filter((d) => d.source).map((d) => d.source!.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });
});
