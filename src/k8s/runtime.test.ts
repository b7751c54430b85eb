import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { KubernetesRuntime } from './runtime.js';
import { RestKubeClient } from './rest-client.js';
import type { WebhookConfiguration } from './testing/admission-chain.js';
import { ApiServerTestDouble } from './testing/api-server-double.js';
import { apply, readManifests } from './testing/apply.js';
import { WEBHOOKS_MANIFEST } from './testing/harness.js';
import { makeTestCertificate } from './testing/self-signed-cert.js';

let stop: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stop.reverse()) await s();
  stop = [];
});

describe('KubernetesRuntime', () => {
  it('runs informers, leader-elected controller, store, endpoints and webhooks together', async () => {
    const d = await ApiServerTestDouble.start();
    stop.push(() => d.close());
    const admin = new RestKubeClient(d.kubeConfig());
    await apply(admin, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'amime-system' } });
    const cert = await makeTestCertificate(['amime-webhook.amime-system.svc']);
    const rt = await KubernetesRuntime.start({
      kubeConfig: d.kubeConfig(),
      arn: { region: 'ap-northeast-1', account: '123456780000' },
      leaderElection: { namespace: 'amime-system', identity: 'amime-0', leaseDurationSeconds: 2 },
      webhook: { host: '127.0.0.1', port: 0, tls: { cert: cert.cert, key: cert.key } },
    });
    stop.push(() => rt.stop());
    const configs = parseAllDocuments(await readFile(WEBHOOKS_MANIFEST, 'utf8')).map((x) => x.toJS() as WebhookConfiguration);
    for (const c of configs) for (const w of c.webhooks ?? []) w.clientConfig.caBundle = cert.caBundle;
    d.configureWebhooks(configs);
    d.setServiceEndpoint('amime-system', 'amime-webhook', `https://127.0.0.1:${rt.webhook!.port}`);

    for (const o of await readManifests('examples/seed/mesh.yaml')) await apply(admin, o);
    await expect.poll(() => rt.elector?.isLeader(), { timeout: 3000 }).toBe(true);
    await expect
      .poll(async () => (await admin.get<{ status?: { conditions?: Array<{ status: string }> } }>('/apis/appmesh.k8s.aws/v1beta2/namespaces/mesh-test/gatewayroutes/gateway-v-route-v')).status?.conditions?.[0]?.status, { timeout: 3000 })
      .toBe('True');
    expect((await admin.get<{ spec: { meshRef?: { name: string } } }>('/apis/appmesh.k8s.aws/v1beta2/namespaces/mesh-test/virtualnodes/vnode-1')).spec.meshRef?.name).toBe('mesh-1');
    await expect.poll(async () => (await rt.store.get('VirtualNode/mesh-test/vnode-x'))?.key).toBe('VirtualNode/mesh-test/vnode-x');
    expect(rt.endpoints.endpoints({ mesh: 'mesh-1', virtualNode: 'vnode-1_mesh-test' })).toEqual([]);
  });
});
