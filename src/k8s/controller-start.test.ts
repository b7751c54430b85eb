/**
 * The controller's graph (`current`): built from the synced cache, not from the first
 * informer that happened to list, and current while status and finalizer writes are
 * slow. xDS authorization (`current.placement`) and the endpoints read it; `amime
 * serve` accepts xDS streams as soon as `start()` resolves. A graph of the Mesh alone,
 * kept while that pass's writes were slow, refused vnode-x's proxy (ca-kubernetes
 * e2e, under load).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { crdCollectionPath, crdCreatePath } from './api-paths.js';
import { ClusterCache } from './cluster-cache.js';
import { KubernetesController } from './controller.js';
import { RestKubeClient, type KubeClient } from './rest-client.js';
import { ApiServerTestDouble } from '../../test/k8s-double/api-server-double.js';
import { apply, readManifests } from '../../test/k8s-double/apply.js';

interface Gate {
  promise: Promise<void>;
  open: () => void;
}
function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The test double's API, except that listing `heldList` (if any) waits for `lists`, and
 * every write (status, finalizers) waits for `writes` — an API server slow to answer them.
 */
function slowClient(
  real: KubeClient,
  heldList: string | undefined,
  lists: Gate,
  writes: Gate,
  wrote: Gate,
): KubeClient {
  return {
    get: async (path, query) => {
      if (path === heldList) await lists.promise;
      return real.get(path, query);
    },
    create: (path, body) => real.create(path, body),
    replace: (path, body) => real.replace(path, body),
    patch: async (path, type, patch) => {
      wrote.open();
      await writes.promise;
      return real.patch(path, type, patch);
    },
    delete: (path, body) => real.delete(path, body),
    watch: (path, query, onEvent, signal) => real.watch(path, query, onEvent, signal),
  };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * The seed mesh in a test double, and a controller (not started) over a cache of it
 * through `slowClient`: `wrote` opens at the first write, which then waits for `writes`.
 */
async function seededController(heldList?: string) {
  const d = await ApiServerTestDouble.start();
  cleanups.push(() => d.close());
  const real = new RestKubeClient(d.kubeConfig());
  for (const o of await readManifests('examples/seed/mesh.yaml')) await apply(real, o);
  const lists = gate();
  const writes = gate();
  const wrote = gate();
  const client = slowClient(real, heldList, lists, writes, wrote);
  const cache = new ClusterCache(client, { pods: false, endpointSlices: false });
  cache.start();
  cleanups.push(() => cache.stop());
  const controller = new KubernetesController(client, cache, { debounceMs: 0 });
  cleanups.push(async () => {
    writes.open();
    await controller.stop();
  });
  return { real, cache, lists, wrote, controller };
}

const vnodesOf = (controller: KubernetesController): string[] =>
  [...(controller.current?.placement.values() ?? [])]
    .filter((p) => p.id.kind === 'VirtualNode' && p.mesh === 'mesh-1')
    .map((p) => p.id.name)
    .sort();

describe('KubernetesController graph', () => {
  it('builds no graph before every informer has listed, and holds the whole graph once start() resolves', async () => {
    const { cache, lists, wrote, controller } = await seededController(crdCollectionPath('VirtualNode'));
    const started = controller.start();

    // The Mesh is listed, the VirtualNodes not yet: a pass now would see the Mesh alone
    // (and start writing its finalizer).
    await cache.appMesh.get('Mesh')!.synced();
    const wroteEarly = await Promise.race([wrote.promise.then(() => true), sleep(200).then(() => false)]);
    lists.open();
    await started;

    expect(vnodesOf(controller)).toEqual(['vnode-1', 'vnode-2', 'vnode-x']);
    expect(wroteEarly, 'a write before the cache had synced').toBe(false);
  });

  it('follows the cluster while a pass is still writing: a new VirtualNode is placed before the writes finish', async () => {
    const { real, wrote, controller } = await seededController();
    await controller.start();
    // The first pass is writing (the Mesh's finalizer, statuses) and its writes hang.
    await wrote.promise;

    await real.create(crdCreatePath('VirtualNode', 'mesh-test'), {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'VirtualNode',
      metadata: { namespace: 'mesh-test', name: 'vnode-new' },
      spec: { podSelector: { matchLabels: { app: 'new' } } },
    });
    const end = Date.now() + 3000;
    while (!vnodesOf(controller).includes('vnode-new') && Date.now() < end) await sleep(10);
    expect(vnodesOf(controller)).toEqual(['vnode-1', 'vnode-2', 'vnode-new', 'vnode-x']);
  });
});
