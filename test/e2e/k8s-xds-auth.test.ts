/**
 * xDS authentication on Kubernetes, end to end: the real xDS server with the
 * TokenReview authenticator, a TokenReview served by the API-server test double,
 * and the seed's pods and service account. A token may stream only as the virtual
 * nodes and gateways its pods are.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClusterCache } from '../../src/k8s/cluster-cache.js';
import { KubernetesController } from '../../src/k8s/controller.js';
import { RestKubeClient } from '../../src/k8s/rest-client.js';
import { ApiServerTestDouble, serviceAccountIdentity } from '../k8s-double/api-server-double.js';
import { apply, objectPathOf, podsOf, readManifests } from '../k8s-double/apply.js';
import { TokenReviewAuthenticator } from '../../src/k8s/xds-auth.js';
import { SnapshotCache, TYPE_URL, XdsServer } from '../../src/xds/index.js';
import { SotwClient } from './support/ads-test-client.js';
import { apiListener } from './support/envoy-resources.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const VNODE_1 = 'mesh/mesh-1/virtualNode/vnode-1_mesh-test';
const VNODE_2 = 'mesh/mesh-1/virtualNode/vnode-2_mesh-test';
const GATEWAY = 'mesh/mesh-1/virtualGateway/gateway-v_mesh-test';

let d: ApiServerTestDouble;
let cache: ClusterCache;
let controller: KubernetesController;
let server: XdsServer;
let port: number;
const clients: SotwClient[] = [];

function stream(token: string | undefined, nodeId: string): SotwClient {
  const md = new grpc.Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  const c = new SotwClient(port, { metadata: md });
  clients.push(c);
  c.send({ type_url: TYPE_URL.Listener, node: { id: nodeId, user_agent_name: 'envoy' } });
  return c;
}

beforeAll(async () => {
  d = await ApiServerTestDouble.start();
  const client = new RestKubeClient(d.kubeConfig());
  for (const o of await readManifests('examples/seed/mesh.yaml')) await apply(client, o);
  const workloads = await readManifests('examples/seed/workloads.yaml');
  for (const dep of workloads.filter((o) => o.kind === 'Deployment' && o.metadata.name !== 'nginx-2')) {
    for (const p of podsOf(dep)) await apply(client, p);
  }
  // The client pod runs as another service account, with a token bound to it.
  await client.patch(
    objectPathOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client-0', namespace: 'mesh-test' } }),
    'merge',
    { spec: { serviceAccountName: 'client-sa' } },
  );
  d.setToken('sa-token', serviceAccountIdentity('mesh-test', 'appmesh-proxyauth', { audiences: ['amime'] }));
  d.setToken(
    'client-pod-token',
    serviceAccountIdentity('mesh-test', 'client-sa', {
      audiences: ['amime'],
      pod: { name: 'client-0', uid: 'u' },
    }),
  );
  d.setToken('api-audience-token', serviceAccountIdentity('mesh-test', 'appmesh-proxyauth'));

  cache = new ClusterCache(client);
  cache.start();
  controller = new KubernetesController(client, cache);
  await controller.start();
  await cache.synced();
  const snapshots = new SnapshotCache();
  for (const id of [VNODE_1, VNODE_2, GATEWAY, 'mesh/mesh-1/virtualNode/vnode-x_mesh-test'])
    snapshots.setSnapshot(id, { [TYPE_URL.Listener]: { l1: apiListener('l1', 'r1') } });
  server = new XdsServer({
    cache: snapshots,
    authenticator: new TokenReviewAuthenticator(client, cache, () => controller.current?.placement),
    arn: { region: 'ap-northeast-1', account: '123456780000' },
    logger: quiet,
  });
  port = await server.listen('127.0.0.1', 0);
  await vi.waitFor(
    () => expect(controller.current?.placement.get('VirtualGateway/mesh-test/gateway-v')).toBeDefined(),
    { timeout: 10_000 },
  );
});

afterAll(async () => {
  for (const c of clients) c.close();
  await server.close(500);
  await controller.stop();
  await cache.stop();
  await d.close();
});

describe('TokenReview authenticator with the xDS server', () => {
  it('lets the service account of the seed pods stream as vnode-1 and the gateway', async () => {
    expect((await stream('sa-token', VNODE_1).next()).names).toEqual(['l1']);
    expect((await stream('sa-token', GATEWAY).next()).names).toEqual(['l1']);
    expect(server.clientStatus().find((s) => s.nodeId === VNODE_1)?.principal).toBe(
      'system:serviceaccount:mesh-test:appmesh-proxyauth',
    );
  });

  it('refuses a node none of its pods is (vnode-2 has no pod), and a pod-bound token any node but its pod’s', async () => {
    const denied = await stream('sa-token', VNODE_2).ended;
    expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(
      (await stream('client-pod-token', 'mesh/mesh-1/virtualNode/vnode-x_mesh-test').next()).names,
    ).toEqual(['l1']);
    expect((await stream('client-pod-token', VNODE_1).ended).code).toBe(grpc.status.PERMISSION_DENIED);
  });

  it('rejects tokens TokenReview does not accept: unknown, or not for audience amime', async () => {
    const unknown = await stream('forged', VNODE_1).ended;
    expect(unknown.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(unknown.details).toMatch(/rejected by the API server/);
    expect((await stream('api-audience-token', VNODE_1).ended).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await stream(undefined, VNODE_1).ended).code).toBe(grpc.status.UNAUTHENTICATED);
  });
});
