import { SEED_AS_WRITTEN, SEED_COMPLETE } from '../../test/support/fixtures.js';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPathsSync, loadText, type LoadResult, type PodOrigin } from '../load/index.js';
import { API_VERSION, formatSource } from '../model/index.js';
import { graphInputFromLoad, validateLoaded } from './from-load.js';

describe('validateLoaded on the seed', () => {
  it('as-written: exactly two errors, one per root cause, at the right file:line', () => {
    const { diagnostics, graph } = validateLoaded(loadPathsSync([SEED_AS_WRITTEN]));
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => `${path.basename(d.source!.file)}:${d.source!.line} ${d.code}`)).toEqual([
      '01-mesh-and-vnode.yaml:11 mesh.no-matching-mesh',
      '02-router-and-service.yaml:23 ref.not-found',
    ]);
    const [mesh, route] = errors;
    expect(mesh!.message).toContain(
      'Mesh mesh-1 selects mesh=sitateru-mesh, but the namespace has mesh=mesh-1',
    );
    expect(mesh!.related!.map((r) => `${r.resource!.kind} ${r.resource!.name}`)).toEqual([
      'Namespace mesh-test',
      'VirtualNode vnode-1',
      'VirtualRouter vrouter-1',
      'VirtualService svc-v',
      'VirtualNode vnode-x',
      'VirtualGateway gateway-v',
      'GatewayRoute gateway-v-route-v',
    ]);
    expect(formatSource(mesh!.related![0]!.source!)).toMatch(/01-mesh-and-vnode\.yaml:19:3$/);
    expect(route!.path).toBe('spec.routes[0].httpRoute.action.weightedTargets[1].virtualNodeRef');
    expect(route!.message).toBe('route route-1 targets VirtualNode mesh-test/vnode-2, which does not exist');
    expect(graph.counts).toEqual({ meshes: 1, resources: 6 });
    const reasons = Object.fromEntries(graph.unplaced.map((u) => [u.id.name, u.inactive]));
    expect(reasons['vrouter-1']!.reason).toBe('ValidationFailed');
    expect(reasons['svc-v']!.message).toContain('VirtualRouter mesh-test/vrouter-1');
    expect(reasons['gateway-v-route-v']!.message).toContain('VirtualService mesh-test/svc-v');
  });

  it('complete: no errors, no warnings, everything active', () => {
    const { diagnostics, graph } = validateLoaded(loadPathsSync([SEED_COMPLETE]));
    expect(diagnostics).toEqual([]);
    const view = graph.meshes.get('mesh-1')!;
    expect(view.mesh.egressFilter).toBe('ALLOW_ALL');
    expect([...view.virtualNodes.keys()]).toEqual([
      'vnode-1_mesh-test',
      'vnode-2_mesh-test',
      'vnode-x_mesh-test',
    ]);
    const svc = view.virtualServices.get('svc-v.mesh-test')!;
    expect(svc.hostnames).toEqual([
      'svc-v.mesh-test',
      'svc-v.mesh-test.svc.cluster.local',
      'svc-v.mesh-test.svc',
    ]);
    expect(svc.provider?.kind).toBe('virtualRouter');
    const route = view.virtualRouters.get('vrouter-1_mesh-test')!.routes[0]!;
    expect(route.targets.map((t) => [t.node.awsName, t.weight])).toEqual([
      ['vnode-1_mesh-test', 1],
      ['vnode-2_mesh-test', 1],
    ]);
    expect(view.virtualNodes.get('vnode-x_mesh-test')!.backends[0]).toMatchObject({
      serviceName: svc.awsName,
      found: true,
    });
    expect(view.virtualGateways.get('gateway-v_mesh-test')!.routes.map((r) => r.awsName)).toEqual([
      'gateway-v-route-v_mesh-test',
    ]);
    expect(graph.unplaced).toEqual([]);
    for (const m of [view.virtualNodes, view.virtualServices, view.virtualRouters, view.virtualGateways])
      for (const x of m.values()) expect(x.inactive).toBeUndefined();
  });

  it('a schema error in one object does not cascade into "does not exist" errors elsewhere', () => {
    const text = `
apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata: { name: m }
spec: { namespaceSelector: {} }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: { name: n, namespace: ns }
spec:
  listeners: [{ portMapping: { port: 80, protocol: htp } }]
  serviceDiscovery: { dns: { hostname: h } }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: { name: s, namespace: ns }
spec: { provider: { virtualNode: { virtualNodeRef: { name: n } } } }
`;
    const { diagnostics } = validateLoaded(loadText(text, 'mem.yaml'));
    expect(
      diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.source?.line} ${d.code} @ ${d.path}`),
    ).toEqual(['11 schema.type @ spec.listeners[0].portMapping.protocol']);
  });

  it('objects without a namespace go to the default namespace (or the one given)', () => {
    const text = `
apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata: { name: m }
spec: { namespaceSelector: {} }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: { name: s }
spec: {}
`;
    const { graph } = validateLoaded(loadText(text, 'mem.yaml'));
    expect([...graph.meshes.get('m')!.virtualServices.keys()]).toEqual(['s.default']);
  });
});

/** A LoadResult of these objects, as if each were document i of mem.yaml. */
function loadOf(objects: unknown[], located = true): LoadResult {
  return {
    meshObjects: objects.map((object, i) => ({
      object,
      file: 'mem.yaml',
      docIndex: i,
      source: {
        positionOf: (p) => (located ? { file: 'mem.yaml', line: 10 * i + p.length, col: 1 } : undefined),
        documentPosition: () => ({ file: 'mem.yaml', line: 10 * i, col: 1 }),
      },
    })),
    namespaces: [],
    pods: [],
    diagnostics: [],
    ignored: 0,
  };
}

const vsObject = (metadata: unknown, spec: unknown = {}) => ({
  apiVersion: API_VERSION,
  kind: 'VirtualService',
  metadata,
  spec,
});
/** Fails the schema but keeps its identity. */
const BAD_SPEC = { awsName: 7 };

describe('graphInputFromLoad', () => {
  it('namespaces objects that name none in `default` unless told otherwise', () => {
    const objects = [vsObject({ name: 's' }), vsObject({ name: 'bad' }, BAD_SPEC)];
    const byDefault = graphInputFromLoad(loadOf(objects)).input;
    expect(byDefault.resources.map((r) => r.resource.metadata.namespace)).toEqual(['default', 'default']);
    expect(byDefault.invalid).toEqual([
      { id: { kind: 'VirtualService', namespace: 'default', name: 'bad' }, locate: expect.any(Function) },
    ]);
    const given = graphInputFromLoad(loadOf(objects), 'team').input;
    expect(given.invalid!.map((i) => i.id.namespace)).toEqual(['team']);
  });

  it('a valid object becomes a resource with its locator, and nothing is invalid', () => {
    const { input, diagnostics } = graphInputFromLoad(loadOf([vsObject({ name: 's', namespace: 'ns' })]));
    expect(diagnostics).toEqual([]);
    expect(input.invalid).toEqual([]);
    expect(input.resources).toHaveLength(1);
    expect(input.resources[0]!.schemaErrors).toBeUndefined();
    expect(input.resources[0]!.locate!(['spec'])).toEqual({ file: 'mem.yaml', line: 1, col: 1 });
  });

  it('a schema-invalid object is listed as invalid by its identity, and what remains of it is checked', () => {
    const { input, diagnostics } = graphInputFromLoad(
      loadOf([vsObject({ name: 'bad', namespace: 'ns' }, BAD_SPEC)]),
    );
    expect(diagnostics.map((d) => `${d.code} @ ${d.path}`)).toEqual(['schema.type @ spec.awsName']);
    expect(input.invalid!.map((i) => i.id)).toEqual([
      { kind: 'VirtualService', namespace: 'ns', name: 'bad' },
    ]);
    expect(input.resources.map((r) => [r.resource.metadata.name, r.schemaErrors])).toEqual([
      ['bad', { removed: ['spec.awsName'] }],
    ]);
  });

  it('the identity of an invalid object: namespace as written, else the default; none for a Mesh', () => {
    const ids = (objects: unknown[]) =>
      graphInputFromLoad(loadOf(objects), 'dflt').input.invalid!.map((i) => i.id);
    expect(
      ids([
        vsObject({ name: 'a', namespace: 'ns' }, BAD_SPEC),
        vsObject({ name: 'b', namespace: '' }, BAD_SPEC),
        vsObject({ name: 'c', namespace: 7 }, BAD_SPEC),
        { apiVersion: API_VERSION, kind: 'Mesh', metadata: { name: 'm' }, spec: { egressFilter: 7 } },
      ]),
    ).toEqual([
      { kind: 'VirtualService', namespace: 'ns', name: 'a' },
      { kind: 'VirtualService', namespace: 'dflt', name: 'b' },
      { kind: 'VirtualService', namespace: 'dflt', name: 'c' },
      { kind: 'Mesh', name: 'm' },
    ]);
  });

  it('an object without a usable identity is neither invalid nor a resource', () => {
    const nameless = [
      null,
      'text',
      [vsObject({ name: 'in-a-list' })],
      { apiVersion: API_VERSION, kind: 'Unknown', metadata: { name: 'x' }, spec: {} },
      { apiVersion: API_VERSION, kind: 'VirtualService', spec: {} },
      vsObject(null),
      vsObject({ namespace: 'ns' }),
      vsObject({ name: 7, namespace: 'ns' }),
      vsObject({ name: '', namespace: 'ns' }),
    ];
    for (const object of nameless) {
      const { input, diagnostics } = graphInputFromLoad(loadOf([object]));
      expect(input.invalid, JSON.stringify(object)).toEqual([]);
      expect(input.resources, JSON.stringify(object)).toEqual([]);
      expect(diagnostics.length, JSON.stringify(object)).toBeGreaterThan(0);
    }
  });

  it('an object of another apiVersion with a kind and a name waits as invalid, without a resource', () => {
    const { input } = graphInputFromLoad(
      loadOf([{ apiVersion: 'v1', kind: 'VirtualService', metadata: { name: 's', namespace: 'ns' } }]),
    );
    expect(input.invalid!.map((i) => i.id)).toEqual([{ kind: 'VirtualService', namespace: 'ns', name: 's' }]);
    expect(input.resources).toEqual([]);
  });

  it('refuses a cyclic object at the first value that contains itself, and goes on with the others', () => {
    const spec: Record<string, unknown> = { listeners: [] };
    (spec.listeners as unknown[]).push({ portMapping: { port: 80, protocol: 'http' } }, { again: spec });
    const cyclic = {
      apiVersion: API_VERSION,
      kind: 'VirtualNode',
      metadata: { name: 'n', namespace: 'ns', labels: null },
      spec,
    };
    const load = loadOf([cyclic, vsObject({ name: 's', namespace: 'ns' })]);
    const { input, diagnostics } = graphInputFromLoad(load);
    expect(diagnostics).toEqual([
      {
        severity: 'error',
        code: 'load.cyclic-alias',
        path: 'spec.listeners[1].again',
        message:
          'this value contains itself through a YAML alias (an anchor used inside its own value); a Kubernetes object cannot be cyclic',
        // positionOf answers with line = path length here.
        source: { file: 'mem.yaml', line: 4, col: 1 },
      },
    ]);
    expect(input.resources.map((r) => r.resource.metadata.name)).toEqual(['s']);
    expect(input.invalid).toEqual([]);
    // Where the path cannot be located, the document's position.
    expect(graphInputFromLoad(loadOf([cyclic], false)).diagnostics[0]!.source).toEqual({
      file: 'mem.yaml',
      line: 0,
      col: 1,
    });
    // A root that is its own child.
    const root: Record<string, unknown> = { apiVersion: API_VERSION, kind: 'Mesh' };
    root.metadata = root;
    expect(graphInputFromLoad(loadOf([root])).diagnostics.map((d) => d.path)).toEqual(['metadata']);
  });

  it('a value used twice without containing itself is not a cycle', () => {
    const shared = { portMapping: { port: 80, protocol: 'http' } };
    const node = {
      apiVersion: API_VERSION,
      kind: 'VirtualNode',
      metadata: { name: 'n', namespace: 'ns' },
      spec: { listeners: [shared, shared], serviceDiscovery: { dns: { hostname: 'h' } } },
    };
    const { input, diagnostics } = graphInputFromLoad(loadOf([node]));
    expect(diagnostics.map((d) => d.code)).not.toContain('load.cyclic-alias');
    expect(input.resources).toHaveLength(1);
  });

  it('an object the schema check throws on becomes an internal error at the document', () => {
    const object = { kind: 'VirtualService', metadata: { name: 's', namespace: 'ns' }, spec: {} };
    // Not enumerable, so the cycle check walks past it; the schema check reads it.
    Object.defineProperty(object, 'apiVersion', {
      enumerable: false,
      get: () => {
        throw new Error('boom');
      },
    });
    const { input, diagnostics } = graphInputFromLoad(
      loadOf([vsObject({ name: 'a', namespace: 'ns' }), object]),
    );
    expect(diagnostics).toEqual([
      {
        severity: 'error',
        code: 'internal.error',
        path: '',
        message: 'internal error while checking this object (please report it): boom',
        source: { file: 'mem.yaml', line: 10, col: 1 },
      },
    ]);
    expect(input.resources.map((r) => r.resource.metadata.name)).toEqual(['a']);
    expect(input.invalid).toEqual([]);
  });

  it('pods and pod templates come with their origin and where the template sits', () => {
    const text = `
apiVersion: v1
kind: Pod
metadata: { name: p, namespace: ns, labels: { app: a }, annotations: { x: y } }
spec: {}
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: d, namespace: ns }
spec:
  template:
    metadata: { labels: { app: d } }
    spec: {}
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: c, namespace: ns }
spec:
  jobTemplate:
    spec:
      template:
        metadata: { labels: { app: c } }
        spec: {}
