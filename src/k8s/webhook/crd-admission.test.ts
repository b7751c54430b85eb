import jsonpatch from 'fast-json-patch';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kind } from '../../model/index.js';
import type { InputObjects } from '../graph-input.js';
import type { KubeObject } from '../objects.js';
import { readManifests } from '../../../test/k8s-double/apply.js';
import type { AdmissionRequest } from './admission-review.js';
import { mutateCrd, validateCrd, type CrdAdmissionDeps } from './crd-admission.js';

let seed: InputObjects;
const deps = (objects: () => InputObjects, extra: Partial<CrdAdmissionDeps> = {}): CrdAdmissionDeps => ({
  objects: async () => objects(),
  ...extra,
});

beforeAll(async () => {
  const objs = await readManifests('examples/seed/mesh.yaml');
  const mesh = objs.find((o) => o.kind === 'Mesh')!;
  mesh.metadata.uid = 'mesh-uid';
  const gw = objs.find((o) => o.kind === 'VirtualGateway')!;
  gw.metadata.uid = 'gw-uid';
  seed = {
    appMesh: objs.filter((o) => o.apiVersion === 'appmesh.k8s.aws/v1beta2' && o.kind !== 'GatewayRoute'),
    namespaces: objs.filter((o) => o.kind === 'Namespace'),
  };
});

function req(
  kind: Kind,
  object: object,
  operation: 'CREATE' | 'UPDATE' = 'CREATE',
  oldObject?: object,
): AdmissionRequest {
  const o = object as KubeObject;
  return {
    uid: 'u',
    kind: { group: 'appmesh.k8s.aws', version: 'v1beta2', kind },
    resource: { group: 'appmesh.k8s.aws', version: 'v1beta2', resource: `${kind.toLowerCase()}s` },
    name: o.metadata.name,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    operation,
    object,
    ...(oldObject ? { oldObject } : {}),
  };
}

const obj = (kind: Kind, name: string, spec: object, namespace: string | undefined = 'mesh-test') => ({
  apiVersion: 'appmesh.k8s.aws/v1beta2',
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  spec,
});

async function mutated(
  kind: Kind,
  o: object,
  d = deps(() => seed),
): Promise<{ spec: Record<string, unknown> }> {
  const v = await mutateCrd(kind, req(kind, o), d);
  if (!v.allowed) throw new Error(v.message);
  return jsonpatch.applyPatch(structuredClone(o), (v.patch ?? []) as jsonpatch.Operation[]).newDocument as {
    spec: Record<string, unknown>;
  };
}

