import { describe, expect, it } from 'vitest';
import { buildMeshGraph, type GraphInput, type InputResource, graphInputFromLoad } from '../mesh/index.js';
import type {
  AnyResource,
  Mesh,
  VirtualGateway,
  VirtualNode,
  VirtualRouter,
  VirtualService,
} from '../model/index.js';
import { loadText } from '../load/index.js';
import { staticEndpoints, NO_ENDPOINTS, type Endpoint, type EndpointSource } from './endpoints.js';
import { encodeResources, translateGroup } from './translate.js';
import { Translator, type TranslatorResult } from './translator.js';
import { joinBytes } from '../proto/index.js';

const MANIFEST = `
apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata: { name: m }
spec: { namespaceSelector: {} }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: { name: client-1, namespace: ns }
spec:
  podSelector: {}
  backends: [{ virtualService: { virtualServiceRef: { name: routed } } }]
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: { name: client-2, namespace: ns }
spec:
  podSelector: {}
  backends: [{ virtualService: { virtualServiceRef: { name: direct } } }]
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: { name: server, namespace: ns }
spec:
  podSelector: {}
  listeners: [{ portMapping: { port: 8080, protocol: http } }]
  serviceDiscovery: { awsCloudMap: { namespaceName: local, serviceName: server } }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: { name: direct, namespace: ns }
spec: { provider: { virtualNode: { virtualNodeRef: { name: server } } } }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: { name: routed, namespace: ns }
spec: { provider: { virtualRouter: { virtualRouterRef: { name: rt } } } }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualRouter
metadata: { name: rt, namespace: ns }
spec:
  listeners: [{ portMapping: { port: 80, protocol: http } }]
  routes:
    - name: r
      httpRoute:
        match: { prefix: / }
        action: { weightedTargets: [{ virtualNodeRef: { name: server }, weight: 1 }] }
`;

const GATEWAYS = ['gw-1', 'gw-2']
  .map(
    (gw) => `
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualGateway
metadata: { name: ${gw}, namespace: ns }
spec:
  namespaceSelector: {}
  podSelector: {}
  gatewayRouteSelector: { matchLabels: { gw: ${gw} } }
  listeners: [{ portMapping: { port: 8080, protocol: http }, connectionPool: { http: { maxConnections: 10 } } }]
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: GatewayRoute
metadata: { name: ${gw}-route, namespace: ns, labels: { gw: ${gw} } }
spec:
  httpRoute:
    match: { prefix: / }
    action: { target: { virtualService: { virtualServiceRef: { name: direct } } } }
`,
  )
  .join('');

const baseInput: GraphInput = graphInputFromLoad(loadText(MANIFEST, 'm.yaml')).input;
const withGateways: GraphInput = graphInputFromLoad(loadText(MANIFEST + GATEWAYS, 'm.yaml')).input;

/** The same input with one resource object replaced, as a store would on a change. */
function replacing(
  input: GraphInput,
  kind: string,
  name: string,
  change: (r: AnyResource) => AnyResource,
): GraphInput {
  const resources: InputResource[] = input.resources.map((r) =>
    r.resource.kind === kind && r.resource.metadata.name === name
      ? { ...r, resource: change(r.resource) }
      : r,
  );
  return { ...input, resources };
}

/** The base mesh with rt's route timing out after 60 s: a change only client-1 (which calls rt) sees. */
const withRouteTimeout60: GraphInput = replacing(baseInput, 'VirtualRouter', 'rt', (r) => {
  const vr = structuredClone(r) as VirtualRouter;
  const route = vr.spec.routes?.[0];
  if (route?.httpRoute) route.httpRoute.timeout = { perRequest: { unit: 's', value: 60 } };
  return vr;
});

const bytesOf = (res: Parameters<typeof encodeResources>[0]): string =>
  JSON.stringify(
    Object.entries(encodeResources(res)).map(([url, m]) => [
      url,
      [...m].map(([n, b]) => [n, Buffer.from(joinBytes(b)).toString('base64')]),
    ]),
  );