`;
    const load = loadText(text, 'pods.yaml');
    const { pods } = graphInputFromLoad(load).input;
    expect(pods).toEqual([
      {
        namespace: 'ns',
        name: 'p',
        labels: { app: 'a' },
        annotations: { x: 'y' },
        locate: expect.any(Function),
        kind: 'Pod',
        templatePath: [],
      },
      {
        namespace: 'ns',
        name: 'd',
        labels: { app: 'd' },
        annotations: {},
        locate: expect.any(Function),
        kind: 'Deployment',
        templatePath: ['spec', 'template'],
      },
      {
        namespace: 'ns',
        name: 'c',
        labels: { app: 'c' },
        annotations: {},
        locate: expect.any(Function),
        kind: 'CronJob',
        templatePath: ['spec', 'jobTemplate', 'spec', 'template'],
      },
    ]);
    expect(pods![1]!.locate!(['metadata', 'labels'])).toEqual(load.pods[1]!.locate(['metadata', 'labels']));
    // An origin the loader does not have (yet) is treated as a bare pod.
    const odd = { ...load.pods[0]!, origin: 'PodTemplate' as PodOrigin };
    expect(graphInputFromLoad({ ...load, pods: [odd] }).input.pods![0]!.templatePath).toEqual([]);
  });
});

describe('validateLoaded options', () => {
  // The loader (src/load) already puts objects that name no namespace into `default`, so
  // the default namespace given here only reaches objects of a LoadResult built otherwise.
  const objects = [
    { apiVersion: API_VERSION, kind: 'Mesh', metadata: { name: 'm' }, spec: { namespaceSelector: {} } },
    vsObject({ name: 's' }),
    vsObject({ name: 'bad' }, BAD_SPEC),
    {
      apiVersion: API_VERSION,
      kind: 'VirtualNode',
      metadata: { name: 'n', namespace: 'team' },
      spec: {
        listeners: [{ portMapping: { port: 80, protocol: 'http' } }],
        serviceDiscovery: { dns: { hostname: 'h' } },
        backends: [{ virtualService: { virtualServiceRef: { name: 'bad' } } }],
      },
    },
  ];

  it('objects without a namespace go to the one given, and references to invalid ones there wait', () => {
    const { graph, diagnostics } = validateLoaded(loadOf(objects), { defaultNamespace: 'team' });
    expect([...graph.meshes.get('m')!.virtualServices.keys()]).toEqual(['s.team']);
    expect(diagnostics.map((d) => d.code)).not.toContain('ref.backend-not-found');
  });

  it('by default, that namespace is `default`', () => {
    const { graph, diagnostics } = validateLoaded(loadOf(objects));
    expect([...graph.meshes.get('m')!.virtualServices.keys()]).toEqual(['s.default']);
    expect(diagnostics.filter((d) => d.code === 'ref.backend-not-found').map((d) => d.message)).toEqual([
      expect.stringContaining('team/bad'),
    ]);
  });

  it('a meshRef in a file is compared with the selectors, not obeyed (unless told otherwise)', () => {
    const withRef = `
apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata: { name: m }
spec: { namespaceSelector: {} }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: { name: s, namespace: ns }
spec: { meshRef: { name: m, uid: u } }
`;
    const codes = (options: Parameters<typeof validateLoaded>[1]) =>
      validateLoaded(loadText(withRef, 'mem.yaml'), options).diagnostics.map(
        (d) => `${d.severity} ${d.code}`,
      );
    expect(codes({})).toContain('warning mesh.ref-ignored');
    expect(codes({ refsFromFiles: false })).not.toContain('warning mesh.ref-ignored');
  });

  it('returns the loader, schema and graph diagnostics in one list sorted by position', () => {
    const load = loadOf(objects);
    load.diagnostics.push(
      { severity: 'warning', code: 'load.unlocated', path: '', message: 'm' },
      {
        severity: 'warning',
        code: 'load.first',
        path: '',
        message: 'm',
        source: { file: 'a.yaml', line: 9, col: 1 },
      },
    );
    const { diagnostics } = validateLoaded(load);
    expect(diagnostics.map((d) => `${d.code} ${d.source ? formatSource(d.source) : '-'}`)).toEqual([
      'load.first a.yaml:9:1',
      'schema.type mem.yaml:22:1',
      'ref.backend-not-found mem.yaml:35:1',
      'load.unlocated -',
    ]);
  });
});
