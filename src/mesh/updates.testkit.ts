/**
 * Random meshes and update sequences for the incremental paths' equivalence tests
 * (incremental.test.ts, incremental-graph.test.ts): dangling references, wrong ports
 * and protocols, gateways; mostly router and node updates.
 */
import fc from 'fast-check';
import { API_VERSION, defaultAwsName, type AnyResource } from '../model/index.js';
import type { GraphInput, GraphOptions } from './graph.js';

export const NS = 'ns';
const NODES = ['n0', 'n1', 'n2', 'n3', 'n4'];
const SERVICES = ['s0', 's1', 's2', 's3', 's4'];
const ROUTERS = ['r0', 'r1', 'r2'];
/** Names that exist and one that never does: dangling references are part of the game. */
const nodeName = fc.constantFrom(...NODES, 'gone');
const serviceName = fc.constantFrom(...SERVICES, 'gone');
const routerName = fc.constantFrom(...ROUTERS, 'gone');
const port = fc.constantFrom(8080, 9090);
const protocol = fc.constantFrom('http', 'http2', 'grpc', 'tcp');

const meta = (name: string) => ({ name, namespace: NS });
export const res = (kind: string, name: string, spec: object): AnyResource =>
  ({ apiVersion: API_VERSION, kind, metadata: meta(name), spec }) as AnyResource;

const nodeSpec = fc.record({
  listeners: fc.array(fc.record({ portMapping: fc.record({ port, protocol }) }), {
    minLength: 0,
    maxLength: 2,
  }),
  serviceDiscovery: fc.constant({ dns: { hostname: 'x.ns.svc.cluster.local' } }),
  backends: fc.array(
    serviceName.map((name) => ({ virtualService: { virtualServiceRef: { name } } })),
    { maxLength: 3 },
  ),
});

const routeOf = (type: 'httpRoute' | 'grpcRoute' | 'tcpRoute' | 'http2Route') =>
  fc
    .record({
      targets: fc.array(
        fc.record({ node: nodeName, weight: fc.integer({ min: 0, max: 100 }), port: fc.option(port) }),
        {
          minLength: 1,
          maxLength: 3,
        },
      ),
      name: fc.constantFrom('a', 'b', 'c'),
    })
    .map(({ targets, name }) => ({
      name,
      [type]: {
        ...(type === 'tcpRoute'
          ? {}
          : type === 'grpcRoute'
            ? { match: { serviceName: 'svc' } }
            : { match: { prefix: '/' } }),
        action: {
          weightedTargets: targets.map((t) => ({
            virtualNodeRef: { name: t.node },
            weight: t.weight,
            ...(t.port !== null ? { port: t.port } : {}),
          })),
        },
      },
    }));

const routerSpec = fc.record({
  listeners: fc.array(fc.record({ portMapping: fc.record({ port, protocol }) }), {
    minLength: 1,
    maxLength: 2,
  }),
  routes: fc.array(
    fc.oneof(routeOf('httpRoute'), routeOf('grpcRoute'), routeOf('tcpRoute'), routeOf('http2Route')),
    {
      maxLength: 3,
    },
  ),
});

const serviceSpec = fc.oneof(
  nodeName.map((name) => ({ provider: { virtualNode: { virtualNodeRef: { name } } } })),
  routerName.map((name) => ({ provider: { virtualRouter: { virtualRouterRef: { name } } } })),
);

const gatewayRouteSpec = fc
  .record({ service: serviceName, port: fc.option(port) })
  .map(({ service, port: p }) => ({
    httpRoute: {
      match: { prefix: '/' },
      action: {
        target: {
          virtualService: { virtualServiceRef: { name: service } },
          ...(p !== null ? { port: p } : {}),
        },
      },
    },
  }));

export const initialMesh = fc
  .record({
    nodes: fc.array(nodeSpec, { minLength: NODES.length, maxLength: NODES.length }),
    services: fc.array(serviceSpec, { minLength: SERVICES.length, maxLength: SERVICES.length }),
    routers: fc.array(routerSpec, { minLength: ROUTERS.length, maxLength: ROUTERS.length }),
    gatewayRoutes: fc.array(gatewayRouteSpec, { maxLength: 2 }),
  })
  .map(({ nodes, services, routers, gatewayRoutes }): AnyResource[] => [
    {
      apiVersion: API_VERSION,
      kind: 'Mesh',
      metadata: { name: 'm' },
      spec: { namespaceSelector: {} },
    } as AnyResource,
    ...nodes.map((s, i) =>
      res('VirtualNode', NODES[i]!, { podSelector: { matchLabels: { app: NODES[i] } }, ...s }),
    ),
    ...services.map((s, i) => res('VirtualService', SERVICES[i]!, s)),
    ...routers.map((s, i) => res('VirtualRouter', ROUTERS[i]!, s)),
    res('VirtualGateway', 'g', {
      namespaceSelector: {},
      listeners: [{ portMapping: { port: 8088, protocol: 'http' } }],
    }),
    ...gatewayRoutes.map((s, i) => res('GatewayRoute', `gr${i}`, { gatewayRef: { name: 'g' }, ...s })),
  ]);