describe('Translator', () => {
  it('re-translates only the groups that read a changed route, with the same result as from scratch', () => {
    const t = new Translator();
    const first = t.update(buildMeshGraph(baseInput), NO_ENDPOINTS);
    expect(first.changed.length).toBe(first.groups.size);
    const before = first.groups.get('mesh/m/virtualNode/client-2_ns');

    const changedInput = withRouteTimeout60;
    const graph = buildMeshGraph(changedInput);
    const second = t.update(graph, NO_ENDPOINTS);
    expect(second.changed).toEqual(['mesh/m/virtualNode/client-1_ns', 'mesh/m/virtualNode/client-1_ns#grpc']);
    expect(second.removed).toEqual([]);
    // Untouched groups keep their objects (and so their encoded bytes).
    expect(second.groups.get('mesh/m/virtualNode/client-2_ns')).toBe(before);
    for (const [key, res] of second.groups)
      expect(bytesOf(res), key).toBe(bytesOf(translateGroup(graph, key, NO_ENDPOINTS)));
    const route = second.groups.get('mesh/m/virtualNode/client-1_ns')?.routes[0]?.virtual_hosts?.[0]
      ?.routes?.[0];
    expect(route?.route?.timeout).toEqual({ seconds: 60 });
  });

  it('keeps the objects of a re-translated group whose IR did not change (its bytes and check verdicts are reused)', () => {
    const t = new Translator();
    const client = 'mesh/m/virtualNode/client-1_ns';
    const first = t.update(buildMeshGraph(baseInput), NO_ENDPOINTS).groups.get(client);
    const changedInput = withRouteTimeout60;
    const graph = buildMeshGraph(changedInput);
    const second = t.update(graph, NO_ENDPOINTS);
    expect(second.changed).toContain(client);
    const after = second.groups.get(client);
    // The route configuration changed; the listeners and clusters built from equal IR are the same objects.
    expect(after?.routes[0]).not.toBe(first?.routes[0]);
    expect(after?.listeners.length).toBeGreaterThan(0);
    after?.listeners.forEach((l, i) => expect(l).toBe(first?.listeners[i]));
    after?.clusters.forEach((c, i) => expect(c).toBe(first?.clusters[i]));
    expect(bytesOf(after!)).toBe(bytesOf(translateGroup(graph, client, NO_ENDPOINTS)));
  });

  it('keeps every object when everything is translated again and comes out the same (a new endpoint source)', () => {
    const t = new Translator();
    const graph = buildMeshGraph(baseInput);
    const first = t.update(graph, staticEndpoints({ 'm/server_ns': [{ address: '10.0.0.1' }] }));
    const again = t.update(graph, staticEndpoints({ 'm/server_ns': [{ address: '10.0.0.1' }] }));
    expect(again.changed).toEqual([...first.groups.keys()].sort());
    for (const [key, res] of again.groups) {
      const before = first.groups.get(key);
      for (const kind of ['listeners', 'routes', 'clusters'] as const)
        res[kind].forEach((r, i) => expect(r, `${key} ${kind} ${i}`).toBe(before?.[kind][i]));
    }
  });

  it('adds and removes groups as nodes come and go, and re-translates callers of a new service', () => {
    const t = new Translator();
    t.update(buildMeshGraph(baseInput), NO_ENDPOINTS);
    const without = {
      ...baseInput,
      resources: baseInput.resources.filter(
        (r) => !(r.resource.kind === 'VirtualService' && r.resource.metadata.name === 'direct'),
      ),
    };
    const r1 = t.update(buildMeshGraph(without), NO_ENDPOINTS);
    expect(r1.changed).toEqual(['mesh/m/virtualNode/client-2_ns', 'mesh/m/virtualNode/client-2_ns#grpc']);
    expect(r1.groups.get('mesh/m/virtualNode/client-2_ns')?.routes).toEqual([]);
    const r2 = t.update(buildMeshGraph(baseInput), NO_ENDPOINTS);
    expect(r2.changed).toEqual(['mesh/m/virtualNode/client-2_ns', 'mesh/m/virtualNode/client-2_ns#grpc']);
    const noClient1 = {
      ...baseInput,
      resources: baseInput.resources.filter(
        (r) => !(r.resource.kind === 'VirtualNode' && r.resource.metadata.name === 'client-1'),
      ),
    };
    const r3 = t.update(buildMeshGraph(noClient1), NO_ENDPOINTS);
    expect(r3.removed).toEqual(['mesh/m/virtualNode/client-1_ns', 'mesh/m/virtualNode/client-1_ns#grpc']);
    expect(r3.changed).toEqual([]);
  });

  it('rebuilds only ClusterLoadAssignments on an endpoint change', () => {
    const t = new Translator();
    const graph = buildMeshGraph(baseInput);
    const eps: Record<string, Endpoint[]> = { 'm/server_ns': [{ address: '10.0.0.1' }] };
    const source = staticEndpoints(eps);
    const first = t.update(graph, source);
    const before = first.groups.get('mesh/m/virtualNode/client-1_ns');
    expect(before?.endpoints[0]?.endpoints?.[0]?.lb_endpoints?.length).toBe(1);

    const moved = staticEndpoints({
      'm/server_ns': [{ address: '10.0.0.1' }, { address: '10.0.0.2', zone: 'b' }],
    });
    const r = t.updateEndpoints(moved, [{ mesh: 'm', virtualNode: 'server_ns' }]);
    expect(r.changed).toEqual([
      'mesh/m/virtualNode/client-1_ns',
      'mesh/m/virtualNode/client-1_ns#grpc',
      'mesh/m/virtualNode/client-2_ns',
      'mesh/m/virtualNode/client-2_ns#grpc',
    ]);
    const after = r.groups.get('mesh/m/virtualNode/client-1_ns');
    expect(after?.clusters).toBe(before?.clusters);
    expect(after?.listeners).toBe(before?.listeners);
    expect(after && bytesOf(after)).toBe(
      bytesOf(translateGroup(graph, 'mesh/m/virtualNode/client-1_ns', moved)),
    );
    // A later graph update with the same source keeps the new endpoints.
    const again = t.update(graph, moved);
    expect(again.changed).toEqual([]);
  });

  it('re-translates (not only assignments) when a DNS-discovered node becomes known to the endpoint source, and back', () => {
    // server: DNS discovery. Known to the source → EDS; unknown → LOGICAL_DNS. client-1 reaches it through a router, a gateway directly.
    const dnsInput = replacing(withGateways, 'VirtualNode', 'server', (r) => {
      const vn = structuredClone(r) as VirtualNode;
      vn.spec.serviceDiscovery = { dns: { hostname: 'server.ns.svc.cluster.local' } };
      return vn;
    });
    const graph = buildMeshGraph(dnsInput);
    const server = { mesh: 'm', virtualNode: 'server_ns' };
    const cluster = 'cds_egress_m_server_ns_http_8080';
    const t = new Translator();
    const typeIn = (r: TranslatorResult, key: string) =>
      r.groups.get(key)?.clusters.find((c) => c.name === cluster)?.type;
    const sameAsScratch = (r: TranslatorResult, source: EndpointSource) => {
      for (const [key, res] of r.groups)
        expect(bytesOf(res), key).toBe(bytesOf(translateGroup(graph, key, source)));
    };
    const callers = [
      'mesh/m/virtualGateway/gw-1_ns',
      'mesh/m/virtualGateway/gw-2_ns',
      'mesh/m/virtualNode/client-1_ns',
      'mesh/m/virtualNode/client-1_ns#grpc',
      'mesh/m/virtualNode/client-2_ns',
      'mesh/m/virtualNode/client-2_ns#grpc',
    ];

    let source = staticEndpoints({});
    const first = t.update(graph, source);
    expect(typeIn(first, 'mesh/m/virtualNode/client-1_ns')).toBe('LOGICAL_DNS');
    const grpcBefore = first.groups.get('mesh/m/virtualNode/client-1_ns#grpc');

    // Unknown → known: the sidecars' and gateways' clusters turn EDS; proxyless clients were EDS already.
    source = staticEndpoints({ 'm/server_ns': [{ address: '10.0.0.1' }] });
    const known = t.updateEndpoints(source, [server]);
    expect(known.changed).toEqual(callers);
    expect(typeIn(known, 'mesh/m/virtualNode/client-1_ns')).toBe('EDS');
    expect(typeIn(known, 'mesh/m/virtualGateway/gw-1_ns')).toBe('EDS');
    expect(known.groups.get('mesh/m/virtualNode/client-1_ns')?.endpoints.map((e) => e.cluster_name)).toEqual([
      cluster,
    ]);
    // The proxyless group took the fast path: same clusters object, new assignment.
    expect(known.groups.get('mesh/m/virtualNode/client-1_ns#grpc')?.clusters).toBe(grpcBefore?.clusters);
    sameAsScratch(known, source);

    // Known with no endpoints (pods exist, none ready): still EDS, an empty assignment, fast path only.
    const edsClusters = known.groups.get('mesh/m/virtualNode/client-1_ns')?.clusters;
    source = staticEndpoints({ 'm/server_ns': [] });
    const empty = t.updateEndpoints(source, [server]);
    expect(empty.changed).toEqual(callers);
    expect(empty.groups.get('mesh/m/virtualNode/client-1_ns')?.clusters).toBe(edsClusters);
    expect(empty.groups.get('mesh/m/virtualNode/client-1_ns')?.endpoints[0]?.endpoints).toEqual([]);
    sameAsScratch(empty, source);

    // Known → unknown: back to LOGICAL_DNS, no assignment left behind.
    source = staticEndpoints({});
    const unknown = t.updateEndpoints(source, [server]);
    expect(unknown.changed).toEqual(callers);
    expect(typeIn(unknown, 'mesh/m/virtualNode/client-1_ns')).toBe('LOGICAL_DNS');
    expect(unknown.groups.get('mesh/m/virtualNode/client-1_ns')?.endpoints).toEqual([]);
    sameAsScratch(unknown, source);

    // A later graph update with the same source changes nothing.
    expect(t.update(graph, source).changed).toEqual([]);
  });

  it('stays equal to a full translation through a sequence of changes (kept units are never stale)', () => {
    const t = new Translator();
    let endpoints = staticEndpoints({ 'm/server_ns': [{ address: '10.0.0.1' }] });
    const check = (input: GraphInput): void => {
      const graph = buildMeshGraph(input);
      const r = t.update(graph, endpoints);
      for (const [key, res] of r.groups)
        expect(bytesOf(res), key).toBe(bytesOf(translateGroup(graph, key, endpoints)));
    };
    check(withGateways);
    // The target node gains outlier detection: its callers' clusters must show it (two gateways share one cluster).
    const withOutlier = replacing(withGateways, 'VirtualNode', 'server', (r) => {
      const vn = structuredClone(r) as VirtualNode;
      const l = vn.spec.listeners?.[0];
      if (l)
        l.outlierDetection = {
          maxServerErrors: 3,
          maxEjectionPercent: 10,
          interval: { unit: 's', value: 5 },
          baseEjectionDuration: { unit: 's', value: 30 },
        };
      return vn;
    });
    check(withOutlier);
    // Endpoints move (fast path), then a graph change re-translates a group: fresh assignments.
    endpoints = staticEndpoints({ 'm/server_ns': [{ address: '10.0.0.9' }] });
    t.updateEndpoints(endpoints, [{ mesh: 'm', virtualNode: 'server_ns' }]);
    const routedToNode = replacing(withOutlier, 'VirtualService', 'routed', (r) => {
      const vs = structuredClone(r) as VirtualService;
      vs.spec.provider = { virtualNode: { virtualNodeRef: { name: 'server' } } };
      return vs;
    });
    const graph = buildMeshGraph(routedToNode);
    const r = t.update(graph, endpoints);
    expect(r.changed).toEqual(['mesh/m/virtualNode/client-1_ns', 'mesh/m/virtualNode/client-1_ns#grpc']);
    for (const [key, res] of r.groups)
      expect(bytesOf(res), key).toBe(bytesOf(translateGroup(graph, key, endpoints)));
    check(withGateways);
    check(baseInput);
  });

  it('follows a route target whose port comes from the target node when that node changes its port', () => {
    const t = new Translator();
    const endpoints = staticEndpoints({ 'm/server_ns': [{ address: '10.0.0.1' }] });
    t.update(buildMeshGraph(baseInput), endpoints);
    const moved = replacing(baseInput, 'VirtualNode', 'server', (r) => {
      const vn = structuredClone(r) as VirtualNode;
      vn.spec.listeners = [{ portMapping: { port: 9090, protocol: 'http' } }];
      return vn;
    });
    const graph = buildMeshGraph(moved);
    const r = t.update(graph, endpoints);
    expect(r.changed).toContain('mesh/m/virtualNode/client-1_ns');
    for (const [key, res] of r.groups)
      expect(bytesOf(res), key).toBe(bytesOf(translateGroup(graph, key, endpoints)));
  });

  it('starts the units of a mesh afresh when the mesh changes (short names, IP preference)', () => {
    const text = `
apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata: { name: m }
spec: { namespaceSelector: {} }
${['a1', 'a2']
  .map(
    (n) => `---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: { name: ${n}, namespace: ns }
spec:
  podSelector: {}
  backends: [{ virtualService: { virtualServiceRef: { name: svc } } }]
`,
  )
  .join('')}---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: { name: srv, namespace: ns }
spec:
  podSelector: {}
  listeners: [{ portMapping: { port: 8080, protocol: http } }]
  serviceDiscovery: { dns: { hostname: srv.ns.svc.cluster.local } }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: { name: svc, namespace: ns }
spec: { provider: { virtualNode: { virtualNodeRef: { name: srv } } } }
`;
    const base = graphInputFromLoad(loadText(text, 'm.yaml')).input;
    const meshed = (annotations: Record<string, string>, ipv6: boolean): GraphInput =>
      replacing(base, 'Mesh', 'm', (r) => {
        const mesh = structuredClone(r) as Mesh;
        mesh.metadata.annotations = annotations;
        if (ipv6) mesh.spec.meshServiceDiscovery = { ipPreference: 'IPv6_ONLY' };
        return mesh;
      });
    const t = new Translator();
    for (const input of [
      base,
      meshed({ 'amime.io/match-short-names': 'true' }, false),
      meshed({}, true),
      base,
    ]) {
      const graph = buildMeshGraph(input);
      const r = t.update(graph, NO_ENDPOINTS);
      for (const [key, res] of r.groups)
        expect(bytesOf(res), key).toBe(bytesOf(translateGroup(graph, key, NO_ENDPOINTS)));
    }
  });
});

