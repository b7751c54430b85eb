/**
 * Equivalence of the pipeline's incremental graph (incremental-graph.ts, splice.ts)
 * with the full build: after every step of random update sequences the graphs are
 * equal — every view, object and field, pointers compared as the names they point at
 * and checked to point at the object the graph holds under that name — and so are the
 * diagnostics. `npm test` runs a few sequences; `npm run test:equivalence` runs 1,000.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AnyResource } from '../model/index.js';
import { buildMeshGraph } from './build.js';
import type { GraphInput, MeshGraph, MeshView } from './graph.js';
import { canonicalDiagnostics } from './incremental.js';
import { IncrementalGraph } from './incremental-graph.js';
import {
  apiForm,
  everyNodeCallsOneRouter,
  initialMesh,
  OPTIONS,
  res,
  update,
  withRoutes,
} from './updates.testkit.js';

const SEQUENCES = Number(process.env.AMIME_EQUIVALENCE_SEQUENCES ?? 25);

/**
 * The graph as plain data in its maps' order; an object another points at is written
 * as `→<kind>/<mesh>/<name>`, after checking it is the one the graph holds so.
 */
export function canonicalGraph(graph: MeshGraph): string {
  const ref = (view: MeshView | undefined, slot: keyof Omit<MeshView, 'mesh'>, o: { awsName: string }) => {
    if (view?.[slot].get(o.awsName) !== o) throw new Error(`stale pointer to ${slot} ${o.awsName}`);
    return `→${slot}/${o.awsName}`;
  };
  const meshes = [...graph.meshes].map(([mesh, view]) => [
    mesh,
    view.mesh,
    [...view.virtualNodes].map(([n, o]) => [
      n,
      {
        ...o,
        backends: o.backends.map((b) => {
          if (b.found && !view.virtualServices.has(b.serviceName))
            throw new Error(`no service ${b.serviceName}`);
          return b;
        }),
      },
    ]),
    [...view.virtualServices].map(([n, o]) => [
      n,
      {
        ...o,
        provider:
          o.provider &&
          (o.provider.kind === 'virtualNode'
            ? ref(view, 'virtualNodes', o.provider.node)
            : ref(view, 'virtualRouters', o.provider.router)),
      },
    ]),
    [...view.virtualRouters].map(([n, o]) => [
      n,
      {
        ...o,
        routes: o.routes.map((r) => ({
          ...r,
          targets: r.targets.map((t) => ({ ...t, node: ref(view, 'virtualNodes', t.node) })),
        })),
      },
    ]),
    [...view.virtualGateways].map(([n, o]) => [
      n,
      {
        ...o,
        routes: o.routes.map((r) => ({
          ...r,
          target: { ...r.target, service: ref(view, 'virtualServices', r.target.service) },
        })),
      },
    ]),
  ]);
  return JSON.stringify({ meshes, unplaced: graph.unplaced, counts: graph.counts, options: graph.options });
}

function expectFullBuild(state: IncrementalGraph, where: string): void {
  const full = buildMeshGraph(state.input, OPTIONS);
  expect(canonicalGraph(state.graph), where).toBe(canonicalGraph(full));
  expect(canonicalDiagnostics(state.graph.diagnostics), where).toEqual(
    canonicalDiagnostics(full.diagnostics),
  );
}

const input = (resources: AnyResource[]): GraphInput => ({
  resources: resources.map((resource) => ({ resource })),
});

