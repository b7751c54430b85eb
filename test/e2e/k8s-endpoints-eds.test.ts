/**
 * Pods coming and going in the cluster reach proxies as EDS: API-server test double →
 * informers → KubernetesEndpoints → the serving pipeline's endpoint fast path → the
 * xDS server → a vnode-x proxy (an ADS client) watching the ClusterLoadAssignment of
 * vnode-1's cluster.
 *
 * Translation gives DNS-discovered nodes (the seed's vnode-1 uses DNS) a LOGICAL_DNS
 * cluster, so here vnode-1 discovers through Cloud Map instead, which translation
 * serves as EDS from the EndpointSource.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject, Pod } from '../../src/k8s/objects.js';
import { apply, objectPathOf, readManifests } from '../../src/k8s/testing/apply.js';
import { Harness } from '../../src/k8s/testing/harness.js';
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
    for (const loc of (r.endpoints as Array<{ lb_endpoints?: Array<{ endpoint: { address: { socket_address: { address: string } } } }> }>) ?? []) {
      for (const lb of loc.lb_endpoints ?? []) out.push(lb.endpoint.address.socket_address.address);
    }
  }
  return out.sort();
}

beforeAll(async () => {
  h = await Harness.start({ webhooks: false });
  const snapshots = new SnapshotCache();
  const pipeline = new MeshPipeline({ cache: snapshots, endpoints: h.endpoints, logger: quiet });
  h.controller.onGraph((u) => pipeline.run(u.converted.input));
  h.endpoints.onChange((nodes) => pipeline.endpointsChanged(nodes));
  server = new XdsServer({ cache: snapshots, logger: quiet });
  port = await server.listen('127.0.0.1', 0);
  const mesh = (await readManifests('examples/seed/mesh.yaml')).map((o) =>
    o.kind === 'VirtualNode' && o.metadata.name === 'vnode-1'
      ? ({ ...o, spec: { ...(o as unknown as { spec: object }).spec, serviceDiscovery: { awsCloudMap: { namespaceName: 'mesh-test.local', serviceName: 'svc-1' } } } } as KubeObject)
      : o,
  );
  await h.applyAll(mesh);
  await h.eventually(async () => expect(snapshots.groups()).toContain(VNODE_X));
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
    proxy.ack(cds);
    proxy.send({ type_url: TYPE_URL.ClusterLoadAssignment, resource_names: [VNODE_1_CLUSTER] });
    let eds = await proxy.next();
    expect(eds.type_url).toBe(TYPE_URL.ClusterLoadAssignment);
    expect(addresses(eds)).toEqual([]);
    proxy.ack(eds);

    const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nginx-1-abc', namespace: 'mesh-test', labels: { app: 'sample0' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } };
    await apply(h.client, pod);
    const started = Date.now();
    await h.client.patch(`${objectPathOf(pod)}/status`, 'merge', { status: { phase: 'Running', podIP: '10.0.1.7', podIPs: [{ ip: '10.0.1.7' }], conditions: [{ type: 'Ready', status: 'True' }] } });
    eds = await proxy.next(1000);
    const up = Date.now() - started;
    expect(addresses(eds)).toEqual(['10.0.1.7']);
    proxy.ack(eds);

    const gone = Date.now();
    await h.client.delete(objectPathOf(pod));
    eds = await proxy.next(1000);
    const down = Date.now() - gone;
    expect(addresses(eds)).toEqual([]);
    expect(up).toBeLessThan(1000);
    expect(down).toBeLessThan(1000);
    if (process.env.AMIME_PRINT_TIMINGS) console.log(`EDS after pod ready: ${up} ms; after pod deletion: ${down} ms`);
  });
});
