import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStore, resourceKey } from '../store/index.js';
import { importManifests, startApi, type Call } from '../../test/support/api-harness.js';
import type { FastifyInstance } from 'fastify';

const SEED = fileURLToPath(new URL('../../examples/seed/mesh.yaml', import.meta.url));
const listener = { portMapping: { port: 80, protocol: 'http' } };
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function api(now?: () => number): Promise<{ call: Call; store: ReturnType<typeof createMemoryStore> }> {
  const store = createMemoryStore();
  const started = await startApi({
    store,
    accountId: '123456789012',
    region: 'eu-west-1',
    rateLimit: false,
    ...(now ? { now } : {}),
  });
  app = started.app;
  return { call: started.call, store };
}

describe('App Mesh API: resources', () => {
  it('mesh lifecycle: metadata, version per update, DELETED on delete', async () => {
    let t = 1_700_000_000_000;
    const { call } = await api(() => t);
    const created = await call('PUT', '/meshes', {
      meshName: 'm1',
      spec: { egressFilter: { type: 'DROP_ALL' } },
      clientToken: 'a',
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      meshName: 'm1',
      spec: { egressFilter: { type: 'DROP_ALL' } },
      status: { status: 'ACTIVE' },
      metadata: {
        arn: 'arn:aws:appmesh:eu-west-1:123456789012:mesh/m1',
        version: 1,
        createdAt: 1_700_000_000,
        lastUpdatedAt: 1_700_000_000,
        meshOwner: '123456789012',
        resourceOwner: '123456789012',
      },
    });
    t += 1500;
    const updated = await call('PUT', '/meshes/m1', { spec: { egressFilter: { type: 'ALLOW_ALL' } } });
    expect(updated.body).toMatchObject({
      spec: { egressFilter: { type: 'ALLOW_ALL' } },
      metadata: { version: 2, createdAt: 1_700_000_000, lastUpdatedAt: 1_700_000_001.5 },
    });
    expect((updated.body.metadata as { uid: string }).uid).toBe(
      (created.body.metadata as { uid: string }).uid,
    );
    const deleted = await call('DELETE', '/meshes/m1');
    expect(deleted.body).toMatchObject({
      meshName: 'm1',
      status: { status: 'DELETED' },
      metadata: { version: 2 },
    });
    expect((await call('GET', '/meshes/m1')).errorType).toBe('NotFoundException');
  });

  it('builds the seed mesh through the API and stores it in CRD form', async () => {
    const { call, store } = await api();
    expect(
      (await call('PUT', '/meshes', { meshName: 'mesh-1', spec: { egressFilter: { type: 'ALLOW_ALL' } } }))
        .status,
    ).toBe(200);
    for (const n of ['vnode-1', 'vnode-2']) {
      const r = await call('PUT', '/meshes/mesh-1/virtualNodes', {
        virtualNodeName: n,
        spec: {
          listeners: [listener],
          serviceDiscovery: { dns: { hostname: `${n}.local`, ipPreference: 'IPv4_PREFERRED' } },
        },
      });
      expect(r.status).toBe(200);
    }
    await call('PUT', '/meshes/mesh-1/virtualNodes', {
      virtualNodeName: 'vnode-x',
      spec: { backends: [{ virtualService: { virtualServiceName: 'svc-v' } }] },
    });
    expect(
      (
        await call('PUT', '/meshes/mesh-1/virtualRouters', {
          virtualRouterName: 'vrouter-1',
          spec: { listeners: [listener] },
        })
      ).status,
    ).toBe(200);
    const route = await call('PUT', '/meshes/mesh-1/virtualRouter/vrouter-1/routes', {
      routeName: 'route-1',
      spec: {
        httpRoute: {
          match: { prefix: '/' },
          action: {
            weightedTargets: [
              { virtualNode: 'vnode-1', weight: 1 },
              { virtualNode: 'vnode-2', weight: 1 },
            ],
          },
        },
      },
    });
    expect(route.body).toMatchObject({
      meshName: 'mesh-1',
      virtualRouterName: 'vrouter-1',
      routeName: 'route-1',
      metadata: {
        version: 1,
        arn: 'arn:aws:appmesh:eu-west-1:123456789012:mesh/mesh-1/virtualRouter/vrouter-1/route/route-1',
      },
    });
    expect(
      (
        await call('PUT', '/meshes/mesh-1/virtualServices', {
          virtualServiceName: 'svc-v',
          spec: { provider: { virtualRouter: { virtualRouterName: 'vrouter-1' } } },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call('PUT', '/meshes/mesh-1/virtualGateways', {
          virtualGatewayName: 'gateway-v',
          spec: { listeners: [listener] },
        })
      ).status,
    ).toBe(200);
    const gr = await call('PUT', '/meshes/mesh-1/virtualGateway/gateway-v/gatewayRoutes', {
      gatewayRouteName: 'gateway-v-route-v',
      spec: {
        httpRoute: {
          match: { prefix: '/' },
          action: { target: { virtualService: { virtualServiceName: 'svc-v' } } },
        },
      },
    });
    expect(gr.body).toMatchObject({
      virtualGatewayName: 'gateway-v',
      gatewayRouteName: 'gateway-v-route-v',
      spec: { httpRoute: { action: { target: { virtualService: { virtualServiceName: 'svc-v' } } } } },
    });

    // Stored as CRD objects; the route inside its router, references as ARNs.
    const vr = await store.get<{
      spec: {
        routes: Array<{
          name: string;
          httpRoute: { action: { weightedTargets: Array<{ virtualNodeARN: string }> } };
        }>;
      };
    }>(resourceKey('VirtualRouter', undefined, 'mesh-1/vrouter-1'));
    expect(vr?.value.spec.routes[0]?.name).toBe('route-1');
    expect(vr?.value.spec.routes[0]?.httpRoute.action.weightedTargets[0]?.virtualNodeARN).toBe(
      'arn:aws:appmesh:eu-west-1:123456789012:mesh/mesh-1/virtualNode/vnode-1',
    );
    const vn = await store.get<{
      metadata: { annotations: Record<string, string> };
      spec: { meshRef: { name: string } };
    }>(resourceKey('VirtualNode', undefined, 'mesh-1/vnode-1'));
    expect(vn?.value.spec.meshRef.name).toBe('mesh-1');
    expect(vn?.value.metadata.annotations['appmesh.amime.dev/api-only-fields']).toContain('IPv4_PREFERRED');

    // Describe gives the API form back, API-only fields included.
    const d = await call('GET', '/meshes/mesh-1/virtualNodes/vnode-1');
    expect(d.body.spec).toEqual({
      listeners: [listener],
      serviceDiscovery: { dns: { hostname: 'vnode-1.local', ipPreference: 'IPv4_PREFERRED' } },
    });
    const list = await call('GET', '/meshes/mesh-1/virtualNodes');
    expect(
      (list.body.virtualNodes as Array<{ virtualNodeName: string }>).map((v) => v.virtualNodeName),
    ).toEqual(['vnode-1', 'vnode-2', 'vnode-x']);
  });

  it('route updates bump the route version, not the router version', async () => {
    const { call } = await api();
    await call('PUT', '/meshes', { meshName: 'm' });
    await call('PUT', '/meshes/m/virtualNodes', { virtualNodeName: 'a', spec: {} });
    await call('PUT', '/meshes/m/virtualRouters', {
      virtualRouterName: 'r',
      spec: { listeners: [{ portMapping: { port: 81, protocol: 'tcp' } }] },
    });
    const spec = (w: number) => ({
      tcpRoute: { action: { weightedTargets: [{ virtualNode: 'a', weight: w }] } },
    });
    expect(
      (await call('PUT', '/meshes/m/virtualRouter/r/routes', { routeName: 'one', spec: spec(1) })).status,
    ).toBe(200);
    expect(
      (await call('PUT', '/meshes/m/virtualRouter/r/routes', { routeName: 'two', spec: spec(1) })).status,
    ).toBe(200);
    const up = await call('PUT', '/meshes/m/virtualRouter/r/routes/one', { spec: spec(7) });
    expect(up.body).toMatchObject({ routeName: 'one', metadata: { version: 2 }, spec: spec(7) });
    expect((await call('GET', '/meshes/m/virtualRouters/r')).body).toMatchObject({
      metadata: { version: 1 },
    });
    expect((await call('GET', '/meshes/m/virtualRouter/r/routes/two')).body).toMatchObject({
      metadata: { version: 1 },
    });
    const routes = await call('GET', '/meshes/m/virtualRouter/r/routes');
    expect(
      (routes.body.routes as Array<{ routeName: string; version: number }>).map((r) => [
        r.routeName,
        r.version,
      ]),
    ).toEqual([
      ['one', 2],
      ['two', 1],
    ]);
    // Updating the router keeps its routes.
    expect(
      (
        await call('PUT', '/meshes/m/virtualRouters/r', {
          spec: { listeners: [{ portMapping: { port: 82, protocol: 'tcp' } }] },
        })
      ).status,
    ).toBe(200);
    expect((await call('GET', '/meshes/m/virtualRouter/r/routes')).body.routes).toHaveLength(2);
    expect((await call('DELETE', '/meshes/m/virtualRouter/r/routes/one')).body).toMatchObject({
      status: { status: 'DELETED' },
    });
    expect((await call('GET', '/meshes/m/virtualRouter/r/routes/one')).errorType).toBe('NotFoundException');
  });

  it('shows Kubernetes/YAML resources by their awsName, and keeps their Kubernetes fields on update', async () => {
    const { call, store } = await api();
    await importManifests(store, [SEED]);
    // Written after the API started: the catalog follows the store's watch.
    await vi.waitFor(async () => {
      const nodes = await call('GET', '/meshes/mesh-1/virtualNodes');
      expect(
        (nodes.body.virtualNodes as Array<{ virtualNodeName: string }>).map((n) => n.virtualNodeName),
      ).toEqual(['vnode-1_mesh-test', 'vnode-2_mesh-test', 'vnode-x_mesh-test']);
    });
    const route = await call('GET', '/meshes/mesh-1/virtualRouter/vrouter-1_mesh-test/routes/route-1');
    expect(route.body.spec).toEqual({
      httpRoute: {
        match: { prefix: '/' },
        action: {
          weightedTargets: [
            { virtualNode: 'vnode-1_mesh-test', weight: 1 },
            { virtualNode: 'vnode-2_mesh-test', weight: 1 },
          ],
        },
      },
    });
    const vs = await call('GET', '/meshes/mesh-1/virtualServices/svc-v.mesh-test');
    expect(vs.body.spec).toEqual({
      provider: { virtualRouter: { virtualRouterName: 'vrouter-1_mesh-test' } },
    });
    const gr = await call(
      'GET',
      '/meshes/mesh-1/virtualGateway/gateway-v_mesh-test/gatewayRoutes/gateway-v-route-v_mesh-test',
    );
    expect(gr.body.spec).toMatchObject({
      httpRoute: { action: { target: { virtualService: { virtualServiceName: 'svc-v.mesh-test' } } } },
    });
    const vx = await call('GET', '/meshes/mesh-1/virtualNodes/vnode-x_mesh-test');
    expect(vx.body.spec).toEqual({
      backends: [{ virtualService: { virtualServiceName: 'svc-v.mesh-test' } }],
    });

    const up = await call('PUT', '/meshes/mesh-1/virtualNodes/vnode-1_mesh-test', {
      spec: {
        listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
        serviceDiscovery: { dns: { hostname: 'x.local' } },
      },
    });
    expect(up.status).toBe(200);
    const stored = await store.get<{
      metadata: { namespace: string };
      spec: { podSelector: unknown; listeners: unknown };
    }>(resourceKey('VirtualNode', 'mesh-test', 'vnode-1'));
    expect(stored?.value.metadata.namespace).toBe('mesh-test');
    expect(stored?.value.spec.podSelector).toEqual({ matchLabels: { app: 'sample0' } });
    expect(stored?.value.spec.listeners).toEqual([{ portMapping: { port: 8080, protocol: 'http' } }]);
    // Routes can be added to a Kubernetes router through the API.
    const added = await call('PUT', '/meshes/mesh-1/virtualRouter/vrouter-1_mesh-test/routes', {
      routeName: 'route-2',
      spec: {
        priority: 5,
        httpRoute: {
          match: { prefix: '/b' },
          action: { weightedTargets: [{ virtualNode: 'vnode-2_mesh-test', weight: 1 }] },
        },
      },
    });
    expect(added.status).toBe(200);
    expect(
      (await call('GET', '/meshes/mesh-1/virtualRouter/vrouter-1_mesh-test/routes')).body.routes,
    ).toHaveLength(2);
  });

  it('keeps the Kubernetes webhook update rules for Kubernetes resources', async () => {
    const { call, store } = await api();
    await importManifests(store, [SEED]);
    const cloudMap = { awsCloudMap: { namespaceName: 'apps.local', serviceName: 'a' } };
    await store.put(resourceKey('VirtualNode', 'mesh-test', 'cm'), {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'VirtualNode',
      metadata: { name: 'cm', namespace: 'mesh-test' },
      spec: { listeners: [listener], serviceDiscovery: cloudMap },
    });
    // The catalog follows the store's watch.
    await vi.waitFor(async () =>
      expect((await call('GET', '/meshes/mesh-1/virtualNodes/cm_mesh-test')).status).toBe(200),
    );
    const r = await call('PUT', '/meshes/mesh-1/virtualNodes/cm_mesh-test', {
      spec: {
        listeners: [listener],
        serviceDiscovery: { awsCloudMap: { namespaceName: 'apps.local', serviceName: 'b' } },
      },
    });
    expect(r).toMatchObject({ status: 400, errorType: 'BadRequestException' });
    expect(r.body.message).toContain('spec.serviceDiscovery.awsCloudMap');
    expect(
      (
        await call('PUT', '/meshes/mesh-1/virtualNodes/cm_mesh-test', {
          spec: { listeners: [listener], serviceDiscovery: cloudMap },
        })
      ).status,
    ).toBe(200);
  });

  it('keeps names per mesh: the same node name in two meshes', async () => {
    const { call } = await api();
    await call('PUT', '/meshes', { meshName: 'a' });
    await call('PUT', '/meshes', { meshName: 'b' });
    expect(
      (
        await call('PUT', '/meshes/a/virtualNodes', {
          virtualNodeName: 'n',
          spec: { listeners: [listener], serviceDiscovery: { dns: { hostname: 'a' } } },
        })
      ).status,
    ).toBe(200);
    expect((await call('PUT', '/meshes/b/virtualNodes', { virtualNodeName: 'n', spec: {} })).status).toBe(
      200,
    );
    expect((await call('GET', '/meshes/a/virtualNodes/n')).body.spec).toMatchObject({
      listeners: [listener],
    });
    expect((await call('GET', '/meshes/b/virtualNodes/n')).body.spec).toEqual({});
  });
});