describe('incremental mesh graph (the pipeline)', () => {
  it('re-derives one router when its routes change, though every node calls it', () => {
    const { router, mesh } = everyNodeCallsOneRouter();
    let state = IncrementalGraph.build(input(mesh), OPTIONS);
    for (const target of ['c1', 'c2', 'c3']) {
      const resources = state.input.resources.map((r) =>
        r.resource.kind === 'VirtualRouter' ? { resource: router(target) } : r,
      );
      state = state.next({ ...state.input, resources });
      expect(state.how, target).toBe('incremental');
      expectFullBuild(state, target);
    }
    // A route the router's listener cannot carry makes it invalid, and the service waits for it.
    const tcp = router('c1');
    const [route] = (tcp.spec as { routes: Array<Record<string, unknown>> }).routes;
    route!.tcpRoute = { action: route!.httpRoute && (route!.httpRoute as { action: unknown }).action };
    delete route!.httpRoute;
    state = state.next({
      ...state.input,
      resources: state.input.resources.map((r) =>
        r.resource.kind === 'VirtualRouter' ? { resource: tcp } : r,
      ),
    });
    const all = state.graph.meshes.get('m')?.virtualServices.get('all.ns');
    expect(all?.inactive?.reason).toBe('DependencyNotActive');
    expectFullBuild(state, 'invalid route');
    expect(state.next(state.input).how).toBe('unchanged');
  });

  it('builds in full when resources are added or removed', () => {
    const state = IncrementalGraph.build(input([res('Mesh', 'm', {})]), OPTIONS);
    const added = state.next(input([res('Mesh', 'm', {}), res('VirtualService', 's', {})]));
    expect(added.how).toBe('full');
  });

  it.each([
    ['Kubernetes', (r: AnyResource) => r],
    ['REST API', apiForm],
  ] as const)(
    `%s form: equal to the full build, pointers included, after every step of ${SEQUENCES} random update sequences`,
    async (_form, shape) => {
      let steps = 0;
      let incremental = 0;
      const shaped = (list: AnyResource[]) => list.flatMap((r) => shape(r) ?? []);
      await fc.assert(
        fc.asyncProperty(
          initialMesh,
          fc.array(fc.array(update, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 10 }),
          async (resources, batches) => {
            // Each sequence lets the worker answer vitest's RPC: 1,000 in one blocking run
            // outlasted its 60 s timeout under load.
            await new Promise(setImmediate);
            let state = IncrementalGraph.build(input(shaped(resources)), OPTIONS);
            for (const batch of batches) {
              // One run of the pipeline may carry several writes (the debounce batches them).
              let next = state.input;
              for (const u of batch) {
                const r =
                  'routesOf' in u ? withRoutes({ input: next }, u.routesOf, u.routes, shape) : shape(u);
                if (!r) continue;
                const key = `${r.kind}/${r.metadata.name}`;
                next = {
                  ...next,
                  resources: next.resources.map((x) =>
                    `${x.resource.kind}/${x.resource.metadata.name}` === key ? { resource: r } : x,
                  ),
                };
              }
              state = state.next(next);
              steps++;
              if (state.how === 'incremental') incremental++;
              expectFullBuild(state, `step ${steps}`);
            }
          },
        ),
        { numRuns: SEQUENCES, seed: Number(process.env.AMIME_EQUIVALENCE_SEED ?? 0x19) },
      );
      // The incremental path must be what was compared, not the fallback alone.
      expect(incremental).toBeGreaterThan(steps / 10);
    },
    120_000,
  );
});

