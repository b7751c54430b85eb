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
