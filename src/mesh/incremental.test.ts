/**
 * Equivalence of the incremental diagnostics (incremental.ts) with the full build:
 * random meshes (dangling references, wrong ports and protocols, gateways) and random
 * update sequences, compared after every step. `npm test` runs a few sequences;
 * `npm run test:equivalence` runs 1,000 (AMIME_EQUIVALENCE_SEQUENCES).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultAwsName, type AnyResource } from '../model/index.js';
import { buildMeshGraph } from './build.js';
import type { Diagnostic } from '../model/index.js';
import {
  canonicalDiagnostics,
  eligibleUpdate,
  hasMeshWide,
  MeshDiagnostics,
  readersSeeChange,
  referencedNames,
} from './incremental.js';
import {
  apiForm,
  everyNodeCallsOneRouter,
  initialMesh,
  OPTIONS,
  res,
  update,
  withRoutes,
} from './updates.testkit.js';

const sameKey = (a: AnyResource, b: AnyResource) =>
  a.kind === b.kind && a.metadata.name === b.metadata.name && a.metadata.namespace === b.metadata.namespace;

const SEQUENCES = Number(process.env.AMIME_EQUIVALENCE_SEQUENCES ?? 25);

describe('incremental diagnostics', () => {
  it('finds the names a resource refers to (Refs and ARNs)', () => {
    const names = referencedNames(
      res('VirtualNode', 'x', {
        backends: [
          { virtualService: { virtualServiceRef: { name: 'a' } } },
          { virtualService: { virtualServiceARN: 'arn:aws:appmesh:us-west-2:1:mesh/m/virtualService/b.ns' } },
        ],
      }),
    );
    expect([...names].sort()).toEqual(['a', 'b.ns']);
  });

  it('re-derives only the router when an update changes its routes alone, though every node calls it', () => {
    const { router, mesh } = everyNodeCallsOneRouter();
    const state = MeshDiagnostics.build({ resources: mesh.map((resource) => ({ resource })) }, OPTIONS);
    for (const target of ['c1', 'gone', 'c2']) {
      const next = state.update(router(target));
      expect(next.incremental, target).toBe(true);
      const full = buildMeshGraph(next.input, OPTIONS).diagnostics;
      expect(canonicalDiagnostics(next.diagnostics)).toEqual(canonicalDiagnostics(full));
    }
    expect(state.update(router('gone')).diagnostics.map((d) => d.code)).toContain('ref.not-found');
  });

  it("an incremental state's input is the input before with the resource replaced in place, or added last", () => {
    const { router, mesh } = everyNodeCallsOneRouter();
    const state = MeshDiagnostics.build({ resources: mesh.map((resource) => ({ resource })) }, OPTIONS);
    const updated = state.update(router('c1'));
    const created = updated.update(res('VirtualNode', 'late', {}));
    expect(updated.incremental && created.incremental).toBe(true);
    const expected = [
      ...state.input.resources.map((r) => (sameKey(r.resource, router('c1')) ? router('c1') : r.resource)),
      res('VirtualNode', 'late', {}),
    ];
    expect(created.input.resources.map((r) => r.resource)).toEqual(expected);
    expect(updated.input.resources.map((r) => r.resource)).toEqual(expected.slice(0, -1));
  });

  describe('creates', () => {
    const node = (name: string, extra: object = {}) =>
      res('VirtualNode', name, {
        podSelector: {},
        listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
        serviceDiscovery: { dns: { hostname: `${name}.ns.svc.cluster.local` } },
        ...extra,
      });
    const start = (options = OPTIONS) => {
      const { router, mesh } = everyNodeCallsOneRouter();
      const resources = [...mesh.filter((r) => r.kind !== 'VirtualRouter'), router('gone')];
      return MeshDiagnostics.build({ resources: resources.map((resource) => ({ resource })) }, options);
    };
    const expectFull = (state: MeshDiagnostics, options = OPTIONS) =>
      expect(canonicalDiagnostics(state.diagnostics)).toEqual(
        canonicalDiagnostics(buildMeshGraph(state.input, options).diagnostics),
      );

    it('re-derives a new node and the route that named it before it existed', () => {
      const state = start();
      expect(state.diagnostics.map((d) => d.code)).toContain('ref.not-found');
      const next = state.update(node('gone'));
      expect(next.incremental).toBe(true);
      expect(next.diagnostics.map((d) => d.code)).not.toContain('ref.not-found');
      expectFull(next);
      // The index knows the new node: an update of it right after is incremental too.
      const again = next.update(
        node('gone', { listeners: [{ portMapping: { port: 9090, protocol: 'http' } }] }),
      );
      expect(again.incremental).toBe(true);
      expectFull(again);
    });

    it('builds the whole mesh when the create reaches its kind’s per-mesh quota', () => {
      const options = { quotas: { virtualNodesPerMesh: 12 } };
      const next = start(options).update(node('gone'));
      expect(next.incremental).toBe(false);
      expect(next.diagnostics.map((d) => d.code)).toContain('quota.virtualNodesPerMesh');
      expectFull(next, options);
    });

    it('builds the whole mesh when another resource of its kind has its App Mesh name', () => {
      const next = start().update(node('twin', { awsName: defaultAwsName('VirtualNode', 'c3', 'ns') }));
      expect(next.incremental).toBe(false);
      expect(next.diagnostics.map((d) => d.code)).toContain('name.duplicate');
      expectFull(next);
    });
  });

  it.each([
    ['Kubernetes', (r: AnyResource) => r],
    ['REST API', apiForm],
  ] as const)(
    `%s form: equal to the full build after every step of ${SEQUENCES} random update sequences`,
    async (_form, shape) => {
      let steps = 0;
      let incremental = 0;
      let creates = 0;
      const shaped = (list: AnyResource[]) => list.flatMap((r) => shape(r) ?? []);
      await fc.assert(
        fc.asyncProperty(
          initialMesh,
          fc.array(update, { minLength: 1, maxLength: 12 }),
          async (resources, updates) => {
            // Each sequence lets the worker answer vitest's RPC: 1,000 in one blocking run
            // outlasted its 60 s timeout under load.
            await new Promise(setImmediate);
            let state = MeshDiagnostics.build(
              { resources: shaped(resources).map((resource) => ({ resource })) },
              OPTIONS,
            );
            for (const u of updates) {
              const next = 'routesOf' in u ? withRoutes(state, u.routesOf, u.routes, shape) : shape(u);
              if (!next) continue;
              const isCreate = !state.input.resources.some((r) => sameKey(r.resource, next));
              state = state.update(next);
              steps++;
              if (state.incremental) incremental++;
              if (state.incremental && isCreate) creates++;
              const full = buildMeshGraph(state.input, OPTIONS).diagnostics;
              expect(canonicalDiagnostics(state.diagnostics)).toEqual(canonicalDiagnostics(full));
            }
          },
        ),
        { numRuns: SEQUENCES, seed: Number(process.env.AMIME_EQUIVALENCE_SEED ?? 0x18) },
      );
      // The incremental path must be what was compared, not the fallback alone.
      expect(incremental).toBeGreaterThan(steps / 10);
      expect(creates).toBeGreaterThan(0);
    },
    120_000,
  );
});

describe('when an update may take the incremental path', () => {
  const listeners = [{ portMapping: { port: 8080, protocol: 'http' } }];
  const router = (routes: unknown[], more: object = {}) =>
    res('VirtualRouter', 'r', { listeners, routes, ...more });
  const node = (more: object = {}) => res('VirtualNode', 'n', { listeners, ...more });
  const MESH = { ...res('Mesh', 'm', { namespaceSelector: {} }), metadata: { name: 'm' } } as AnyResource;
  const input = (resources: AnyResource[]) => ({ resources: resources.map((resource) => ({ resource })) });

  it('readers see a change unless a router changed its routes alone', () => {
    expect(readersSeeChange(router([]), router([{ name: 'a' }]))).toBe(false);
    expect(readersSeeChange(router([]), router([], { listeners: [] }))).toBe(true);
    expect(readersSeeChange(node(), node())).toBe(true);
    // Another kind with the same fields is a change too.
    const asNode = res('VirtualNode', 'r', { listeners });
    expect(readersSeeChange(asNode, router([]))).toBe(true);
    expect(readersSeeChange(router([]), asNode)).toBe(true);
  });

  it('a router or node keeping its kind, App Mesh name and meshRef, in a mesh without pods, groups or partial resources', () => {
    const base = input([MESH, node(), router([])]);
    expect(eligibleUpdate(base, [], router([]), router([{ name: 'a' }]))).toBe(true);
    expect(eligibleUpdate(base, [], node(), node({ backends: [] }))).toBe(true);
    const service = res('VirtualService', 's', {});
    expect(eligibleUpdate(base, [], service, service)).toBe(false);
    expect(eligibleUpdate(base, [], node(), res('VirtualRouter', 'n', { listeners }))).toBe(false);
    expect(eligibleUpdate(base, [], node(), node({ awsName: 'other' }))).toBe(false);
    const meshRef = (name: string) => ({ meshRef: { name, uid: 'u' } });
    expect(eligibleUpdate(base, [], node(meshRef('m')), node(meshRef('m2')))).toBe(false);
    expect(eligibleUpdate(base, [], node(meshRef('m')), node(meshRef('m')))).toBe(true);
    expect(eligibleUpdate(base, [], node(), node(meshRef('m')))).toBe(false);
    expect(eligibleUpdate({ ...base, pods: [] }, [], node(), node())).toBe(true);
    expect(
      eligibleUpdate({ ...base, pods: [{ namespace: 'ns', name: 'p', labels: {} }] }, [], node(), node()),
    ).toBe(false);
    const group = res('BackendGroup', 'g', {});
    expect(eligibleUpdate(input([MESH, group, node()]), [], node(), node())).toBe(false);
    const partial = { resources: [{ resource: MESH }, { resource: node(), schemaErrors: { removed: [] } }] };
    expect(eligibleUpdate(partial, [], node(), node())).toBe(false);
    const problem = {
      severity: 'error',
      code: 'quota.virtualNodesPerMesh',
      path: '',
      message: 'm',
    } as Diagnostic;
    expect(eligibleUpdate(base, [problem], node(), node())).toBe(false);
  });

  it('mesh-wide problems: quotas, App Mesh names, hostnames', () => {
    const d = (code: string) => ({ severity: 'warning', code, path: '', message: 'm' }) as Diagnostic;
    expect(hasMeshWide([d('ref.not-found'), d('quota.meshes')])).toBe(true);
    expect(hasMeshWide([d('name.duplicate')])).toBe(true);
    expect(hasMeshWide([d('vs.hostname-shadowed')])).toBe(true);
    expect(hasMeshWide([d('ref.not-found'), d('resource.duplicate')])).toBe(false);
    expect(hasMeshWide([])).toBe(false);
  });

  it('canonical diagnostics do not depend on order, and keep every field', () => {
    const a = {
      severity: 'error',
      code: 'a',
      path: 'spec',
      message: 'm',
      resource: { kind: 'Mesh', name: 'm' },
    } as Diagnostic;
    const b = { severity: 'warning', code: 'b', path: '', message: 'n' } as Diagnostic;
    expect(canonicalDiagnostics([a, b])).toEqual(canonicalDiagnostics([b, a]));
    expect(canonicalDiagnostics([a, b])).toHaveLength(2);
    expect(canonicalDiagnostics([a])).not.toEqual(
      canonicalDiagnostics([{ ...a, source: { file: 'f', line: 1, col: 1 } }]),
    );
    expect(canonicalDiagnostics([a])).not.toEqual(
      canonicalDiagnostics([{ ...a, resource: { kind: 'Mesh', name: 'x' } }]),
    );
    expect(canonicalDiagnostics([b])[0]).toContain('"n"');
  });

  it('MeshDiagnostics: a full build first; new resources and other kinds are built in full', () => {
    const start = MeshDiagnostics.build(input([MESH, node()]), OPTIONS);
    expect(start.incremental).toBe(false);
    const added = start.update(
      res('VirtualService', 's', { provider: { virtualNode: { virtualNodeRef: { name: 'gone' } } } }),
    );
    expect(added.incremental).toBe(false);
    expect(added.input.resources).toHaveLength(3);
    expect(canonicalDiagnostics(added.diagnostics)).toEqual(
      canonicalDiagnostics(buildMeshGraph(added.input, OPTIONS).diagnostics),
    );
    expect(added.diagnostics.map((d) => d.code)).toContain('ref.not-found');
    const again = added.update(res('VirtualService', 's', {}));
    expect(again.incremental).toBe(false);
    expect(again.diagnostics.map((d) => d.code)).not.toContain('ref.not-found');
  });

  it('MeshDiagnostics: every update of a mesh with a backend group, a partial resource or pods is built in full', () => {
    const big = [MESH, node(), router([]), ...['a', 'b', 'c'].map((n) => res('VirtualService', n, {}))];
    const group = res('BackendGroup', 'g', {});
    const partial = res('VirtualNode', 'p', { listeners });
    const pod = { namespace: 'ns', name: 'p', labels: {} };
    const inputs = [
      input([...big, group]),
      { resources: [...input(big).resources, { resource: partial, schemaErrors: { removed: [] } }] },
      { ...input(big), pods: [pod] },
    ];
    for (const start of inputs) {
      const clean = MeshDiagnostics.build(input(big), OPTIONS).update(node({ backends: [] }));
      expect(clean.incremental).toBe(true);
      // Along a line of updates, as the REST API keeps one state per mesh.
      let state = MeshDiagnostics.build(start, OPTIONS);
      for (const next of [node({ backends: [] }), router([{ name: 'a' }]), node(), partial]) {
        state = state.update(next);
        expect(state.incremental).toBe(false);
      }
    }
  });

  it('MeshDiagnostics: a mesh-wide problem an incremental update brings sends the next update to the full build', () => {
    const options = { quotas: { routesPerVirtualRouter: 1 } };
    const route = (name: string) => ({
      name,
      httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [] } },
    });
    const start = MeshDiagnostics.build(input([MESH, node(), router([route('a')])]), options);
    const over = start.update(router([route('a'), route('b')]));
    expect(over.incremental).toBe(true);
    expect(hasMeshWide(over.diagnostics)).toBe(true);
    expect(over.update(node({ backends: [] })).incremental).toBe(false);
    const back = MeshDiagnostics.build(over.input, options).update(router([route('a')]));
    expect(hasMeshWide(back.diagnostics)).toBe(false);
    expect(back.update(node({ backends: [] })).incremental).toBe(true);
  });

  it('MeshDiagnostics: a neighbourhood of half the mesh is re-derived, more is built in full', () => {
    const small = MeshDiagnostics.build(input([MESH, node()]), OPTIONS).update(node({ listeners: [] }));
    expect(small.incremental).toBe(true);
    expect(canonicalDiagnostics(small.diagnostics)).toEqual(
      canonicalDiagnostics(buildMeshGraph(small.input, OPTIONS).diagnostics),
    );
    // A router's listeners: its service and every caller of that service are affected.
    const { router: rall, mesh } = everyNodeCallsOneRouter();
    const moved = rall('c0');
    (moved.spec as { listeners: unknown }).listeners = [{ portMapping: { port: 9090, protocol: 'http' } }];
    const wide = MeshDiagnostics.build(input(mesh), OPTIONS).update(moved);
    expect(wide.incremental).toBe(false);
    expect(canonicalDiagnostics(wide.diagnostics)).toEqual(
      canonicalDiagnostics(buildMeshGraph(wide.input, OPTIONS).diagnostics),
    );
  });
});
