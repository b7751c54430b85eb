import { afterEach, describe, expect, it } from 'vitest';
import { crdObjectPath, leasePath } from './api-paths.js';
import { ClusterCache } from './cluster-cache.js';
import { KubernetesController } from './controller.js';
import { LeaderElector } from './leader-election.js';
import type { KubeObject, Lease } from './objects.js';
import { RestKubeClient } from './rest-client.js';
import { ApiServerTestDouble } from '../../test/k8s-double/api-server-double.js';
import { apply, readManifests } from '../../test/k8s-double/apply.js';

const until = async (cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

async function replica(d: ApiServerTestDouble, identity: string) {
  const client = new RestKubeClient(d.kubeConfig());
  const elector = new LeaderElector(client, {
    namespace: 'amime-system',
    identity,
    leaseDurationSeconds: 1,
    renewIntervalMs: 100,
    retryIntervalMs: 100,
  });
  const cache = new ClusterCache(client, { pods: false, endpointSlices: false });
  const controller = new KubernetesController(client, cache, { leaderElector: elector });
  cache.start();
  elector.start();
  await controller.start();
  const stop = async () => {
    await controller.stop();
    await elector.stop();
    await cache.stop();
  };
  stops.push(stop);
  return { elector, controller, stop };
}

describe('LeaderElector', () => {
  it('exactly one of two replicas writes status; the other takes over when the leader stops', async () => {
    const d = await ApiServerTestDouble.start();
    stops.push(() => d.close());
    const admin = new RestKubeClient(d.kubeConfig());
    await apply(admin, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'amime-system' } });
    const a = await replica(d, 'amime-a');
    const b = await replica(d, 'amime-b');
    await until(() => a.elector.isLeader() || b.elector.isLeader());
    // Several renewals later, still exactly one leader.
    await new Promise((r) => setTimeout(r, 400));
    expect([a.elector.isLeader(), b.elector.isLeader()].filter(Boolean)).toHaveLength(1);
    const [leader, follower] = a.elector.isLeader() ? [a, b] : [b, a];
    const lease = await admin.get<Lease>(leasePath('amime-system', 'amime-leader'));
    expect(lease.spec?.holderIdentity).toBe(leader.elector.identity);

    for (const o of await readManifests('examples/seed/mesh.yaml')) await apply(admin, o);
    const vn = () =>
      admin.get<KubeObject & { status?: { conditions?: Array<{ status: string }> } }>(
        crdObjectPath('VirtualNode', 'mesh-test', 'vnode-1'),
      );
    await until(async () => (await vn()).status?.conditions?.[0]?.status === 'True');
    const statusPaths = () =>
      new Set(d.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/status')).map((r) => r.path))
        .size;
    await until(() => statusPaths() === 8 && leader.controller.statusWrites >= 8);
    expect(follower.controller.statusWrites).toBe(0);

    await leader.stop();
    await until(() => follower.elector.isLeader());
    await admin.patch(crdObjectPath('VirtualNode', 'mesh-test', 'vnode-1'), 'merge', {
      spec: { serviceDiscovery: { dns: { hostname: 'x.mesh-test.svc.cluster.local' } } },
    });
    await until(async () => (await vn()).status?.['observedGeneration' as never] === 2);
    expect(follower.controller.statusWrites).toBeGreaterThan(0);
    const after = await admin.get<Lease>(leasePath('amime-system', 'amime-leader'));
    expect(after.spec?.holderIdentity).toBe(follower.elector.identity);
    expect(after.spec?.leaseTransitions).toBe(1);
  });

  it('a follower takes over a lease whose holder stopped renewing without releasing it', async () => {
    const d = await ApiServerTestDouble.start();
    stops.push(() => d.close());
    const admin = new RestKubeClient(d.kubeConfig());
    await apply(admin, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'amime-system' } });
    await admin.create(leasePath('amime-system'), {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'amime-leader', namespace: 'amime-system' },
      spec: {
        holderIdentity: 'crashed',
        leaseDurationSeconds: 1,
        renewTime: new Date().toISOString(),
        leaseTransitions: 3,
      },
    });
    const b = await replica(d, 'amime-b');
    await new Promise((r) => setTimeout(r, 300));
    expect(b.elector.isLeader()).toBe(false);
    await until(() => b.elector.isLeader(), 3000);
    expect((await admin.get<Lease>(leasePath('amime-system', 'amime-leader'))).spec?.leaseTransitions).toBe(
      4,
    );
  });
});
