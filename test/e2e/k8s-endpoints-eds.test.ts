/**
 * Pods coming and going in the cluster reach proxies as EDS: API-server test double →
 * informers → KubernetesEndpoints → the serving pipeline's endpoint fast path → the
 * xDS server → a vnode-x proxy (an ADS client) watching the ClusterLoadAssignment of
 * vnode-1's cluster.
 *
 * The seed is applied as written: vnode-1 uses DNS discovery, and because it has a
 * podSelector the cluster's pods are authoritative for it, so translation serves its
 * cluster as EDS (not LOGICAL_DNS) with the ready pods as endpoints.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../../src/k8s/objects.js';
import { apply, objectPathOf, readManifests } from '../k8s-double/apply.js';
import { Harness } from '../k8s-double/harness.js';
import { MeshPipeline } from '../../src/server/pipeline.js';
import { SnapshotCache, TYPE_URL, XdsServer } from '../../src/xds/index.js';
import { SotwClient, type SotwResponse } from './support/ads-test-client.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const VNODE_X = 'mesh/mesh-1/virtualNode/vnode-x_mesh-test';
const VNODE_1_CLUSTER = 'cds_egress_mesh-1_vnode-1_mesh-test_http_80';

let h: Harness;
let server: XdsServer;
let port: number;
let proxy: SotwClient;

function addresses(cla: SotwResponse): string[] {
  const out: string[] = [];
  for (const r of cla.resources) {
    for (const loc of (r.endpoints as Array<{
      lb_endpoints?: Array<{ endpoint: { address: { socket_address: { address: string } } } }>;
    }>) ?? []) {
      for (const lb of loc.lb_endpoints ?? []) out.push(lb.endpoint.address.socket_address.address);
    }
  }
  return out.sort();
}

function clusterType(cds: SotwResponse): unknown {
  return cds.resources.find((r) => r.name === VNODE_1_CLUSTER)?.type;
}

beforeAll(async () => {
  h = await Harness.start({ webhooks: false });
  const snapshots = new SnapshotCache();
  const pipeline = new MeshPipeline({ cache: snapshots, endpoints: h.endpoints, logger: quiet });
  h.controller.onGraph((u) => pipeline.run(u.converted.input));
  h.endpoints.onChange((nodes) => pipeline.endpointsChanged(nodes));
  server = new XdsServer({ cache: snapshots, logger: quiet });
  port = await server.listen('127.0.0.1', 0);
  const mesh = await readManifests('examples/seed/mesh.yaml');
  const vnode1 = mesh.find((o) => o.kind === 'VirtualNode' && o.metadata.name === 'vnode-1') as unknown as {
    spec: { serviceDiscovery?: { dns?: { hostname: string } } };
  };
  expect(vnode1.spec.serviceDiscovery?.dns?.hostname).toBe('svc-1.mesh-test.svc.cluster.local');
  await h.applyAll(mesh);
  // The whole seed, not an intermediate graph: vnode-x's snapshot reaches vnode-1 (slow under load, hence 20 s).
  await h.eventually(
    async () =>
      expect([
        ...(snapshots.getSnapshot(VNODE_X)?.types.get(TYPE_URL.Cluster)?.resources.keys() ?? []),
      ]).toContain(VNODE_1_CLUSTER),
    20_000,
  );
});

afterAll(async () => {
  proxy?.close();
  await server.close(500);
  await h.stop();
});

describe('EndpointSlices and pods → EDS for vnode-x', () => {
  it('a pod of vnode-1 coming and going changes the endpoints served to vnode-x within 1 s', async () => {
    proxy = new SotwClient(port);
    proxy.send({ type_url: TYPE_URL.Cluster, node: { id: VNODE_X, user_agent_name: 'envoy' } });
    const cds = await proxy.next();
    expect(cds.names).toContain(VNODE_1_CLUSTER);
    expect(clusterType(cds)).toBe('EDS');
    expect(cds.resources.find((r) => r.name === VNODE_1_CLUSTER)?.eds_cluster_config).toEqual({
      eds_config: { ads: {}, resource_api_version: 'V3' },
    });
    proxy.ack(cds);
    proxy.send({ type_url: TYPE_URL.ClusterLoadAssignment, resource_names: [VNODE_1_CLUSTER] });
    let eds = await proxy.next();
    expect(eds.type_url).toBe(TYPE_URL.ClusterLoadAssignment);
    expect(addresses(eds)).toEqual([]);
    proxy.ack(eds);

    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'nginx-1-abc', namespace: 'mesh-test', labels: { app: 'sample0' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx' }] },
    };
    await apply(h.client, pod);
    const started = Date.now();
    await h.client.patch(`${objectPathOf(pod)}/status`, 'merge', {
      status: {
        phase: 'Running',
        podIP: '10.0.1.7',
        podIPs: [{ ip: '10.0.1.7' }],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    });
    eds = await proxy.next(1000);
    const up = Date.now() - started;
    expect(eds.type_url).toBe(TYPE_URL.ClusterLoadAssignment);
    expect(addresses(eds)).toEqual(['10.0.1.7']);
    proxy.ack(eds);

    const gone = Date.now();
    await h.client.delete(objectPathOf(pod));
    eds = await proxy.next(1000);
    const down = Date.now() - gone;
    expect(eds.type_url).toBe(TYPE_URL.ClusterLoadAssignment);
    expect(addresses(eds)).toEqual([]);
    console.log(
      `vnode-1 (DNS discovery) → vnode-x EDS: ${up} ms after the pod turned ready; ${down} ms after its deletion`,
    );
    expect(up).toBeLessThan(1000);
    expect(down).toBeLessThan(1000);
  });
});
