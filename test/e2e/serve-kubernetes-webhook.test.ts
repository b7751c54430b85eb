/**
 * `amime serve --store kubernetes --webhook-self-signed` as real processes against the
 * in-process Kubernetes API-server TEST DOUBLE, installed as deploy/install.yaml
 * leaves a cluster (namespace amime-system, the two webhook configurations without
 * caBundle): the first replica creates Secret amime-webhook-tls and sets every
 * caBundle; its webhook server presents a certificate the API server accepts for
 * amime-webhook.amime-system.svc; the double's admission calls succeed through it; a
 * second replica reuses the Secret; nothing is written to the certificate directory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'node:tls';
import { parseAllDocuments } from 'yaml';
import { ApiServerTestDouble } from '../k8s-double/api-server-double.js';
import { apply, readManifests } from '../k8s-double/apply.js';
import { RestKubeClient } from '../../src/k8s/rest-client.js';
import { startServe, type ServeProcess } from './support/serve-process.js';

const SECRET = '/api/v1/namespaces/amime-system/secrets/amime-webhook-tls';
const CONFIGS = [
  'mutatingwebhookconfigurations/amime-mutating-webhook-configuration',
  'validatingwebhookconfigurations/amime-validating-webhook-configuration',
].map((p) => `/apis/admissionregistration.k8s.io/v1/${p}`);

interface SecretObject {
  metadata: { resourceVersion: string };
  data: Record<string, string>;
}

let dir: string;
let certDir: string;
let double: ApiServerTestDouble;
let admin: RestKubeClient;
const replicas: ServeProcess[] = [];

const ARGS = (certs: string) => [
  '--store',
  'kubernetes',
  '--no-leader-election',
  '--webhook-listen',
  '127.0.0.1:0',
  '--webhook-self-signed',
  '--webhook-cert-dir',
  certs,
  '--sidecar-image',
  'registry.example.com/envoy:v1.40.0',
  '--init-image',
  'registry.example.com/amime-proxy-init:0.1.0',
];

/** The webhook port, from the serve log (the listen address asked for port 0). */
function webhookPort(serve: ServeProcess): number {
  const line = serve.logs.find((l) => l.msg === 'admission webhooks are serving');
  if (!line) throw new Error(`no webhook log line in ${JSON.stringify(serve.logs)}`);
  expect(line.certificate).toBe('Secret amime-system/amime-webhook-tls');
  return Number(String(line.webhook).split(':').pop());
}

/** A TLS handshake as kube-apiserver makes it for clientConfig.service: trust only the caBundle, verify <svc>.<ns>.svc. */
function handshake(
  port: number,
  caBundle: string,
): Promise<{ authorized: boolean; error?: string; fingerprint256?: string }> {
  return new Promise((resolve, reject) => {
    const ca = Buffer.from(caBundle, 'base64').toString('utf8');
    const socket = connect(
      {
        host: '127.0.0.1',
        port,
        ca,
        servername: 'amime-webhook.amime-system.svc',
        rejectUnauthorized: false,
      },
      () => {
        const peer = socket.getPeerX509Certificate();
        resolve({
          authorized: socket.authorized,
          ...(socket.authorizationError ? { error: String(socket.authorizationError) } : {}),
          ...(peer ? { fingerprint256: peer.fingerprint256 } : {}),
        });
        socket.end();
      },
    );
    socket.on('error', reject);
  });
}

async function caBundles(): Promise<Array<string | undefined>> {
  const out: Array<string | undefined> = [];
  for (const p of CONFIGS)
    out.push(
      ...(await admin.get<{ webhooks: Array<{ clientConfig: { caBundle?: string } }> }>(p)).webhooks.map(
        (w) => w.clientConfig.caBundle,
      ),
    );
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'amime-k8s-webhook-'));
  certDir = path.join(dir, 'webhook-tls');
  mkdirSync(certDir);
  double = await ApiServerTestDouble.start();
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, double.kubeConfig().exportConfig());
  admin = new RestKubeClient(double.kubeConfig());
  await apply(admin, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'amime-system' } });
  for (const doc of parseAllDocuments(
    readFileSync(path.resolve('deploy/kubernetes/base/webhooks.yaml'), 'utf8'),
  )) {
    const o = doc.toJS() as { kind: string };
    await admin.create(`/apis/admissionregistration.k8s.io/v1/${o.kind.toLowerCase()}s`, o);
  }
  process.env.KUBECONFIG = kubeconfig;
  delete process.env.POD_NAMESPACE;
  replicas.push(await startServe(ARGS(certDir)));
});