/**
 * A create: a node or router under the name every dangling reference uses (`gone`), a
 * name nobody refers to, or (a node) a new name with the App Mesh name of an existing one.
 */
const create = fc.oneof(
  fc.tuple(fc.constantFrom('gone', 'n5', 'n6'), nodeSpec).map(([n, s]) =>
    res('VirtualNode', n, {
      podSelector: { matchLabels: { app: n } },
      ...s,
      ...(n === 'n6' ? { awsName: defaultAwsName('VirtualNode', 'n0', NS) } : {}),
    }),
  ),
  fc.tuple(fc.constantFrom('gone', 'r3'), routerSpec).map(([n, s]) => res('VirtualRouter', n, s)),
);

/**
 * One write: mostly router and node updates (the incremental path), sometimes a
 * service's provider or a create (the first of a name; later ones update it). `routes` (an UpdateRoute) replaces a router's routes only and
 * keeps its listeners; the update function takes the current mesh for that.
 */
export const update = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(fc.constantFrom(...ROUTERS), routerSpec).map(([n, s]) => res('VirtualRouter', n, s)),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...ROUTERS), routerSpec)
      .map(([n, s]) => ({ routesOf: n, routes: s.routes })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...NODES), nodeSpec)
      .map(([n, s]) => res('VirtualNode', n, { podSelector: { matchLabels: { app: n } }, ...s })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...SERVICES), serviceSpec)
      .map(([n, s]) => res('VirtualService', n, s)),
  },
  { weight: 2, arbitrary: create },
);

export const OPTIONS: GraphOptions = {};

const ARN_KIND: Record<string, string> = {
  virtualNodeRef: 'virtualNode',
  virtualServiceRef: 'virtualService',
  virtualRouterRef: 'virtualRouter',
};

/**
 * The same resources as the REST API stores them: no namespace, `spec.meshRef` and
 * `spec.awsName`, references as ARNs; gateways left out (their REST form is another shape).
 */
export function apiForm(resource: AnyResource): AnyResource | undefined {
  if (resource.kind === 'VirtualGateway' || resource.kind === 'GatewayRoute') return undefined;
  const refsToArns = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(refsToArns);
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const kind = ARN_KIND[k];
      if (kind && typeof (v as { name?: unknown }).name === 'string')
        out[k.replace(/Ref$/, 'ARN')] =
          `arn:aws:appmesh:us-west-2:000000000000:mesh/m/${kind}/${(v as { name: string }).name}`;
      else out[k] = refsToArns(v);
    }
    return out;
  };
  if (resource.kind === 'Mesh') return { ...resource, spec: {} } as AnyResource;
  return {
    ...resource,
    metadata: { name: resource.metadata.name },
    spec: {
      ...(refsToArns(resource.spec) as object),
      awsName: resource.metadata.name,
      meshRef: { name: 'm', uid: 'u' },
    },
  } as AnyResource;
}

/** The current router `name` with other routes (its listeners and everything else kept), in the state's form. */
export function withRoutes(
  state: { readonly input: GraphInput },
  name: string,
  routes: unknown[],
  shape: (r: AnyResource) => AnyResource | undefined,
): AnyResource | undefined {
  const current = state.input.resources.find(
    (r) => r.resource.kind === 'VirtualRouter' && r.resource.metadata.name === name,
  )?.resource;
  const shapedRoutes = (shape(res('VirtualRouter', name, { routes }))?.spec as { routes?: unknown })?.routes;
  return current && ({ ...current, spec: { ...current.spec, routes: shapedRoutes } } as AnyResource);
}

/**
 * Twelve nodes that all call service `all`, served by router `rall` whose one route goes
 * to `target`: `router(target)` is the router, `mesh` the rest with router('c0').
 */
export function everyNodeCallsOneRouter(): { router: (target: string) => AnyResource; mesh: AnyResource[] } {
  const nodes = Array.from({ length: 12 }, (_, i) =>
    res('VirtualNode', `c${i}`, {
      podSelector: {},
      listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
      serviceDiscovery: { dns: { hostname: `c${i}.ns.svc.cluster.local` } },
      backends: [{ virtualService: { virtualServiceRef: { name: 'all' } } }],
    }),
  );
  const router = (target: string) =>
    res('VirtualRouter', 'rall', {
      listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
      routes: [
        {
          name: 'a',
          httpRoute: {
            match: { prefix: '/' },
            action: { weightedTargets: [{ virtualNodeRef: { name: target }, weight: 1 }] },
          },
        },
      ],
    });
  const mesh = [
    { ...res('Mesh', 'm', { namespaceSelector: {} }), metadata: { name: 'm' } } as AnyResource,
    ...nodes,
    res('VirtualService', 'all', { provider: { virtualRouter: { virtualRouterRef: { name: 'rall' } } } }),
    router('c0'),
  ];
  return { router, mesh };
}