describe('IncrementalGraph.next: when to splice, keep or build in full', () => {
  const MESH = { ...res('Mesh', 'm', { namespaceSelector: {} }), metadata: { name: 'm' } } as AnyResource;
  const nodeSpec = (port = 8080, more: object = {}, host = 'x') => ({
    listeners: [{ portMapping: { port, protocol: 'http' } }],
    serviceDiscovery: { dns: { hostname: `${host}.ns.svc.cluster.local` } },
    ...more,
  });
  const nodes = (n: number) =>
    Array.from({ length: n }, (_, i) => res('VirtualNode', `n${i}`, nodeSpec(8080, {}, `n${i}`)));
  const NAMESPACES = [{ name: 'ns', labels: { mesh: 'm', team: 't' } }];
  /** `input` with the resource of that kind and name replaced. */
  const replace = (from: GraphInput, kind: string, name: string, resource: AnyResource): GraphInput => ({
    ...from,
    resources: from.resources.map((r) =>
      r.resource.kind === kind && r.resource.metadata.name === name ? { resource } : r,
    ),
  });

  it('keeps the graph when nothing changed, even in new but equal wrappers and namespace objects', () => {
    const start = IncrementalGraph.build({ ...input([MESH, ...nodes(3)]), namespaces: NAMESPACES }, OPTIONS);
    const same = start.next({
      resources: start.input.resources.map((r) => ({ ...r })),
      namespaces: NAMESPACES.map((n) => ({ ...n, labels: { ...n.labels } })),
    });
    expect(same.how).toBe('unchanged');
    expect(same.graph).toBe(start.graph);
  });

  it('builds in full when the namespaces change: labels, names or their locator', () => {
    const start = IncrementalGraph.build({ ...input([MESH, ...nodes(3)]), namespaces: NAMESPACES }, OPTIONS);
    const variants = [
      [{ name: 'ns', labels: { mesh: 'x', team: 't' } }],
      [{ name: 'ns', labels: { mesh: 'm', team: 'u' } }],
      [{ name: 'ns', labels: { mesh: 'm', team: 't', more: 'y' } }],
      [{ name: 'ns', labels: { mesh: 'm' } }],
      [{ name: 'ns', labels: {} }],
      [{ name: 'other', labels: { mesh: 'm', team: 't' } }],
      [{ name: 'ns', labels: { mesh: 'm', team: 't' }, locate: () => undefined }],
      [],
    ];
    for (const namespaces of variants) {
      const next = start.next({ ...start.input, namespaces });
      expect(next.how, JSON.stringify(namespaces)).toBe('full');
      expectFullBuild(next, JSON.stringify(namespaces));
    }
  });

  it('builds in full when pods or invalid resources change, keeps the graph when they are the same', () => {
    const pod = { namespace: 'ns', name: 'p', labels: { app: 'a' } };
    const invalid = { id: { kind: 'VirtualService', namespace: 'ns', name: 's' } };
    const start = IncrementalGraph.build(
      { ...input([MESH, ...nodes(2)]), pods: [pod], invalid: [invalid] },
      OPTIONS,
    );
    expect(start.next({ ...start.input }).how).toBe('unchanged');
    for (const change of [
      { pods: [{ ...pod }] },
      { pods: [] },
      { invalid: [{ ...invalid }] },
      { invalid: [] },
    ]) {
      const next = start.next({ ...start.input, ...change });
      expect(next.how, JSON.stringify(change)).toBe('full');
      expectFullBuild(next, JSON.stringify(change));
    }
  });

  it('a new locator or schema errors on the same resource object is a change', () => {
    const broken = res('VirtualService', 's', {
      provider: { virtualNode: { virtualNodeRef: { name: 'gone' } } },
    });
    const at = (file: string) => () => ({ file, line: 1, col: 1 });
    const start = IncrementalGraph.build(
      { resources: [{ resource: MESH }, { resource: broken, locate: at('a.yaml') }] },
      OPTIONS,
    );
    const sources = (g: IncrementalGraph) => g.graph.diagnostics.map((d) => d.source?.file);
    expect(sources(start)).toEqual(['a.yaml']);
    const moved = start.next({ resources: [{ resource: MESH }, { resource: broken, locate: at('b.yaml') }] });
    expect(moved.how).not.toBe('unchanged');
    expect(sources(moved)).toEqual(['b.yaml']);
    const node = res('VirtualNode', 'n', nodeSpec());
    const plain = IncrementalGraph.build(input([MESH, node]), OPTIONS);
    const partial = plain.next({
      resources: [{ resource: MESH }, { resource: node, schemaErrors: { removed: [] } }],
    });
    expect(partial.how).toBe('full');
    expectFullBuild(partial, 'schema errors');
  });

  it('builds in full when a resource is replaced by another one, even one with the same awsName', () => {
    const named = (name: string) => res('VirtualNode', name, nodeSpec(8080, { awsName: 'same' }));
    const others = nodes(3);
    const start = IncrementalGraph.build(input([MESH, named('a'), ...others]), OPTIONS, {
      neighbourhoodShare: 1,
    });
    const next = start.next({
      resources: start.input.resources.map((r, i) => (i === 1 ? { resource: named('b') } : r)),
    });
    expect(next.how).toBe('full');
    expectFullBuild(next, 'renamed');
  });

  it('splices up to 16 updates in one input; more are one full build', () => {
    const start = IncrementalGraph.build(input([MESH, ...nodes(20)]), OPTIONS);
    // New objects for the first `count` nodes; the others stay the very same objects.
    const changed = (count: number): GraphInput => ({
      resources: start.input.resources.map((r, i) =>
        i >= 1 && i <= count
          ? {
              resource: res(
                'VirtualNode',
                r.resource.metadata.name,
                nodeSpec(9090, {}, r.resource.metadata.name),
              ),
            }
          : r,
      ),
    });
    const sixteen = start.next(changed(16));
    expect(sixteen.how).toBe('incremental');
    expectFullBuild(sixteen, '16');
    const seventeen = start.next(changed(17));
    expect(seventeen.how).toBe('full');
    expectFullBuild(seventeen, '17');
  });

  it('builds in full for an update of a kind the splice does not handle', () => {
    const s = (node: string) =>
      res('VirtualService', 's', { provider: { virtualNode: { virtualNodeRef: { name: node } } } });
    const start = IncrementalGraph.build(input([MESH, ...nodes(4), s('n0')]), OPTIONS, {
      neighbourhoodShare: 1,
    });
    const next = start.next(replace(start.input, 'VirtualService', 's', s('n1')));
    expect(next.how).toBe('full');
    expectFullBuild(next, 'service');
  });

  it('builds in full when the neighbourhood is more than the given share of the mesh', () => {
    const { mesh } = everyNodeCallsOneRouter();
    // A node's listener: its router, that router's service and every caller of it are affected.
    const c0 = res('VirtualNode', 'c0', {
      ...(mesh.find((r) => r.metadata.name === 'c0')!.spec as object),
      listeners: [{ portMapping: { port: 9090, protocol: 'http' } }],
    });
    const byDefault = IncrementalGraph.build(input(mesh), OPTIONS);
    const half = byDefault.next(replace(byDefault.input, 'VirtualNode', 'c0', c0));
    expect(half.how).toBe('full');
    const whole = IncrementalGraph.build(input(mesh), OPTIONS, { neighbourhoodShare: 1 });
    const spliced = whole.next(replace(whole.input, 'VirtualNode', 'c0', c0));
    expect(spliced.how).toBe('incremental');
    expectFullBuild(spliced, 'share 1');
    const none = IncrementalGraph.build(input(mesh), OPTIONS, { neighbourhoodShare: 0 });
    expect(none.next(replace(none.input, 'VirtualNode', 'c0', c0)).how).toBe('full');
  });

  it('builds in full when the update brings a mesh-wide problem (a quota)', () => {
    const options = { quotas: { backendsPerVirtualNode: 1 } };
    const backends = (names: string[]) =>
      res(
        'VirtualNode',
        'n0',
        nodeSpec(8080, {
          backends: names.map((name) => ({ virtualService: { virtualServiceRef: { name } } })),
        }),
      );
    const start = IncrementalGraph.build(input([MESH, backends(['a']), ...nodes(6).slice(1)]), options, {
      neighbourhoodShare: 1,
    });
    expect(start.next(replace(start.input, 'VirtualNode', 'n0', backends(['b']))).how).toBe('incremental');
    const over = start.next(replace(start.input, 'VirtualNode', 'n0', backends(['a', 'b'])));
    expect(over.how).toBe('full');
    expect(over.graph.diagnostics.map((d) => d.code)).toContain('quota.backendsPerVirtualNode');
  });

  it('a node’s readers are re-derived when what they read of it changes', () => {
    const { mesh } = everyNodeCallsOneRouter();
    const state = IncrementalGraph.build(input(mesh), OPTIONS, { neighbourhoodShare: 1 });
    // rall routes to c0, which now has no listener.
    const c0 = res('VirtualNode', 'c0', {
      ...(mesh.find((r) => r.metadata.name === 'c0')!.spec as object),
      listeners: [],
    });
    const next = state.next(replace(state.input, 'VirtualNode', 'c0', c0));
    expect(next.how).toBe('incremental');
    expectFullBuild(next, 'tcp target');
    expect(canonicalDiagnostics(next.graph.diagnostics)).not.toEqual(
      canonicalDiagnostics(state.graph.diagnostics),
    );
  });

  it('a router whose routes make it inactive takes its readers along', () => {
    const { router, mesh } = everyNodeCallsOneRouter();
    const state = IncrementalGraph.build(input(mesh), OPTIONS, { neighbourhoodShare: 1 });
    const next = state.next(replace(state.input, 'VirtualRouter', 'rall', router('gone')));
    expect(next.how).toBe('incremental');
    expectFullBuild(next, 'dangling target');
    expect(next.graph.meshes.get('m')!.virtualServices.get('all.ns')!.inactive?.reason).toBe(
      'DependencyNotActive',
    );
  });

  it('unplaced resources keep their input order after a splice', () => {
    const elsewhere = (name: string, port: number) =>
      ({
        ...res('VirtualNode', name, nodeSpec(port)),
        metadata: { name, namespace: 'nomesh' },
      }) as AnyResource;
    const meshed = { ...MESH, spec: { namespaceSelector: { matchLabels: { mesh: 'm' } } } } as AnyResource;
    const namespaces = [
      { name: 'ns', labels: { mesh: 'm' } },
      { name: 'nomesh', labels: {} as Record<string, string> },
    ];
    const start = IncrementalGraph.build(
      {
        ...input([meshed, elsewhere('a', 1), ...nodes(4), elsewhere('b', 1), elsewhere('c', 1)]),
        namespaces,
      },
      OPTIONS,
      { neighbourhoodShare: 1 },
    );
    for (const name of ['b', 'a', 'c']) {
      const at = start.input.resources.findIndex((r) => r.resource.metadata.name === name);
      const resources = [...start.input.resources];
      resources[at] = { resource: elsewhere(name, 2) };
      const next = start.next({ ...start.input, resources });
      expect(next.how, name).toBe('incremental');
      expect(
        next.graph.unplaced.map((u) => u.id.name),
        name,
      ).toEqual(['a', 'b', 'c']);
      expectFullBuild(next, name);
    }
  });

  it('a router’s readers are re-derived when its listeners change (a gateway route’s target port)', () => {
    const { router, mesh } = everyNodeCallsOneRouter();
    const gateway = res('VirtualGateway', 'g', {
      namespaceSelector: {},
      listeners: [{ portMapping: { port: 8088, protocol: 'http' } }],
    });
    const route = res('GatewayRoute', 'gr', {
      httpRoute: {
        match: { prefix: '/' },
        action: { target: { virtualService: { virtualServiceRef: { name: 'all' } }, port: 8080 } },
      },
    });
    const state = IncrementalGraph.build(input([...mesh, gateway, route]), OPTIONS, {
      neighbourhoodShare: 1,
    });
    const moved = router('c0');
    (moved.spec as { listeners: unknown }).listeners = [{ portMapping: { port: 9090, protocol: 'http' } }];
    const next = state.next(replace(state.input, 'VirtualRouter', 'rall', moved));
    expect(next.how).toBe('incremental');
    expectFullBuild(next, 'router port');
    expect(next.graph.diagnostics.map((d) => d.resource?.name)).toContain('gr');
  });

  it('a neighbourhood of exactly the given share is still spliced', () => {
    // Two resources, one of them (the node) affected: half the mesh, the default share.
    const start = IncrementalGraph.build(input([MESH, nodes(1)[0]!]), OPTIONS);
    const next = start.next(
      replace(start.input, 'VirtualNode', 'n0', res('VirtualNode', 'n0', nodeSpec(9090, {}, 'n0'))),
    );
    expect(next.how).toBe('incremental');
    expectFullBuild(next, 'half');
  });
});
