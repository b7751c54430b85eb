/**
 * The API's catalog places every resource where the mesh graph (and so xDS) places it:
 * same mesh, same gateway, same winner of a name clash. Random stores are built and
 * changed step by step; after each step the catalog, updated incrementally, is compared
 * with a graph built from scratch (issue 17, bug 1 and the Catalog mutants of item 12).
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildMeshGraph } from '../mesh/index.js';
import { API_VERSION, checkObject, type AnyResource } from '../model/index.js';
import {
  createMemoryStore,
  resourceKey,
  StoreMirror,
  type ResourceStore,
  StoreSource,
} from '../store/index.js';
import { Catalog } from './catalog.js';
import { fingerprintOf } from './record-set.js';

const NAMESPACES = ['ns-a', 'ns-b', 'ns-c'];
const MESHES = ['m1', 'm2', 'm3'];
const LABELS = [{}, { mesh: 'm1' }, { mesh: 'm2' }, { mesh: 'm1', gw: 'yes' }];
const NS_SELECTORS = [
  undefined,
  {},
  { matchLabels: { mesh: 'm1' } },
  { matchLabels: { mesh: 'm2' } },
  { matchExpressions: [{ key: 'mesh', operator: 'Exists' }] },
  // Kubernetes refuses this key: the selector selects nothing.
  { matchLabels: { 'bad key!': 'x' } },
];
const ROUTE_SELECTORS = [undefined, {}, { matchLabels: { route: 'r1' } }];

type Op = { op: 'put'; key: string; value: unknown } | { op: 'delete'; key: string };

const meta = (name: string, namespace?: string, labels?: Record<string, string>) => ({
  name,
  ...(namespace ? { namespace } : {}),
  ...(labels ? { labels } : {}),
});

/** Either a namespaced (Kubernetes) resource or a namespace-less one naming its mesh (REST form). */
const member = (kind: 'VirtualNode' | 'VirtualService' | 'VirtualRouter') =>
  fc
    .record({
      // "a" is each namespace's gateway route target, which stays put (see `targets`).
      name: fc.constantFrom('b', 'c'),
      ns: fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }),
      meshRef: fc.option(fc.constantFrom(...MESHES, 'missing'), { nil: undefined }),
      awsName: fc.option(fc.constantFrom('dup', 'other'), { nil: undefined }),
    })
    .map(({ name, ns, meshRef, awsName }): Op => {
      const spec: Record<string, unknown> = {
        ...(awsName ? { awsName } : {}),
        ...(meshRef ? { meshRef: { name: meshRef, uid: 'uid' } } : {}),
      };
      if (kind === 'VirtualRouter') spec.listeners = [{ portMapping: { port: 80, protocol: 'http' } }];
      const key = ns
        ? resourceKey(kind, ns, name)
        : resourceKey(kind, undefined, `${meshRef ?? 'none'}/${name}`);
      return { op: 'put', key, value: { apiVersion: API_VERSION, kind, metadata: meta(name, ns), spec } };
    });

const mesh = fc
  .record({
    name: fc.constantFrom(...MESHES),
    selector: fc.constantFrom(...NS_SELECTORS),
    awsName: fc.option(fc.constant('shared'), { nil: undefined }),
  })
  .map(({ name, selector, awsName }): Op => ({
    op: 'put',
    key: resourceKey('Mesh', undefined, name),
    value: {
      apiVersion: API_VERSION,
      kind: 'Mesh',
      metadata: meta(name),
      spec: { ...(selector ? { namespaceSelector: selector } : {}), ...(awsName ? { awsName } : {}) },
    },
  }));

const namespace = fc
  .record({ name: fc.constantFrom(...NAMESPACES), labels: fc.constantFrom(...LABELS) })
  .map(({ name, labels }): Op => ({
    op: 'put',
    key: resourceKey('Namespace', undefined, name),
    value: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } },
  }));

