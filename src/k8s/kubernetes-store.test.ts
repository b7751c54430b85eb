import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, InvalidArgumentError, resourceKey } from '../store/index.js';
import { crdObjectPath } from './api-paths.js';
import { ClusterCache } from './cluster-cache.js';
import { KubernetesController } from './controller.js';
import { KubernetesStore } from './kubernetes-store.js';
import { RestKubeClient, type KubeClient } from './rest-client.js';
import { ApiServerTestDouble } from '../../test/k8s-double/api-server-double.js';
import { apply, readManifests } from '../../test/k8s-double/apply.js';

let d: ApiServerTestDouble;
let client: KubeClient;
let cache: ClusterCache;
let store: KubernetesStore;

const vn = (name: string, spec: object = {}) => ({
  apiVersion: 'appmesh.k8s.aws/v1beta2',
  kind: 'VirtualNode',
  metadata: { name, namespace: 'mesh-test' },
  spec,
});

beforeEach(async () => {
  d = await ApiServerTestDouble.start();
  client = new RestKubeClient(d.kubeConfig());
  for (const o of await readManifests('examples/seed/mesh.yaml')) await apply(client, o);
  cache = new ClusterCache(client, { pods: false, endpointSlices: false });
  cache.start();
  store = await KubernetesStore.open(client, cache);
});
afterEach(async () => {
  await store.close();
  await cache.stop();
  await d.close();
});

describe('KubernetesStore', () => {
  it('mirrors the App Mesh objects and Namespaces, without status', async () => {
    const keys = (await store.list()).items.map((r) => r.key);
    expect(keys).toContain('Mesh/_/mesh-1');
    expect(keys).toContain('VirtualNode/mesh-test/vnode-1');
    expect(keys).toContain('Namespace/_/mesh-test');
    expect((await store.get('Namespace/_/mesh-test'))?.value).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'mesh-test',
        labels: { mesh: 'mesh-1', 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' },
      },
    });
  });

  it('writes create and replace CRD objects, with expectedVersion as a resourceVersion precondition', async () => {
    const key = resourceKey('VirtualNode', 'mesh-test', 'vnode-9');
    const created = await store.put(key, vn('vnode-9', { podSelector: {} }), { expectedVersion: 0 });
    expect(created.version).toBe(1);
    expect(
      (await client.get<{ spec: object }>(crdObjectPath('VirtualNode', 'mesh-test', 'vnode-9'))).spec,
    ).toEqual({ podSelector: {} });
    await expect(store.put(key, vn('vnode-9'), { expectedVersion: 0 })).rejects.toBeInstanceOf(ConflictError);
    const updated = await store.put(key, vn('vnode-9', { podSelector: { matchLabels: { a: 'b' } } }), {
      expectedVersion: 1,
    });
    expect(updated.version).toBe(2);
    await expect(store.put(key, vn('vnode-9'), { expectedVersion: 1 })).rejects.toBeInstanceOf(ConflictError);
    // Someone else changes it in the cluster: the store sees it, and a stale write conflicts.
    await client.patch(crdObjectPath('VirtualNode', 'mesh-test', 'vnode-9'), 'merge', {
      metadata: { labels: { x: 'y' } },
    });
    await expect.poll(async () => (await store.get(key))?.version).toBe(3);
    await expect(store.put(key, vn('vnode-9'), { expectedVersion: 2 })).rejects.toBeInstanceOf(ConflictError);
    expect(await store.delete(key, { expectedVersion: 3 })).toMatchObject({ key, version: 3 });
    expect(await store.get(key)).toBeUndefined();
  });

  it('watch streams cluster changes; the controller’s status writes are not changes', async () => {
    const controller = new KubernetesController(client, cache);
    await controller.start();
    await expect.poll(() => controller.statusWrites, { timeout: 3000 }).toBeGreaterThanOrEqual(8);
    const from = await store.revision();
    const watch = await store.watch({ fromRevision: from });
    await client.create('/apis/appmesh.k8s.aws/v1beta2/namespaces/mesh-test/virtualnodes', vn('vnode-8'));
    const it = watch[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value).toMatchObject({ type: 'put', record: { key: 'VirtualNode/mesh-test/vnode-8' } });
    watch.close();
    await controller.stop();
  });

  it('refuses what Kubernetes cannot hold', async () => {
    await expect(store.put('VirtualNode/_/vnode-1_mesh-test', vn('x'))).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(store.put('VirtualNode/mesh-test/vnode_1', vn('x'))).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(store.put('Namespace/_/x', {})).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(
      store.txn([
        { op: 'put', key: 'VirtualNode/mesh-test/a', value: vn('a') },
        { op: 'put', key: 'VirtualNode/mesh-test/b', value: vn('b') },
      ]),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