describe('mutating CRD webhooks (CREATE)', () => {
  it('defaults awsName per kind and sets meshRef from the namespace’s Mesh', async () => {
    expect((await mutated('Mesh', obj('Mesh', 'm2', {}, undefined))).spec).toEqual({ awsName: 'm2' });
    expect((await mutated('VirtualService', obj('VirtualService', 's2', {}))).spec).toEqual({
      awsName: 's2.mesh-test',
      meshRef: { name: 'mesh-1', uid: 'mesh-uid' },
    });
    const listeners = [{ portMapping: { port: 80, protocol: 'http' } }];
    expect(
      (await mutated('VirtualRouter', obj('VirtualRouter', 'r2', { awsName: 'mine', listeners }))).spec,
    ).toEqual({ awsName: 'mine', listeners, meshRef: { name: 'mesh-1', uid: 'mesh-uid' } });
    // An object without spec gets one.
    const bare = {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'VirtualNode',
      metadata: { name: 'n', namespace: 'mesh-test' },
    };
    expect((await mutated('VirtualNode', bare)).spec).toEqual({
      awsName: 'n_mesh-test',
      meshRef: { name: 'mesh-1', uid: 'mesh-uid' },
    });
  });

  it('sets a GatewayRoute’s virtualGatewayRef from the one gateway that selects it', async () => {
    const gr = obj('GatewayRoute', 'r', {
      httpRoute: {
        match: { prefix: '/' },
        action: { target: { virtualService: { virtualServiceRef: { name: 'svc-v' } } } },
      },
    });
    expect((await mutated('GatewayRoute', gr)).spec).toMatchObject({
      awsName: 'r_mesh-test',
      virtualGatewayRef: { name: 'gateway-v', namespace: 'mesh-test', uid: 'gw-uid' },
    });
    const none = { ...seed, appMesh: seed.appMesh.filter((o) => o.kind !== 'VirtualGateway') };
    const v = await mutateCrd(
      'GatewayRoute',
      req('GatewayRoute', gr),
      deps(() => none),
    );
    expect(v).toMatchObject({ allowed: false });
    expect(!v.allowed && v.message).toMatch(
      /failed to find matching virtualGateway for gatewayRoute: r, expecting 1 but found 0/,
    );
  });

  it('refuses user-set meshRef and virtualGatewayRef', async () => {
    const v = await mutateCrd(
      'VirtualNode',
      req('VirtualNode', obj('VirtualNode', 'n', { meshRef: { name: 'mesh-1', uid: 'x' } })),
      deps(() => seed),
    );
    expect(v).toMatchObject({ allowed: false });
    expect(!v.allowed && v.message).toMatch(/^spec\.meshRef: meshRef may not be set by users on create/);
  });

  it('refuses when no Mesh, or several, select the namespace', async () => {
    const noMesh = { ...seed, namespaces: [{ metadata: { name: 'mesh-test', labels: {} } }] };
    const v = await mutateCrd(
      'VirtualNode',
      req('VirtualNode', obj('VirtualNode', 'n', {})),
      deps(() => noMesh),
    );
    expect(!v.allowed && v.message).toContain(
      'failed to find matching mesh for namespace: mesh-test, expecting 1 but found 0',
    );
    const twoMeshes = {
      ...seed,
      appMesh: [
        ...seed.appMesh,
        obj(
          'Mesh',
          'mesh-2',
          { namespaceSelector: { matchLabels: { mesh: 'mesh-1' } } },
          undefined,
        ) as KubeObject,
      ],
    };
    const w = await mutateCrd(
      'VirtualNode',
      req('VirtualNode', obj('VirtualNode', 'n', {})),
      deps(() => twoMeshes),
    );
    expect(!w.allowed && w.message).toContain(
      'found multiple matching meshes for namespace: mesh-test, expecting 1 but found 2',
    );
  });

  it('Mesh ipPreference: filled from the cluster IP family on CREATE and UPDATE, a value the user set kept (never IPv6_ONLY → IPv4_ONLY)', async () => {
    const v6 = deps(() => seed, { ipFamily: 'IPv6' });
    expect((await mutated('Mesh', obj('Mesh', 'm', {}, undefined), v6)).spec.meshServiceDiscovery).toEqual({
      ipPreference: 'IPv6_ONLY',
    });
    expect(
      (await mutated('Mesh', obj('Mesh', 'm', {}, undefined))).spec.meshServiceDiscovery,
    ).toBeUndefined();
    const withBlock = obj(
      'Mesh',
      'm',
      { awsName: 'm', meshServiceDiscovery: { ipPreference: 'IPv6_ONLY' } },
      undefined,
    );
    const u = await mutateCrd(
      'Mesh',
      req('Mesh', withBlock, 'UPDATE', withBlock),
      deps(() => seed),
    );
    const after = jsonpatch.applyPatch(
      structuredClone(withBlock),
      (u.allowed ? (u.patch ?? []) : []) as jsonpatch.Operation[],
    ).newDocument as { spec: Record<string, unknown> };
    expect(after.spec.meshServiceDiscovery).toEqual({ ipPreference: 'IPv6_ONLY' });
    const emptyBlock = obj('Mesh', 'm', { awsName: 'm', meshServiceDiscovery: {} }, undefined);
    expect((await mutated('Mesh', emptyBlock)).spec.meshServiceDiscovery).toEqual({
      ipPreference: 'IPv4_ONLY',
    });
  });
});

