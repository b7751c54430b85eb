import { describe, expect, it } from 'vitest';
import { checkObject } from './validate-object.js';

const vn = (spec: unknown) => ({
  apiVersion: 'appmesh.k8s.aws/v1beta2',
  kind: 'VirtualNode',
  metadata: { name: 'vn', namespace: 'ns' },
  spec,
});

describe('checkObject', () => {
  it('accepts the seed vnode', () => {
    const r = checkObject(
      vn({
        podSelector: { matchLabels: { app: 'sample0' } },
        listeners: [{ portMapping: { port: 80, protocol: 'http' } }],
        serviceDiscovery: { dns: { hostname: 'svc-1.mesh-test.svc.cluster.local' } },
      }),
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.resource?.kind).toBe('VirtualNode');
  });

  it('names the path of type, range and enum errors', () => {
    const r = checkObject(
      vn({
        listeners: [{ portMapping: { port: 70000, protocol: 'udp' } }],
        serviceDiscovery: { dns: { hostname: 5 } },
      }),
    );
    const byPath = Object.fromEntries(r.diagnostics.map((d) => [d.path, d.message]));
    expect(byPath['spec.listeners[0].portMapping.port']).toBe('must be ≤ 65535, got 70000');
    expect(byPath['spec.listeners[0].portMapping.protocol']).toBe(
      'expected one of "grpc", "http", "http2", "tcp", got string "udp"',
    );
    expect(byPath['spec.serviceDiscovery.dns.hostname']).toBe('expected string, got number 5');
    expect(r.resource).toBeUndefined();
  });

  it('enforces unions', () => {
    const r = checkObject(
      vn({
        serviceDiscovery: { dns: { hostname: 'a' }, awsCloudMap: { namespaceName: 'n', serviceName: 's' } },
      }),
    );
    expect(r.diagnostics).toMatchObject([{ path: 'spec.serviceDiscovery', code: 'schema.exactly-one' }]);
  });

  it('warns about unknown fields with a suggestion', () => {
    const r = checkObject(vn({ serviceDiscovry: { dns: { hostname: 'a' } } }));
    expect(r.diagnostics).toMatchObject([
      {
        severity: 'warning',
        path: 'spec.serviceDiscovry',
        message: expect.stringContaining('did you mean "serviceDiscovery"'),
      },
    ]);
    expect(r.resource).toBeDefined();
  });

  it('rejects non-objects and bad headers without throwing', () => {
    expect(checkObject('x').diagnostics[0]?.code).toBe('object.not-a-mapping');
    expect(checkObject({ apiVersion: 'appmesh.k8s.aws/v1beta1', kind: 'Mesh' }).diagnostics[0]?.code).toBe(
      'object.api-version',
    );
    expect(
      checkObject({ apiVersion: 'appmesh.k8s.aws/v1beta2', kind: 'Nope', metadata: { name: 'a' } })
        .diagnostics[0]?.code,
    ).toBe('object.kind');
    expect(
      checkObject({ apiVersion: 'appmesh.k8s.aws/v1beta2', kind: 'Mesh', metadata: {} }).diagnostics[0]?.path,
    ).toBe('metadata.name');
  });
});

describe('checkObject name rules', () => {
  const named = (name: string) => ({
    apiVersion: 'appmesh.k8s.aws/v1beta2',
    kind: 'VirtualNode',
    metadata: { name },
    spec: {},
  });
  it('applies the Kubernetes name rule by default', () => {
    expect(checkObject(named('vnode-1_mesh-test')).diagnostics[0]?.path).toBe('metadata.name');
  });
  it('accepts App Mesh names when asked to', () => {
    expect(checkObject(named('vnode-1_mesh-test'), { kubernetesNames: false }).diagnostics).toEqual([]);
    expect(checkObject(named('x'.repeat(256)), { kubernetesNames: false }).diagnostics[0]?.message).toMatch(
      /255/,
    );
  });
});

describe('checkObject on hostile input', () => {
  const A = 'appmesh.k8s.aws/v1beta2';
  const cyclic = (): Record<string, unknown> => {
    const o: Record<string, unknown> = { a: 1 };
    o.self = o;
    return o;
  };

  it('never throws on cyclic values and describes them without serializing them', () => {
    const cases: Array<[unknown, string, string]> = [
      [
        { apiVersion: cyclic(), kind: 'Mesh', metadata: { name: 'm' }, spec: {} },
        'apiVersion',
        `expected apiVersion "${A}", got a mapping`,
      ],
      [
        { apiVersion: A, kind: cyclic(), metadata: { name: 'm' }, spec: {} },
        'kind',
        `unknown kind a mapping in ${A}`,
      ],
      [
        { apiVersion: A, kind: [cyclic()], metadata: { name: 'm' }, spec: {} },
        'kind',
        `unknown kind a list in ${A}`,
      ],
      [
        { apiVersion: A, kind: 'VirtualNode', metadata: { name: 'm', namespace: cyclic() }, spec: {} },
        'metadata.namespace',
        'a mapping is not a valid namespace name',
      ],
      [
        { apiVersion: A, kind: 'VirtualNode', metadata: { name: 'm', labels: cyclic() }, spec: {} },
        'metadata.labels',
        'metadata.labels must map strings to strings',
      ],
    ];
    for (const [raw, path, message] of cases) {
      let result: ReturnType<typeof checkObject> | undefined;
      expect(() => (result = checkObject(raw))).not.toThrow();
      expect(result?.resource).toBeUndefined();
      expect(result?.diagnostics.find((d) => d.path === path)?.message).toBe(message);
    }
  });

  it('never throws on a cyclic spec, status or root object', () => {
    const root = cyclic();
    Object.assign(root, {
      apiVersion: A,
      kind: 'VirtualNode',
      metadata: { name: 'm', namespace: 'ns' },
      spec: root,
      status: root,
    });
    const listener: Record<string, unknown> = { portMapping: { port: 80, protocol: 'http' } };
    listener.timeout = listener;
    for (const raw of [
      root,
      vn(cyclic()),
      vn({ listeners: [listener], backends: [cyclic()], serviceDiscovery: { dns: cyclic() } }),
    ]) {
      let result: ReturnType<typeof checkObject> | undefined;
      expect(() => (result = checkObject(raw))).not.toThrow();
      // Unknown keys (`a`, `self`) are reported, never walked into.
      expect(result?.diagnostics.some((d) => d.path.endsWith('.self'))).toBe(true);
    }
  });

  it('never throws on BigInts and keeps long strings short in messages', () => {
    expect(
      checkObject({ apiVersion: 10n, kind: 'Mesh', metadata: { name: 'm' }, spec: {} }).diagnostics[0]
        ?.message,
    ).toBe(`expected apiVersion "${A}", got 10n`);
    expect(
      checkObject({ apiVersion: A, kind: 'VirtualNode', metadata: { name: 'm', namespace: 1n }, spec: {} })
        .diagnostics[0]?.message,
    ).toBe('1n is not a valid namespace name');
    const long = checkObject({ apiVersion: A, kind: 'K'.repeat(10_000), metadata: { name: 'm' }, spec: {} })
      .diagnostics[0]!.message;
    expect(long).toBe(`unknown kind "${'K'.repeat(60)}…" in ${A}`);
    expect(
      checkObject({ apiVersion: 'v1', kind: 'Mesh', metadata: { name: 'm' }, spec: {} }).diagnostics[0]
        ?.message,
    ).toBe(`expected apiVersion "${A}", got "v1"`);
  });
});
