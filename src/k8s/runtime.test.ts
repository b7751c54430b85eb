import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { KubernetesRuntime } from './runtime.js';
import { RestKubeClient } from './rest-client.js';
import type { WebhookConfiguration } from '../../test/k8s-double/admission-chain.js';
import { ApiServerTestDouble } from '../../test/k8s-double/api-server-double.js';
import { apply, readManifests } from '../../test/k8s-double/apply.js';
import { WEBHOOKS_MANIFEST } from '../../test/k8s-double/harness.js';
import { makeTestCertificate } from '../../test/k8s-double/self-signed-cert.js';

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
    const configs = parseAllDocuments(await readFile(WEBHOOKS_MANIFEST, 'utf8')).map(
      (x) => x.toJS() as WebhookConfiguration,
    );
    for (const c of configs) for (const w of c.webhooks ?? []) w.clientConfig.caBundle = cert.caBundle;
    d.configureWebhooks(configs);
    d.setServiceEndpoint('amime-system', 'amime-webhook', `https://127.0.0.1:${rt.webhook!.port}`);

    for (const o of await readManifests('examples/seed/mesh.yaml')) await apply(admin, o);
    await expect.poll(() => rt.elector?.isLeader(), { timeout: 3000 }).toBe(true);
    await expect
      .poll(
        async () =>
          (
            await admin.get<{ status?: { conditions?: Array<{ status: string }> } }>(
              '/apis/appmesh.k8s.aws/v1beta2/namespaces/mesh-test/gatewayroutes/gateway-v-route-v',
            )
          ).status?.conditions?.[0]?.status,
        { timeout: 3000 },
      )
      .toBe('True');
    expect(
      (
        await admin.get<{ spec: { meshRef?: { name: string } } }>(
          '/apis/appmesh.k8s.aws/v1beta2/namespaces/mesh-test/virtualnodes/vnode-1',
        )
      ).spec.meshRef?.name,
    ).toBe('mesh-1');
    await expect
      .poll(async () => (await rt.store.get('VirtualNode/mesh-test/vnode-x'))?.key)
      .toBe('VirtualNode/mesh-test/vnode-x');
    expect(rt.endpoints.endpoints({ mesh: 'mesh-1', virtualNode: 'vnode-1_mesh-test' })).toEqual([]);
  });
});

describe('KubernetesRuntime with a self-signed webhook certificate', () => {
  it('creates Secret amime-webhook-tls, sets the caBundle of the installed configurations, and the API server calls the webhooks with it', async () => {
    const d = await ApiServerTestDouble.start();
    stop.push(() => d.close());
    const admin = new RestKubeClient(d.kubeConfig());
    await apply(admin, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'amime-system' } });
    // As `kubectl apply -f deploy/install.yaml` leaves them: stored, without caBundle.
    for (const x of parseAllDocuments(await readFile(WEBHOOKS_MANIFEST, 'utf8'))) {
      const o = x.toJS() as { kind: string };
      await admin.create(`/apis/admissionregistration.k8s.io/v1/${o.kind.toLowerCase()}s`, o);
    }
    const rt = await KubernetesRuntime.start({
      kubeConfig: d.kubeConfig(),
      arn: { region: 'ap-northeast-1', account: '123456780000' },
      leaderElection: false,
      webhook: {
        host: '127.0.0.1',
        port: 0,
        tls: { certDir: '/nonexistent' },
        selfSigned: { namespace: 'amime-system' },
      },
    });
    stop.push(() => rt.stop());
    d.setServiceEndpoint('amime-system', 'amime-webhook', `https://127.0.0.1:${rt.webhook!.port}`);
    const secret = await admin.get<{ data: Record<string, string> }>(
      '/api/v1/namespaces/amime-system/secrets/amime-webhook-tls',
    );
    const mutating = await admin.get<{ webhooks: Array<{ clientConfig: { caBundle?: string } }> }>(
      '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/amime-mutating-webhook-configuration',
    );
    // caBundle is base64 of ca.crt's bytes, exactly as the Secret's data carries them.
    expect(mutating.webhooks.map((w) => w.clientConfig.caBundle)).toEqual(
      mutating.webhooks.map(() => secret.data['ca.crt']),
    );

    // The double now calls Amime's webhooks over TLS, verifying amime-webhook.amime-system.svc against that caBundle.
    for (const o of await readManifests('examples/seed/mesh.yaml')) await apply(admin, o);
    expect(
      (
        await admin.get<{ spec: { meshRef?: { name: string } } }>(
          '/apis/appmesh.k8s.aws/v1beta2/namespaces/mesh-test/virtualnodes/vnode-1',
        )
      ).spec.meshRef?.name,
    ).toBe('mesh-1');
  });
});