describe('Translator in steps', () => {
  it('updateInSteps yields each translated group in turn and returns what update returns', () => {
    const stepped = new Translator();
    const whole = new Translator();
    for (const input of [baseInput, withRouteTimeout60, withGateways]) {
      const graph = buildMeshGraph(input);
      const steps = stepped.updateInSteps(graph, NO_ENDPOINTS);
      const keys: string[] = [];
      let next = steps.next();
      for (; !next.done; next = steps.next()) {
        keys.push(next.value.key);
        // Each group is in place when its step comes: its caller can publish it at once.
        expect(stepped.translation(next.value.key)).toBeDefined();
      }
      const expected = whole.update(graph, NO_ENDPOINTS);
      expect([...keys].sort()).toEqual(expected.changed);
      expect(next.value.changed).toEqual(expected.changed);
      expect(next.value.removed).toEqual(expected.removed);
      for (const [key, res] of expected.groups)
        expect(bytesOf(next.value.groups.get(key)!), key).toBe(bytesOf(res));
    }
  });

  it('translates the groups `first` holds for before the others, with the same result', () => {
    const ordered = new Translator();
    const plain = new Translator();
    for (const input of [baseInput, withRouteTimeout60, withGateways]) {
      const graph = buildMeshGraph(input);
      const expected = plain.update(graph, NO_ENDPOINTS);
      // The last group in the usual order is asked for first.
      const wanted = expected.changed.at(-1);
      const steps = ordered.updateInSteps(graph, NO_ENDPOINTS, (key) => key === wanted);
      const keys: string[] = [];
      const marked: string[] = [];
      let next = steps.next();
      for (; !next.done; next = steps.next()) {
        keys.push(next.value.key);
        if (next.value.first) marked.push(next.value.key);
      }
      if (wanted !== undefined) expect(keys[0]).toBe(wanted);
      // Its step says so (the pipeline waits for a fan-out where the marked part ends).
      expect(marked).toEqual(wanted === undefined ? [] : [wanted]);
      expect([...keys].sort()).toEqual(expected.changed);
      expect(next.value.changed).toEqual(expected.changed);
      for (const [key, res] of expected.groups)
        expect(bytesOf(next.value.groups.get(key)!), key).toBe(bytesOf(res));
    }
  });

  it('refuses another update, or the endpoint fast path, until the steps have run to the end', () => {
    const t = new Translator();
    t.update(buildMeshGraph(baseInput), NO_ENDPOINTS);
    const graph = buildMeshGraph(withRouteTimeout60);
    const steps = t.updateInSteps(graph, NO_ENDPOINTS);
    expect(steps.next().done).toBe(false);
    expect(() => t.update(graph, NO_ENDPOINTS)).toThrow(/an update is still in progress/);
    expect(() => t.updateEndpoints(NO_ENDPOINTS, [{ mesh: 'm', virtualNode: 'server_ns' }])).toThrow(
      /an update is still in progress/,
    );
    while (!steps.next().done);
    // Ended: the Translator takes updates again, and the one refused above has nothing left to do.
    expect(t.update(graph, NO_ENDPOINTS).changed).toEqual([]);
  });
});