afterAll(async () => {
  for (const r of replicas) await r.stop();
  await double?.close();
  delete process.env.KUBECONFIG;
  rmSync(dir, { recursive: true, force: true });
});

describe('amime serve --store kubernetes --webhook-self-signed (API-server test double)', () => {
  it('creates Secret amime-webhook-tls and sets the caBundle of all 15 webhooks to its ca.crt', async () => {
    const secret = await admin.get<SecretObject & { type: string }>(SECRET);
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(Object.keys(secret.data).sort()).toEqual(['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    const bundles = await caBundles();
    expect(bundles).toHaveLength(15);
    expect(new Set(bundles)).toEqual(new Set([secret.data['ca.crt']]));
  });

  it("is ready, and its webhook server presents the Secret's certificate, valid for amime-webhook.amime-system.svc under that caBundle", async () => {
    expect((await fetch(`${replicas[0]!.apiUrl}/readyz`)).status).toBe(200);
    const secret = await admin.get<SecretObject>(SECRET);
    const [bundle] = await caBundles();
    const result = await handshake(webhookPort(replicas[0]!), bundle!);
    expect(result).toEqual({
      authorized: true,
      fingerprint256: new X509Certificate(Buffer.from(secret.data['tls.crt']!, 'base64')).fingerprint256,
    });
  });

  it("the API server's admission calls go through: the seed is admitted and defaulted by the webhooks", async () => {
    double.setServiceEndpoint(
      'amime-system',
      'amime-webhook',
      `https://127.0.0.1:${webhookPort(replicas[0]!)}`,
    );
    for (const o of await readManifests('examples/seed/mesh.yaml')) await apply(admin, o);
    const vn = await admin.get<{ spec: { meshRef?: { name: string } } }>(
      '/apis/appmesh.k8s.aws/v1beta2/namespaces/mesh-test/virtualnodes/vnode-1',
    );
    expect(vn.spec.meshRef?.name).toBe('mesh-1');
  });

  it('injects the images of --sidecar-image and --init-image into a mesh pod (issue 15 item 15)', async () => {
    const pod = await admin.create<{
      spec: {
        initContainers?: Array<{ name: string; image: string }>;
        containers: Array<{ name: string; image: string }>;
      };
    }>('/api/v1/namespaces/mesh-test/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sample0-pod', namespace: 'mesh-test', labels: { app: 'sample0' } },
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
    });
    expect(pod.spec.initContainers?.find((c) => c.name === 'proxyinit')?.image).toBe(
      'registry.example.com/amime-proxy-init:0.1.0',
    );
    expect(pod.spec.containers.find((c) => c.name === 'envoy')?.image).toBe(
      'registry.example.com/envoy:v1.40.0',
    );
  });

  it('a second replica reuses the Secret and serves the same certificate', async () => {
    const before = await admin.get<SecretObject>(SECRET);
    const second = await startServe(ARGS(certDir));
    replicas.push(second);
    const after = await admin.get<SecretObject>(SECRET);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    const [bundle] = await caBundles();
    const result = await handshake(webhookPort(second), bundle!);
    expect(result).toEqual({
      authorized: true,
      fingerprint256: new X509Certificate(Buffer.from(after.data['tls.crt']!, 'base64')).fingerprint256,
    });
  });

  it('writes nothing into --webhook-cert-dir (the Secret volume is read-only; it is only the fallback)', () => {
    expect(readdirSync(certDir)).toEqual([]);
  });
});