describe('validating CRD webhooks', () => {
  it('refuses the rules of appmesh.md §2.4 with the validator’s messages', async () => {
    const dupRoutes = obj('VirtualRouter', 'r', {
      listeners: [{ portMapping: { port: 80, protocol: 'http' } }],
      routes: [
        {
          name: 'a',
          httpRoute: {
            match: { prefix: '/' },
            action: { weightedTargets: [{ virtualNodeRef: { name: 'vnode-1' }, weight: 1 }] },
          },
        },
        {
          name: 'a',
          httpRoute: {
            match: { prefix: '/x' },
            action: { weightedTargets: [{ virtualNodeRef: { name: 'vnode-1' }, weight: 1 }] },
          },
        },
      ],
    });
    const v = await validateCrd(
      'VirtualRouter',
      req('VirtualRouter', dupRoutes),
      deps(() => seed),
    );
    expect(v.allowed).toBe(false);
    expect(!v.allowed && v.message).toMatch(/spec\.routes\[1\]\.name: .*duplicate/i);
    const noSd = obj('VirtualNode', 'n', { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] });
    const w = await validateCrd(
      'VirtualNode',
      req('VirtualNode', noSd),
      deps(() => seed),
    );
    expect(!w.allowed && w.message).toMatch(
      /^spec\.serviceDiscovery: ServiceDiscovery must be specified when a listener is specified/,
    );
  });

  it('accepts a reference to a node that does not exist yet (App Mesh waits for it)', async () => {
    const r = obj('VirtualRouter', 'r', {
      listeners: [{ portMapping: { port: 80, protocol: 'http' } }],
      routes: [
        {
          name: 'a',
          httpRoute: {
            match: { prefix: '/' },
            action: { weightedTargets: [{ virtualNodeRef: { name: 'later' }, weight: 1 }] },
          },
        },
      ],
    });
    expect(
      await validateCrd(
        'VirtualRouter',
        req('VirtualRouter', r),
        deps(() => seed),
      ),
    ).toEqual({ allowed: true });
  });

  it('refuses changes to immutable fields on UPDATE', async () => {
    const old = obj('VirtualService', 's', {
      awsName: 's.mesh-test',
      meshRef: { name: 'mesh-1', uid: 'mesh-uid' },
    });
    const changed = obj('VirtualService', 's', {
      awsName: 's.mesh-test',
      meshRef: { name: 'mesh-2', uid: 'x' },
    });
    const v = await validateCrd(
      'VirtualService',
      req('VirtualService', changed, 'UPDATE', old),
      deps(() => seed),
    );
    expect(!v.allowed && v.message).toMatch(/spec\.meshRef/);
    const same = await validateCrd(
      'VirtualService',
      req('VirtualService', { ...old, metadata: { ...old.metadata, labels: { a: 'b' } } }, 'UPDATE', old),
      deps(() => seed),
    );
    expect(same).toEqual({ allowed: true });
  });

  it('refuses what the CRD schema would (type errors)', async () => {
    const bad = obj('VirtualNode', 'n', {
      listeners: [{ portMapping: { port: 'eighty', protocol: 'http' } }],
    });
    const v = await validateCrd(
      'VirtualNode',
      req('VirtualNode', bad),
      deps(() => seed),
    );
    expect(!v.allowed && v.message).toMatch(/spec\.listeners\[0\]\.portMapping\.port/);
  });

  // Issue 16 item 6: the controller's webhook reported one problem at a time.
  it('a schema error does not hide the object’s other problems', async () => {
    const bad = obj('VirtualNode', 'n', {
      listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
      logging: { accessLog: { file: { path: '' } } },
      backends: [
        { virtualService: { virtualServiceRef: { name: 'a' } } },
        { virtualService: { virtualServiceRef: { name: 'a' } } },
      ],
    });
    const v = await validateCrd(
      'VirtualNode',
      req('VirtualNode', bad),
      deps(() => seed),
    );
    expect(!v.allowed && v.message).toMatch(/spec\.logging\.accessLog\.file\.path/);
    expect(!v.allowed && v.message).toMatch(/ServiceDiscovery/i);
    expect(!v.allowed && v.message).toMatch(/duplicate/);
  });
});