const gateway = fc
  .record({
    name: fc.constantFrom('g1', 'g2'),
    ns: fc.constantFrom(...NAMESPACES),
    nsSelector: fc.constantFrom(...NS_SELECTORS),
    routeSelector: fc.constantFrom(...ROUTE_SELECTORS),
  })
  .map(({ name, ns, nsSelector, routeSelector }): Op => ({
    op: 'put',
    key: resourceKey('VirtualGateway', ns, name),
    value: {
      apiVersion: API_VERSION,
      kind: 'VirtualGateway',
      metadata: meta(name, ns),
      spec: {
        listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
        ...(nsSelector ? { namespaceSelector: nsSelector } : {}),
        ...(routeSelector ? { gatewayRouteSelector: routeSelector } : {}),
      },
    },
  }));

const gatewayRoute = fc
  .record({
    name: fc.constantFrom('r1', 'r2'),
    ns: fc.constantFrom(...NAMESPACES),
    labels: fc.constantFrom(undefined, { route: 'r1' }),
    ref: fc.option(
      fc.record(
        {
          name: fc.constantFrom('g1', 'g2'),
          namespace: fc.constantFrom(...NAMESPACES),
          uid: fc.constant('uid'),
        },
        { requiredKeys: ['name', 'uid'] },
      ),
      { nil: undefined },
    ),
  })
  .map(({ name, ns, labels, ref }): Op => ({
    op: 'put',
    key: resourceKey('GatewayRoute', ns, name),
    value: {
      apiVersion: API_VERSION,
      kind: 'GatewayRoute',
      metadata: meta(name, ns, labels),
      spec: {
        ...(ref ? { virtualGatewayRef: ref } : {}),
        // Every namespace has a VirtualService "a" (added below), so targets resolve.
        httpRoute: {
          match: { prefix: '/' },
          action: { target: { virtualService: { virtualServiceRef: { name: 'a' } } } },
        },
      },
    },
  }));

const put = fc.oneof(
  { arbitrary: mesh, weight: 2 },
  { arbitrary: namespace, weight: 2 },
  { arbitrary: member('VirtualNode'), weight: 3 },
  { arbitrary: member('VirtualService'), weight: 2 },
  { arbitrary: member('VirtualRouter'), weight: 1 },
  { arbitrary: gateway, weight: 2 },
  { arbitrary: gatewayRoute, weight: 2 },
);

/** A put, or the delete of a key an earlier put wrote (by index into the puts so far). */
const step = fc.oneof(
  { arbitrary: put, weight: 4 },
  { arbitrary: fc.nat().map((i) => ({ op: 'delete-nth' as const, i })), weight: 1 },
);

/**
 * The graph attaches a gateway route only when its target resolves too; the catalog by
 * its gateway alone (the API refuses to delete a target in use). Targets always exist here.
 */
const targets: Op[] = NAMESPACES.map((ns) => ({
  op: 'put',
  key: resourceKey('VirtualService', ns, 'a'),
  value: { apiVersion: API_VERSION, kind: 'VirtualService', metadata: meta('a', ns), spec: {} },
}));

/** `kind mesh[/gateway] awsName <- namespace/name` for every placed resource, as the graph sees it. */
function graphPlacement(mirror: StoreMirror): string[] {
  const source = new StoreSource(mirror, () => undefined);
  const graph = buildMeshGraph(source.graphInput(), { quotas: { meshes: 100, virtualGatewaysPerMesh: 100 } });
  source.close();
  const out: string[] = [];
  const line = (kind: string, where: string, awsName: string, r: AnyResource) =>
    out.push(`${kind} ${where} ${awsName} <- ${r.metadata.namespace ?? ''}/${r.metadata.name}`);
  for (const [name, view] of graph.meshes) {
    line('Mesh', '', name, view.mesh.resource);
    for (const [n, v] of view.virtualNodes) line('VirtualNode', name, n, v.resource);
    for (const [n, v] of view.virtualServices) line('VirtualService', name, n, v.resource);
    for (const [n, v] of view.virtualRouters) line('VirtualRouter', name, n, v.resource);
    for (const [n, g] of view.virtualGateways) {
      line('VirtualGateway', name, n, g.resource);
      for (const r of g.routes) line('GatewayRoute', `${name}/${n}`, r.awsName, r.resource);
    }
  }
  return out.sort();
}

