import { describe, expect, it } from 'vitest';
import { API_VERSION, type AnyResource } from '../model/index.js';
import { buildMeshGraph } from './build.js';
import { check, mesh, NS, summarize, verifyRule, vn, vs } from './fixtures.testkit.js';

const nsWith = (labels: Record<string, string>, name = NS) => ({ name, labels });

describe('membership: a namespace belongs to exactly one Mesh (appmesh.md §2.2)', () => {
  it('no Mesh selecting the namespace is one error at the Mesh selector, with the members as related', () => {
    const r = check([vn('a'), vs('s')], { namespaces: [nsWith({ mesh: 'other' })] });
    expect(summarize(r.diagnostics)).toEqual(['error mesh.no-matching-mesh @ spec.namespaceSelector']);
    const d = r.errors[0]!;
    expect(d.resource).toEqual({ kind: 'Mesh', name: 'm' });
    expect(d.message).toContain(
      'no Mesh selects namespace ns: Mesh m selects mesh=m, but the namespace has mesh=other',
    );
    expect(d.message).toContain('failed to find matching mesh for namespace: ns, expecting 1 but found 0');
    expect(d.related?.map((x) => `${x.resource?.kind} ${x.resource?.name}: ${x.message}`)).toEqual([
      'Namespace ns: namespace ns has mesh=other',
      'VirtualNode a: left without a mesh',
      'VirtualService s: left without a mesh',
    ]);
    expect(r.graph.unplaced.map((u) => [u.id.name, u.inactive.reason])).toEqual([
      ['a', 'MeshNotFound'],
      ['s', 'MeshNotFound'],
    ]);
  });

  it('says when the namespace lacks the selected label', () => {
    const r = check([vn('a')], { namespaces: [nsWith({})] });
    expect(r.errors[0]!.message).toContain('the namespace has no label mesh');
  });

  it('several Meshes: the error sits at the Namespace labels and names each Mesh', () => {
    const r = check([mesh('m2', { namespaceSelector: { matchLabels: { team: 'x' } } }), vn('a')], {
      namespaces: [
        { name: NS, labels: { mesh: 'nope' }, locate: () => ({ file: 'ns.yaml', line: 4, col: 3 }) },
      ],
    });
    expect(summarize(r.errors)).toEqual(['error mesh.no-matching-mesh @ metadata.labels']);
    expect(r.errors[0]!.resource).toEqual({ kind: 'Namespace', name: NS });
    expect(r.errors[0]!.source).toEqual({ file: 'ns.yaml', line: 4, col: 3 });
    expect(r.errors[0]!.message).toContain('Mesh m selects mesh=m; Mesh m2 selects team=x');
  });

  it('rejects a namespace selected by more than one Mesh', () => {
    verifyRule({
      rule: 'exactly one Mesh',
      good: [mesh('m2', { namespaceSelector: { matchLabels: { mesh: 'm2' } } }), vn('a')],
      bad: [mesh('m2', { namespaceSelector: {} }), vn('a')],
      code: 'mesh.multiple-matching-meshes',
      path: 'metadata.labels',
      message: 'found multiple matching meshes for namespace: ns, expecting 1 but found 2: m,m2',
    });
  });

  it('an absent namespaceSelector selects nothing; an empty one selects everything', () => {
    const absent = check([mesh('m', {}), vn('a')], { base: false, namespaces: [nsWith({ any: 'x' })] });
    expect(absent.errors.map((d) => d.code)).toEqual(['mesh.no-matching-mesh']);
    expect(absent.errors[0]!.message).toContain('has no namespaceSelector');
    const empty = check([mesh('m', { namespaceSelector: {} }), vn('a')], {
      base: false,
      namespaces: [nsWith({ any: 'x' })],
    });
    expect(empty.diagnostics).toEqual([]);
    expect(empty.graph.meshes.get('m')!.virtualNodes.has('a_ns')).toBe(true);
  });

  it('matchExpressions take part in membership', () => {
    const r = check(
      [
        mesh('m', {
          namespaceSelector: {
            matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'stage'] }],
          },
        }),
        vn('a'),
      ],
      { base: false, namespaces: [nsWith({ env: 'stage' })] },
    );
    expect(r.diagnostics).toEqual([]);
  });

  it('a Mesh with an invalid selector selects nothing, and only its own error is reported', () => {
    const r = check(
      [mesh('m', { namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'Has' }] } }), vn('a')],
      { base: false, namespaces: [nsWith({ env: 'x' })] },
    );
    expect(summarize(r.errors)).toEqual([
      'error selector.invalid @ spec.namespaceSelector.matchExpressions[0].operator',
    ]);
    expect(r.graph.unplaced[0]!.inactive.reason).toBe('MeshNotFound');
  });

  it('without a Namespace object and one Mesh, assumes it with one warning per namespace', () => {
    const r = check([mesh(), vn('a'), vs('s')], { base: false, namespaces: [] });
    expect(summarize(r.diagnostics)).toEqual(['warning mesh.namespace-unknown @ metadata.namespace']);
    expect(r.diagnostics[0]!.message).toContain('labels are unknown');
    expect(r.graph.meshes.get('m')!.virtualNodes.has('a_ns')).toBe(true);
  });

  it('without a Namespace object, a Mesh that selects every namespace needs no warning', () => {
    const r = check([mesh('m', { namespaceSelector: {} }), vn('a')], { base: false, namespaces: [] });
    expect(r.diagnostics).toEqual([]);
  });

  it('without a Namespace object and several Meshes, it is an error (once)', () => {
    const r = check(
      [mesh(), mesh('m2', { namespaceSelector: { matchLabels: { x: 'y' } } }), vn('a'), vn('b')],
      { base: false, namespaces: [] },
    );
    expect(summarize(r.errors)).toEqual(['error mesh.namespace-unknown @ metadata.namespace']);
  });

  it('without any Mesh, it is an error (once per namespace)', () => {
    const r = check([vn('a'), vn('b')], { base: false, namespaces: [] });
    expect(summarize(r.errors)).toEqual(['error mesh.no-mesh @ metadata.namespace']);
    expect(r.errors[0]!.related).toHaveLength(1);
  });

  it('spec.meshRef places a resource without a namespace (REST form)', () => {
    const m: AnyResource = { apiVersion: API_VERSION, kind: 'Mesh', metadata: { name: 'm' }, spec: {} };
    const node: AnyResource = {
      apiVersion: API_VERSION,
      kind: 'VirtualNode',
      metadata: { name: 'a' },
      spec: { meshRef: { name: 'm', uid: 'u' } },
    };
    const orphan: AnyResource = {
      apiVersion: API_VERSION,
      kind: 'VirtualNode',
      metadata: { name: 'b' },
      spec: {},
    };
    const g = buildMeshGraph({ resources: [{ resource: m }, { resource: node }, { resource: orphan }] });
    expect(g.meshes.get('m')!.virtualNodes.get('a')!.id).toEqual({ kind: 'VirtualNode', name: 'a' });
    expect(summarize(g.diagnostics)).toEqual(['error mesh.no-membership @ spec.meshRef']);
  });

  // Issue 16 item 4: the controller's mutating webhook sets meshRef from the selection
  // (CTRL webhooks/appmesh/virtualnode_mutator.go) and refuses a user-set one on create.
  it('in manifests, a meshRef naming a missing Mesh is an error at spec.meshRef.name', () => {
    verifyRule({
      rule: 'meshRef must name the Mesh that selects the namespace',
      good: [vn('a')],
      bad: [vn('a', { meshRef: { name: 'gone', uid: 'u' } })],
      code: 'mesh.ref-not-found',
      path: 'spec.meshRef.name',
      message: 'which does not exist, but namespace ns is selected by Mesh m',
    });
  });

  it('in manifests, a meshRef disagreeing with the namespace membership is an error', () => {
    verifyRule({
      rule: 'meshRef must agree with membership',
      good: [mesh('m2', { namespaceSelector: { matchLabels: { mesh: 'm2' } } }), vn('a')],
      bad: [
        mesh('m2', { namespaceSelector: { matchLabels: { mesh: 'm2' } } }),
        vn('a', { meshRef: { name: 'm2', uid: 'u' } }),
      ],
      code: 'mesh.ref-mismatch',
      path: 'spec.meshRef.name',
      message: 'meshRef is set by the system from that selection: remove it',
    });
  });

  it('in manifests, a meshRef that agrees (kubectl get -o yaml) is ignored with a warning', () => {
    verifyRule({
      rule: 'an agreeing meshRef is ignored',
      good: [vn('a')],
      bad: [vn('a', { meshRef: { name: 'm', uid: 'u' } })],
      code: 'mesh.ref-ignored',
      path: 'spec.meshRef',
      severity: 'warning',
    });
    // It does not place the resource: the namespace does.
    const r = check([mesh('m2', { namespaceSelector: {} }), vn('a', { meshRef: { name: 'm2', uid: 'u' } })], {
      base: false,
      namespaces: [{ name: 'ns', labels: {} }],
    });
    expect(r.errors).toEqual([]);
    expect(r.graph.meshes.get('m2')!.virtualNodes.has('a_ns')).toBe(true);
  });

  it('in a store or a cluster, where the system set it, the meshRef decides (labels changed since)', () => {
    const objects = [
      mesh('m2', { namespaceSelector: { matchLabels: { mesh: 'm2' } } }),
      vn('a', { meshRef: { name: 'm2', uid: 'u' } }),
    ];
    const r = check(objects, { options: { refsFromFiles: false } });
    expect(r.errors).toEqual([]);
    expect(r.graph.meshes.get('m2')!.virtualNodes.has('a_ns')).toBe(true);
    const missing = check([vn('a', { meshRef: { name: 'gone', uid: 'u' } })], {
      options: { refsFromFiles: false },
    });
    expect(summarize(missing.errors)).toEqual(['error mesh.ref-not-found @ spec.meshRef.name']);
  });

  it('"no Mesh" errors no longer advise setting spec.meshRef', () => {
    const none = check([vn('a')], { base: false, namespaces: [] });
    const unknown = check([mesh(), mesh('m2', { namespaceSelector: { matchLabels: { x: 'y' } } }), vn('a')], {
      base: false,
      namespaces: [],
    });
    for (const d of [...none.errors, ...unknown.errors]) expect(d.message).not.toContain('meshRef');
  });

  const restNode = (name: string, spec: Record<string, unknown>): AnyResource =>
    ({ apiVersion: API_VERSION, kind: 'VirtualNode', metadata: { name }, spec }) as AnyResource;
  const restMesh = (uid?: string): AnyResource =>
    ({
      apiVersion: API_VERSION,
      kind: 'Mesh',
      metadata: { name: 'm', ...(uid ? { uid } : {}) },
      spec: {},
    }) as AnyResource;
  const build = (resources: AnyResource[]) =>
    buildMeshGraph({ resources: resources.map((resource) => ({ resource })) });

  it('counts the resources left without a mesh, one or several', () => {
    const message = (objects: ReturnType<typeof vn>[]) =>
      check(objects, { namespaces: [nsWith({ mesh: 'other' })] }).errors[0]!.message;
    expect(message([vn('a')])).toMatch(/; 1 resource in ns is left without a mesh$/);
    expect(message([vn('a'), vs('s')])).toMatch(/; 2 resources in ns are left without a mesh$/);
  });

  it('several Meshes and none selecting: the message and related places name each Mesh and each member', () => {
    const r = check([mesh('m2', { namespaceSelector: { matchLabels: { team: 'x' } } }), vn('a')], {
      namespaces: [nsWith({ mesh: 'other' })],
    });
    expect(r.errors.map((d) => [d.code, d.message])).toEqual([
      [
        'mesh.no-matching-mesh',
        'no Mesh selects namespace ns (labels: mesh=other): Mesh m selects mesh=m; Mesh m2 selects team=x (failed to find matching mesh for namespace: ns, expecting 1 but found 0); 1 resource in ns is left without a mesh',
      ],
    ]);
    expect(r.errors[0]!.related!.map((x) => `${x.resource?.kind} ${x.resource?.name}: ${x.message}`)).toEqual(
      [
        'Mesh m: Mesh m selects mesh=m',
        'Mesh m2: Mesh m2 selects team=x',
        'VirtualNode a: left without a mesh',
      ],
    );
  });

  it('with a Namespace object and no Mesh at all: there is no Mesh', () => {
    const r = check([vn('a')], { base: false, namespaces: [nsWith({ mesh: 'm' })] });
    expect(r.errors.map((d) => d.message)).toEqual([
      'no Mesh selects namespace ns (labels: mesh=m): there is no Mesh (failed to find matching mesh for namespace: ns, expecting 1 but found 0); 1 resource in ns is left without a mesh',
    ]);
  });

  it('several Meshes selecting a namespace: its members name them, and so does the error', () => {
    const r = check([mesh('m2', { namespaceSelector: {} }), vn('a')], {
      namespaces: [nsWith({ mesh: 'm' })],
    });
    expect(r.graph.unplaced.map((u) => u.inactive)).toEqual([
      { reason: 'MeshNotFound', message: 'several Meshes select namespace ns: m, m2' },
    ]);
    expect(r.errors[0]!.related!.map((x) => x.message)).toEqual([
      'Mesh m selects mesh=m',
      'Mesh m2 selects everything (empty selector)',
      'left without a mesh',
    ]);
  });

  it('a namespace-less resource without a usable meshRef has no mesh, and is told to name one', () => {
    for (const meshRef of [undefined, null, 'm', { name: 7 }]) {
      const g = build([restMesh(), restNode('a', meshRef === undefined ? {} : { meshRef })]);
      expect(
        g.diagnostics.map((d) => [d.code, d.message]),
        JSON.stringify(meshRef),
      ).toEqual([
        ['mesh.no-membership', 'a resource without a namespace must name its mesh in spec.meshRef'],
      ]);
    }
  });

  it('a namespace-less resource naming a missing Mesh is an error at spec.meshRef.name', () => {
    const g = build([restMesh(), restNode('a', { meshRef: { name: 'gone', uid: 'u' } })]);
    expect(g.diagnostics.map((d) => [d.code, d.path, d.message])).toEqual([
      ['mesh.ref-not-found', 'spec.meshRef.name', 'spec.meshRef names Mesh "gone", which does not exist'],
    ]);
  });

  it('a namespace-less resource in manifests is still placed by its meshRef', () => {
    const g = buildMeshGraph(
      {
        resources: [restMesh(), restNode('a', { meshRef: { name: 'm', uid: 'u' } })].map((resource) => ({
          resource,
        })),
      },
      { refsFromFiles: true },
    );
    expect(g.diagnostics).toEqual([]);
    expect(g.meshes.get('m')!.virtualNodes.has('a')).toBe(true);
  });

  it('a meshRef uid that is not the Mesh’s is an error: the Mesh was recreated', () => {
    const uidErrors = (meshUid: string | undefined, refUid: unknown) =>
      build([restMesh(meshUid), restNode('a', { meshRef: { name: 'm', uid: refUid } })])
        .diagnostics.filter((d) => d.code === 'mesh.ref-uid')
        .map((d) => [d.path, d.message]);
    expect(uidErrors('u1', 'u2')).toEqual([
      [
        'spec.meshRef.uid',
        'spec.meshRef.uid u2 is not the uid of Mesh m (u1): the Mesh was recreated; recreate this resource',
      ],
    ]);
    expect(uidErrors('u1', 'u1')).toEqual([]);
    expect(uidErrors('u1', '')).toEqual([]);
    expect(uidErrors('u1', 7)).toEqual([]);
    expect(uidErrors(undefined, 'u2')).toEqual([]);
  });
});