describe('Translator failures', () => {
  it('keeps a throwing group at its last good translation, translates the others, and retries it', () => {
    let broken = false;
    const source: EndpointSource = {
      endpoints(node) {
        if (broken && node.virtualNode === 'server_ns') throw new Error('source failed');
        return [{ address: '10.0.0.1' }];
      },
    };
    const GW1 = 'mesh/m/virtualGateway/gw-1_ns';
    const GW2 = 'mesh/m/virtualGateway/gw-2_ns';
    // Gateways routing in one hop put their pool on the target's egress cluster, so a pool
    // change builds a new cluster, which asks the endpoint source.
    const direct = ['gw-1', 'gw-2'].reduce(
      (input, name) =>
        replacing(input, 'VirtualGateway', name, (r) => ({
          ...r,
          metadata: { ...r.metadata, annotations: { 'amime.io/gateway-routing': 'direct' } },
        })),
      withGateways,
    );
    const t = new Translator();
    const first = t.update(buildMeshGraph(direct), source);
    expect(first.failed.size).toBe(0);
    const gw1 = first.groups.get(GW1);

    // Both gateways change; only gw-1 needs a new cluster (its pool changed), so only it asks the broken source.
    broken = true;
    const changed = replacing(
      replacing(direct, 'VirtualGateway', 'gw-2', (r) => structuredClone(r)),
      'VirtualGateway',
      'gw-1',
      (r) => {
        const vg = structuredClone(r) as VirtualGateway;
        const l = vg.spec.listeners?.[0];
        if (l) l.connectionPool = { http: { maxConnections: 11 } };
        return vg;
      },
    );
    const graph = buildMeshGraph(changed);
    const r = t.update(graph, source);
    expect([...r.failed]).toEqual([[GW1, 'source failed']]);
    expect(r.groups.get(GW1)).toBe(gw1);
    expect(r.changed).toEqual([GW2]);

    // Tried again on every update; served once the fault is gone, equal to a translation from scratch.
    expect([...t.update(graph, source).failed.keys()]).toEqual([GW1]);
    broken = false;
    const r3 = t.update(graph, source);
    expect(r3.failed.size).toBe(0);
    expect(r3.changed).toEqual([GW1]);
    for (const [key, res] of r3.groups)
      expect(bytesOf(res), key).toBe(bytesOf(translateGroup(graph, key, source)));
    expect(t.update(graph, source).changed).toEqual([]);
  });
});
