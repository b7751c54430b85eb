import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VirtualNodeRef } from '../envoy/index.js';
import { ClusterCache } from './cluster-cache.js';
import { KubernetesController } from './controller.js';
import { KubernetesEndpoints } from './endpoints.js';
import type { Pod } from './objects.js';
import { RestKubeClient, type KubeClient } from './rest-client.js';
import { ApiServerTestDouble } from '../../test/k8s-double/api-server-double.js';
import { apply, objectPathOf, podsOf, readManifests } from '../../test/k8s-double/apply.js';

let d: ApiServerTestDouble;
let client: KubeClient;
let cache: ClusterCache;
let controller: KubernetesController;
let eps: KubernetesEndpoints;
const vnode1: VirtualNodeRef = { mesh: 'mesh-1', virtualNode: 'vnode-1_mesh-test' };

const until = async (cond: () => boolean, ms = 2000): Promise<number> => {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
  return Date.now() - start;
};

const ready = (ip: string) => ({
  status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }] },
});

beforeEach(async () => {
  d = await ApiServerTestDouble.start();
  client = new RestKubeClient(d.kubeConfig());
  cache = new ClusterCache(client);
  cache.start();
  controller = new KubernetesController(client, cache);
  eps = new KubernetesEndpoints(cache);
  controller.onGraph((u) => eps.setGraph(u.graph));
  await controller.start();
  for (const o of await readManifests('examples/seed/mesh.yaml')) await apply(client, o);
  await until(
    () =>
      !!controller.current?.placement.get('VirtualNode/mesh-test/vnode-x') &&
      eps.endpoints(vnode1) !== undefined,
  );
});
afterEach(async () => {
  await controller.stop();
  await cache.stop();
  await d.close();
});

describe('KubernetesEndpoints', () => {
  it('a ready pod of vnode-1 appears within 1 s and disappears within 1 s of its deletion', async () => {
    const changes: string[][] = [];
    eps.onChange((nodes) => changes.push(nodes.map((n) => n.virtualNode)));
    const [dep] = (await readManifests('examples/seed/workloads.yaml')).filter(
      (o) => o.metadata.name === 'nginx-1',
    );
    const pod = podsOf(dep!)[0]!;
    await apply(client, pod);
    await new Promise((r) => setTimeout(r, 50));
    expect(eps.endpoints(vnode1)).toEqual([]);
    await client.patch(`${objectPathOf(pod)}/status`, 'merge', ready('10.0.0.11'));
    const up = await until(() => eps.endpoints(vnode1)?.length === 1);
    expect(up).toBeLessThan(1000);
    expect(eps.endpoints(vnode1)).toEqual([{ address: '10.0.0.11', health: 'HEALTHY' }]);
    expect(changes.flat()).toContain('vnode-1_mesh-test');
    expect(eps.endpoints({ mesh: 'mesh-1', virtualNode: 'vnode-2_mesh-test' })).toEqual([]);
    await client.delete(objectPathOf(pod));
    const down = await until(() => eps.endpoints(vnode1)?.length === 0);
    expect(down).toBeLessThan(1000);
  });

  it('EndpointSlices decide readiness and zone; terminating endpoints drain', async () => {
    const pods: Pod[] = ['a', 'b', 'c'].map((n) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `nginx-${n}`, namespace: 'mesh-test', labels: { app: 'sample0' } },
      spec: { containers: [] },
    }));
    for (const p of pods) await apply(client, p);
    await client.patch(`${objectPathOf(pods[2]!)}/status`, 'merge', ready('10.0.0.3'));
    await apply(client, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: 'svc-1-abc',
        namespace: 'mesh-test',
        labels: { 'kubernetes.io/service-name': 'svc-1' },
      },
      addressType: 'IPv4',
      ports: [{ port: 80 }],
      endpoints: [
        {
          addresses: ['10.0.0.1'],
          conditions: { ready: true },
          zone: 'ap-northeast-1a',
          targetRef: { kind: 'Pod', name: 'nginx-a', namespace: 'mesh-test' },
        },
        {
          addresses: ['10.0.0.2'],
          conditions: { ready: false, serving: true, terminating: true },
          zone: 'ap-northeast-1c',
          targetRef: { kind: 'Pod', name: 'nginx-b', namespace: 'mesh-test' },
        },
        {
          addresses: ['10.9.9.9'],
          conditions: { ready: true },
          targetRef: { kind: 'Pod', name: 'someone-else', namespace: 'mesh-test' },
        },
      ],
    } as never);
    await until(() => eps.endpoints(vnode1)?.length === 3);
    expect(eps.endpoints(vnode1)).toEqual([
      { address: '10.0.0.1', health: 'HEALTHY', zone: 'ap-northeast-1a' },
      { address: '10.0.0.2', health: 'DRAINING', zone: 'ap-northeast-1c' },
      { address: '10.0.0.3', health: 'HEALTHY' },
    ]);
  });

  it('follows podSelector changes and knows nothing about nodes without a podSelector', async () => {
    await apply(client, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'other', namespace: 'mesh-test', labels: { app: 'other' } },
      spec: { containers: [] },
    } as Pod);
    await client.patch(
      objectPathOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'other', namespace: 'mesh-test' } }) +
        '/status',
      'merge',
      ready('10.1.1.1'),
    );
    await client.patch('/apis/appmesh.k8s.aws/v1beta2/namespaces/mesh-test/virtualnodes/vnode-1', 'merge', {
      spec: { podSelector: { matchLabels: { app: 'other' } } },
    });
    await until(() => eps.endpoints(vnode1)?.[0]?.address === '10.1.1.1');
    await client.patch('/apis/appmesh.k8s.aws/v1beta2/namespaces/mesh-test/virtualnodes/vnode-1', 'merge', {
      spec: { podSelector: null },
    });
    await until(() => eps.endpoints(vnode1) === undefined);
  });

  it('knows nodes without ready (or any) pods, but nothing when pods are not watched', async () => {
    // vnode-2 selects app=sample2: no such pod, yet the podSelector makes the cluster authoritative.
    expect(eps.endpoints({ mesh: 'mesh-1', virtualNode: 'vnode-2_mesh-test' })).toEqual([]);
    const blind = new ClusterCache(client, { pods: false });
    blind.start();
    try {
      await blind.synced();
      const none = new KubernetesEndpoints(blind);
      none.setGraph(controller.current!.graph);
      expect(eps.endpoints(vnode1)).toEqual([]);
      expect(none.endpoints(vnode1)).toBeUndefined();
    } finally {
      await blind.stop();
    }
  });
});
