import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { crdObjectPath } from './api-paths.js';
import { ClusterCache } from './cluster-cache.js';
import { KubernetesController } from './controller.js';
import { MESH_MEMBERS_FINALIZER, VIRTUAL_GATEWAY_MEMBERS_FINALIZER } from './finalizers.js';
import type { KubeObject } from './objects.js';
import { RestKubeClient, type KubeClient } from './rest-client.js';
import { ApiServerTestDouble } from '../../test/k8s-double/api-server-double.js';
import { apply, readManifests } from '../../test/k8s-double/apply.js';

type WithStatus = KubeObject & {
  status?: {
    conditions?: Array<{
      type: string;
      status: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: string;
    }>;
    [k: string]: unknown;
  };
};

let d: ApiServerTestDouble;
let client: KubeClient;
let cache: ClusterCache;
let controller: KubernetesController;

const until = async (cond: () => boolean | Promise<boolean>, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const get = (kind: Parameters<typeof crdObjectPath>[0], ns: string | undefined, name: string) =>
  client.get<WithStatus>(crdObjectPath(kind, ns, name));
const active = (o: WithStatus) => o.status?.conditions?.[0]?.status;

beforeEach(async () => {
  d = await ApiServerTestDouble.start();
  client = new RestKubeClient(d.kubeConfig());
  cache = new ClusterCache(client, { pods: false, endpointSlices: false });
  cache.start();
  controller = new KubernetesController(client, cache, {
    arn: { region: 'ap-northeast-1', account: '123456780000' },
  });
  await controller.start();
});
afterEach(async () => {
  await controller.stop();
  await cache.stop();
  await d.close();
});

describe('KubernetesController', () => {
  it('writes App Mesh status for the complete seed mesh: ARNs, observedGeneration, Active=True, routeARNs', async () => {
    for (const o of await readManifests('examples/seed/mesh.yaml')) await apply(client, o);
    const kinds = [
      ['Mesh', undefined, 'mesh-1'],
      ['VirtualNode', 'mesh-test', 'vnode-1'],
      ['VirtualNode', 'mesh-test', 'vnode-2'],
      ['VirtualNode', 'mesh-test', 'vnode-x'],
      ['VirtualRouter', 'mesh-test', 'vrouter-1'],
      ['VirtualService', 'mesh-test', 'svc-v'],
      ['VirtualGateway', 'mesh-test', 'gateway-v'],
      ['GatewayRoute', 'mesh-test', 'gateway-v-route-v'],
    ] as const;
    await until(async () =>
      (await Promise.all(kinds.map(([k, ns, n]) => get(k, ns, n)))).every((o) => active(o) === 'True'),
    );
    const vn = await get('VirtualNode', 'mesh-test', 'vnode-1');
    expect(vn.status).toMatchObject({
      virtualNodeARN: 'arn:aws:appmesh:ap-northeast-1:123456780000:mesh/mesh-1/virtualNode/vnode-1_mesh-test',
      observedGeneration: 1,
    });
    expect(vn.status?.conditions?.[0]).toMatchObject({ type: 'VirtualNodeActive', status: 'True' });
    const vr = await get('VirtualRouter', 'mesh-test', 'vrouter-1');
    expect(vr.status?.routeARNs).toEqual({
      'route-1':
        'arn:aws:appmesh:ap-northeast-1:123456780000:mesh/mesh-1/virtualRouter/vrouter-1_mesh-test/route/route-1',
    });
    expect((await get('VirtualService', 'mesh-test', 'svc-v')).status?.virtualServiceARN).toBe(
      'arn:aws:appmesh:ap-northeast-1:123456780000:mesh/mesh-1/virtualService/svc-v.mesh-test',
    );
    expect((await get('GatewayRoute', 'mesh-test', 'gateway-v-route-v')).status?.gatewayRouteARN).toBe(
      'arn:aws:appmesh:ap-northeast-1:123456780000:mesh/mesh-1/virtualGateway/gateway-v_mesh-test/gatewayRoute/gateway-v-route-v_mesh-test',
    );
    expect((await get('Mesh', undefined, 'mesh-1')).metadata.finalizers).toEqual([MESH_MEMBERS_FINALIZER]);
    expect((await get('VirtualGateway', 'mesh-test', 'gateway-v')).metadata.finalizers).toEqual([
      VIRTUAL_GATEWAY_MEMBERS_FINALIZER,
    ]);

    // Nothing changed: another pass writes nothing.
    const writes = controller.statusWrites;
    const rev = d.revision;
    await controller.reconcileNow();
    expect(controller.statusWrites).toBe(writes);
    expect(d.revision).toBe(rev);

    // A spec change bumps generation; observedGeneration follows, lastTransitionTime stays.
    const before = await get('VirtualNode', 'mesh-test', 'vnode-1');
    await client.patch(crdObjectPath('VirtualNode', 'mesh-test', 'vnode-1'), 'merge', {
      spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
    });
    await until(
      async () => (await get('VirtualNode', 'mesh-test', 'vnode-1')).status?.observedGeneration === 2,
    );
    const after = await get('VirtualNode', 'mesh-test', 'vnode-1');
    expect(after.status?.conditions?.[0]?.lastTransitionTime).toBe(
      before.status?.conditions?.[0]?.lastTransitionTime,
    );
  });

  it('Active=False with the validator message for a schema error, and True once fixed', async () => {
    await apply(client, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'ns', labels: { m: 'x' } },
    });
    await apply(client, {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'Mesh',
      metadata: { name: 'm' },
      spec: { namespaceSelector: { matchLabels: { m: 'x' } } },
    } as KubeObject);
    await apply(client, {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'VirtualNode',
      metadata: { name: 'n', namespace: 'ns' },
      spec: { listeners: [{ portMapping: { port: 'eighty', protocol: 'http' } }] },
    } as KubeObject);
    await until(async () => active(await get('VirtualNode', 'ns', 'n')) === 'False');
    const c = (await get('VirtualNode', 'ns', 'n')).status?.conditions?.[0];
    expect(c?.reason).toBe('ValidationFailed');
    expect(c?.message).toContain('spec.listeners[0].portMapping.port');
    await client.patch(crdObjectPath('VirtualNode', 'ns', 'n'), 'merge', {
      spec: {
        listeners: [{ portMapping: { port: 80, protocol: 'http' } }],
        serviceDiscovery: { dns: { hostname: 'n.ns' } },
      },
    });
    await until(async () => active(await get('VirtualNode', 'ns', 'n')) === 'True');
  });

  it('a Mesh is not deleted while members remain; a VirtualGateway not while GatewayRoutes attach', async () => {
    for (const o of await readManifests('examples/seed/mesh.yaml')) await apply(client, o);
    await until(
      async () =>
        (await get('GatewayRoute', 'mesh-test', 'gateway-v-route-v')).status?.conditions?.[0]?.status ===
        'True',
    );
    await client.delete(crdObjectPath('VirtualGateway', 'mesh-test', 'gateway-v'));
    await client.delete(crdObjectPath('Mesh', undefined, 'mesh-1'));
    await controller.reconcileNow();
    expect((await get('VirtualGateway', 'mesh-test', 'gateway-v')).metadata.deletionTimestamp).toBeDefined();
    expect((await get('Mesh', undefined, 'mesh-1')).metadata.deletionTimestamp).toBeDefined();
    await client.delete(crdObjectPath('GatewayRoute', 'mesh-test', 'gateway-v-route-v'));
    await until(() => cache.get('VirtualGateway', 'mesh-test', 'gateway-v') === undefined);
    expect(cache.get('Mesh', undefined, 'mesh-1')).toBeDefined();
    for (const [k, n] of [
      ['VirtualService', 'svc-v'],
      ['VirtualRouter', 'vrouter-1'],
      ['VirtualNode', 'vnode-1'],
      ['VirtualNode', 'vnode-2'],
    ] as const) {
      await client.delete(crdObjectPath(k, 'mesh-test', n));
    }
    await controller.reconcileNow();
    expect(cache.get('Mesh', undefined, 'mesh-1')).toBeDefined();
    await client.delete(crdObjectPath('VirtualNode', 'mesh-test', 'vnode-x'));
    await until(() => cache.get('Mesh', undefined, 'mesh-1') === undefined);
  });

  it('releases App Mesh’s aws-appmesh-resources finalizer on deletion', async () => {
    await apply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
    await apply(client, {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'VirtualService',
      metadata: {
        name: 's',
        namespace: 'ns',
        finalizers: ['finalizers.appmesh.k8s.aws/aws-appmesh-resources'],
      },
      spec: {},
    } as KubeObject);
    await client.delete(crdObjectPath('VirtualService', 'ns', 's'));
    await until(() => cache.get('VirtualService', 'ns', 's') === undefined);
  });
});
