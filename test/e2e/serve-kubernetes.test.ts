/**
 * `amime serve --store kubernetes` as a real process against the in-process
 * Kubernetes API-server TEST DOUBLE (no kube-apiserver can run on these machines):
 * the seed applied to the "cluster" is reconciled (status written), listed through the
 * App Mesh REST API by its App Mesh names, and served over xDS to vnode-x.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ApiServerTestDouble, serviceAccountIdentity } from '../k8s-double/api-server-double.js';
import { apply, podsOf, readManifests } from '../k8s-double/apply.js';
import { RestKubeClient } from '../../src/k8s/rest-client.js';
import { startServe, type ServeProcess } from './support/serve-process.js';
import { SotwClient } from './support/ads-test-client.js';
import { TYPE_URL } from '../../src/xds/index.js';

let dir: string;
let double: ApiServerTestDouble;
let serve: ServeProcess;

async function eventually<T>(f: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    try {
      return await f();
    } catch (err) {
      if (Date.now() - start > timeoutMs) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'amime-k8s-serve-'));
  double = await ApiServerTestDouble.start();
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, double.kubeConfig().exportConfig());
  const client = new RestKubeClient(double.kubeConfig());
  for (const obj of await readManifests('examples/seed/mesh.yaml')) await apply(client, obj);
  // The client's pod (vnode-x) with its service account's projected token, as the injector sets it up.
  const workloads = await readManifests('examples/seed/workloads.yaml');
  for (const pod of podsOf(workloads.find((o) => o.kind === 'Deployment' && o.metadata.name === 'client')!))
    await apply(client, pod);
  double.setToken(
    'client-token',
    serviceAccountIdentity('mesh-test', 'appmesh-proxyauth', { audiences: ['amime'] }),
  );
  process.env.KUBECONFIG = kubeconfig;
  serve = await startServe(['--store', 'kubernetes', '--no-leader-election']);
});

afterAll(async () => {
  await serve?.stop();
  await double?.close();
  delete process.env.KUBECONFIG;
  rmSync(dir, { recursive: true, force: true });
});

describe('amime serve --store kubernetes (API-server test double)', () => {
  it('reconciles the seed: every resource gets <Kind>Active=True and its ARN', async () => {
    const client = new RestKubeClient(double.kubeConfig());
    await eventually(async () => {
      const vn = await client.get<{
        status?: { virtualNodeARN?: string; conditions?: Array<{ type: string; status: string }> };
      }>('/apis/appmesh.k8s.aws/v1beta2/namespaces/mesh-test/virtualnodes/vnode-x');
      expect(vn.status?.virtualNodeARN).toBe(
        'arn:aws:appmesh:us-west-2:000000000000:mesh/mesh-1/virtualNode/vnode-x_mesh-test',
      );
      expect(vn.status?.conditions).toContainEqual(
        expect.objectContaining({ type: 'VirtualNodeActive', status: 'True' }),
      );
    });
  });

  it("lists the cluster's virtual nodes through the App Mesh REST API", async () => {
    const res = (await (await fetch(`${serve.apiUrl}/v20190125/meshes/mesh-1/virtualNodes`)).json()) as {
      virtualNodes: Array<{ virtualNodeName: string }>;
    };
    expect(res.virtualNodes.map((n) => n.virtualNodeName).sort()).toEqual([
      'vnode-1_mesh-test',
      'vnode-2_mesh-test',
      'vnode-x_mesh-test',
    ]);
  });

  it('serves vnode-x its egress routes over ADS, to a proxy with its service-account token (TokenReview)', async () => {
    const md = new grpc.Metadata();
    md.set('authorization', 'Bearer client-token');
    const proxy = new SotwClient(serve.xdsPort, { metadata: md });
    try {
      proxy.send({
        node: { id: 'mesh/mesh-1/virtualNode/vnode-x_mesh-test' },
        type_url: TYPE_URL.RouteConfiguration,
        resource_names: ['rds_egress_http_80'],
      });
      const routes = await proxy.next(5000);
      const domains = (
        routes.resources[0] as { virtual_hosts: Array<{ domains: string[] }> }
      ).virtual_hosts.flatMap((v) => v.domains);
      expect(domains).toContain('svc-v.mesh-test.svc.cluster.local');
    } finally {
      proxy.close();
    }
  });
});
