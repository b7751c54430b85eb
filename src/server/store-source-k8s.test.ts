/**
 * The server's store source over the Kubernetes store: App Mesh objects and Namespaces
 * (with their labels) become the graph's input.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClusterCache, KubernetesStore, RestKubeClient } from '../k8s/index.js';
import { StoreMirror, StoreSource } from '../store/index.js';
import { ApiServerTestDouble } from '../../test/k8s-double/api-server-double.js';
import { apply, readManifests } from '../../test/k8s-double/apply.js';

let d: ApiServerTestDouble;
let cache: ClusterCache;
let store: KubernetesStore;

beforeEach(async () => {
  d = await ApiServerTestDouble.start();
  const client = new RestKubeClient(d.kubeConfig());
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

describe('StoreSource over the Kubernetes store', () => {
  it('turns the mirrored App Mesh objects and Namespaces into the graph input', async () => {
    const mirror = await StoreMirror.open(store);
    const source = new StoreSource(mirror, () => {});
    expect(source.graphInput().resources).toHaveLength(8);
    expect(source.graphInput().namespaces).toEqual([
      { name: 'mesh-test', labels: { mesh: 'mesh-1', 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' } },
    ]);
    source.close();
    mirror.close();
  });
});