function catalogPlacement(catalog: Catalog): string[] {
  const out: string[] = [];
  const line = (kind: string, where: string, e: { awsName: string; record: { value: AnyResource } }) =>
    out.push(
      `${kind} ${where} ${e.awsName} <- ${e.record.value.metadata.namespace ?? ''}/${e.record.value.metadata.name}`,
    );
  for (const m of catalog.list('Mesh')) {
    line('Mesh', '', m);
    for (const kind of ['VirtualNode', 'VirtualService', 'VirtualRouter'] as const)
      for (const e of catalog.list(kind, m.awsName)) line(kind, m.awsName, e);
    for (const g of catalog.list('VirtualGateway', m.awsName)) {
      line('VirtualGateway', m.awsName, g);
      for (const r of catalog.list('GatewayRoute', m.awsName, g.awsName))
        line('GatewayRoute', `${m.awsName}/${g.awsName}`, r);
    }
  }
  return out.sort();
}

const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

async function apply(store: ResourceStore, op: Op): Promise<void> {
  if (op.op === 'put') await store.put(op.key, op.value);
  else await store.delete(op.key);
}

describe('Catalog', () => {
  it('every generated value is a valid resource (so the graph sees what the catalog sees)', () => {
    fc.assert(
      fc.property(put, (op) => {
        if (op.op !== 'put' || (op.value as { kind: string }).kind === 'Namespace') return;
        expect(checkObject(op.value, { kubernetesNames: false }).diagnostics).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('places every resource where the mesh graph does, after every change', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        const store = createMemoryStore();
        for (const op of targets) await apply(store, op);
        const mirror = await StoreMirror.open(store);
        const catalog = new Catalog(mirror);
        open.push(catalog, mirror);
        const written: string[] = [];
        for (const s of steps) {
          const op: Op =
            s.op === 'delete-nth'
              ? { op: 'delete', key: written[s.i % Math.max(1, written.length)] ?? 'none' }
              : s;
          if (op.op === 'put') written.push(op.key);
          await apply(store, op);
          await mirror.waitFor(await store.revision());
          expect(catalogPlacement(catalog)).toEqual(graphPlacement(mirror));
          // The fingerprint kept per change names exactly the mesh's records (what validation reads).
          for (const m of [...MESHES, 'missing']) {
            const set = catalog.meshRecordSet(m);
            const records = catalog.meshRecords(m);
            expect(set.fingerprint).toEqual(fingerprintOf(records));
            for (const r of records) expect(set.get(r.key)).toBe(r);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

/** A VirtualNode in the Kubernetes form, or with `meshRef` to name its mesh. */
function node(ns: string, name: string, spec: Record<string, unknown> = {}): Op {
  return {
    op: 'put',
    key: resourceKey('VirtualNode', ns, name),
    value: { apiVersion: API_VERSION, kind: 'VirtualNode', metadata: meta(name, ns), spec },
  };
}

const selecting = (name: string, selector: Record<string, unknown>): Op => ({
  op: 'put',
  key: resourceKey('Mesh', undefined, name),
  value: {
    apiVersion: API_VERSION,
    kind: 'Mesh',
    metadata: meta(name),
    spec: { namespaceSelector: selector },
  },
});

const labelled = (name: string, labels: Record<string, string>): Op => ({
  op: 'put',
  key: resourceKey('Namespace', undefined, name),
  value: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } },
});

/** Applies each step and checks catalog against graph after it; returns the catalog. */
async function replay(steps: Op[]): Promise<Catalog> {
  const store = createMemoryStore();
  const mirror = await StoreMirror.open(store);
  const catalog = new Catalog(mirror);
  open.push(catalog, mirror);
  for (const op of steps) {
    await apply(store, op);
    await mirror.waitFor(await store.revision());
    expect(catalogPlacement(catalog)).toEqual(graphPlacement(mirror));
  }
  return catalog;
}

describe('Catalog, case by case', () => {
  const ref = (mesh: string) => ({ meshRef: { name: mesh, uid: 'uid' } });

  it('the earlier resource takes its name back once it has a mesh again', async () => {
    const catalog = await replay([
      selecting('m1', {}),
      node('ns-a', 'early', { awsName: 'dup', ...ref('missing') }),
      node('ns-b', 'late', { awsName: 'dup', ...ref('m1') }),
      node('ns-a', 'early', { awsName: 'dup', ...ref('m1') }),
    ]);
    expect(catalog.find('VirtualNode', 'm1', 'dup')?.key).toBe('VirtualNode/ns-a/early');
  });

  it('a name freed by a resource that moves goes to the one that lost the clash', async () => {
    const catalog = await replay([
      selecting('m1', {}),
      { ...selecting('m2', { matchLabels: { none: 'x' } }) },
      node('ns-a', 'first', { awsName: 'dup', ...ref('m1') }),
      node('ns-b', 'second', { awsName: 'dup', ...ref('m1') }),
      node('ns-a', 'first', { awsName: 'dup', ...ref('m2') }),
    ]);
    expect(catalog.find('VirtualNode', 'm1', 'dup')?.key).toBe('VirtualNode/ns-b/second');
    expect(catalog.find('VirtualNode', 'm2', 'dup')?.key).toBe('VirtualNode/ns-a/first');
  });

  it('a Namespace relabelled moves its resources to the Mesh that now selects it', async () => {
    const catalog = await replay([
      selecting('m1', { matchLabels: { mesh: 'm1' } }),
      selecting('m2', { matchLabels: { mesh: 'm2' } }),
      labelled('ns-a', { mesh: 'm1' }),
      node('ns-a', 'n'),
      labelled('ns-a', { mesh: 'm2' }),
    ]);
    expect(catalog.list('VirtualNode', 'm1')).toEqual([]);
    expect(catalog.find('VirtualNode', 'm2', 'n_ns-a')?.key).toBe('VirtualNode/ns-a/n');
  });

  it('a gateway route never attaches to a gateway of another mesh', async () => {
    const gw: Op = {
      op: 'put',
      key: resourceKey('VirtualGateway', 'ns-b', 'g'),
      value: {
        apiVersion: API_VERSION,
        kind: 'VirtualGateway',
        metadata: meta('g', 'ns-b'),
        spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }], namespaceSelector: {} },
      },
    };
    const route: Op = {
      op: 'put',
      key: resourceKey('GatewayRoute', 'ns-a', 'r'),
      value: {
        apiVersion: API_VERSION,
        kind: 'GatewayRoute',
        metadata: meta('r', 'ns-a'),
        spec: {
          virtualGatewayRef: { name: 'g', namespace: 'ns-b', uid: 'uid' },
          httpRoute: {
            match: { prefix: '/' },
            action: { target: { virtualService: { virtualServiceRef: { name: 'a' } } } },
          },
        },
      },
    };
    const catalog = await replay([
      selecting('m1', { matchLabels: { mesh: 'm1' } }),
      selecting('m2', { matchLabels: { mesh: 'm2' } }),
      labelled('ns-a', { mesh: 'm1' }),
      labelled('ns-b', { mesh: 'm2' }),
      ...targets,
      gw,
      route,
    ]);
    expect(catalog.find('VirtualGateway', 'm2', 'g_ns-b')).toBeDefined();
    expect(catalog.list('GatewayRoute', 'm1', 'g_ns-b')).toEqual([]);
    expect(catalog.list('GatewayRoute', 'm2', 'g_ns-b')).toEqual([]);
  });
});
