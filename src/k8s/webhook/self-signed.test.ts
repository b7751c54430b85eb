import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:tls';
import { parseAllDocuments } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeApiError, RestKubeClient, type KubeClient } from '../rest-client.js';
import { ApiServerTestDouble } from '../../../test/k8s-double/api-server-double.js';
import { WEBHOOKS_MANIFEST } from '../../../test/k8s-double/harness.js';
import { caBundleOf } from './ca-bundle.js';
import {
  DAY_MS,
  generateWebhookCertificate,
  webhookDnsNames,
  type WebhookCertificate,
} from './certificate.js';
import {
  apiUnreachable,
  SelfSignedWebhookCertificate,
  WEBHOOK_CONFIGURATIONS,
  type SelfSignedOptions,
} from './self-signed.js';
import { AdmissionWebhookServer } from './server.js';

const NS = 'amime-system';
const SECRET = `/api/v1/namespaces/${NS}/secrets/amime-webhook-tls`;
const SERVERNAME = 'amime-webhook.amime-system.svc';
const CONFIG_PATHS = [
  '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/amime-mutating-webhook-configuration',
  '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/amime-validating-webhook-configuration',
];

interface SecretObject {
  metadata: { resourceVersion: string; labels?: Record<string, string> };
  type: string;
  data: Record<string, string>;
}

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** The double with the namespace and the install's two webhook configurations (no caBundle, as kubectl apply leaves them). */
async function cluster(): Promise<{ double: ApiServerTestDouble; admin: RestKubeClient }> {
  const double = await ApiServerTestDouble.start();
  cleanup.push(() => double.close());
  const admin = new RestKubeClient(double.kubeConfig());
  await admin.create('/api/v1/namespaces', { metadata: { name: NS } });
  for (const doc of parseAllDocuments(await readFile(WEBHOOKS_MANIFEST, 'utf8'))) {
    const o = doc.toJS() as { kind: string };
    await admin.create(`/apis/admissionregistration.k8s.io/v1/${o.kind.toLowerCase()}s`, o);
  }
  return { double, admin };
}

function replica(client: KubeClient, options: Partial<SelfSignedOptions> = {}): SelfSignedWebhookCertificate {
  const r = new SelfSignedWebhookCertificate(client, { namespace: NS, ...options });
  cleanup.push(() => r.stop());
  return r;
}

async function caBundles(admin: KubeClient): Promise<Array<string | undefined>> {
  const out: Array<string | undefined> = [];
  for (const p of CONFIG_PATHS) {
    const c = await admin.get<{ webhooks: Array<{ clientConfig: { caBundle?: string } }> }>(p);
    out.push(...c.webhooks.map((w) => w.clientConfig.caBundle));
  }
  return out;
}

const decode = (s: SecretObject, k: string) => Buffer.from(s.data[k] ?? '', 'base64').toString('utf8');

async function storeSecret(admin: KubeClient, c: Partial<WebhookCertificate>): Promise<void> {
  const data = Object.fromEntries(
    Object.entries({ 'tls.crt': c.cert, 'tls.key': c.key, 'ca.crt': c.ca, 'ca.key': c.caKey })
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  );
  await admin.create(`/api/v1/namespaces/${NS}/secrets`, {
    metadata: { name: 'amime-webhook-tls' },
    type: 'kubernetes.io/tls',
    data,
  });
}

async function serve(c: WebhookCertificate): Promise<AdmissionWebhookServer> {
  const server = new AdmissionWebhookServer({ tls: { cert: c.cert, key: c.key }, handlers: {} });
  await server.start();
  cleanup.push(() => server.close());
  return server;
}

/** A TLS handshake as the API server makes it: trust only `ca`, verify `servername`. */
function handshake(
  port: number,
  ca: string,
  servername = SERVERNAME,
): Promise<{ authorized: boolean; error?: string; fingerprint256?: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername, rejectUnauthorized: false }, () => {
      const peer = socket.getPeerX509Certificate();
      resolve({
        authorized: socket.authorized,
        ...(socket.authorizationError ? { error: String(socket.authorizationError) } : {}),
        ...(peer ? { fingerprint256: peer.fingerprint256 } : {}),
      });
      socket.end();
    });
    socket.on('error', reject);
  });
}

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

describe('self-signed webhook certificate against the API-server test double', () => {
  it('on a fresh cluster: creates the Secret, sets every caBundle, and the server presents a certificate valid for amime-webhook.amime-system.svc', async () => {
    const { double, admin } = await cluster();
    const r = replica(new RestKubeClient(double.kubeConfig()));
    const result = await r.sync();
    expect(result.action).toBe('created');
    expect(result.reason).toBe('the Secret does not exist');
    const secret = await admin.get<SecretObject>(SECRET);
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(Object.keys(secret.data).sort()).toEqual(['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    expect(secret.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('amime');
    expect(decode(secret, 'tls.crt')).toBe(result.certificate.cert);
    expect(decode(secret, 'ca.crt')).toBe(result.certificate.ca);
    expect(new X509Certificate(result.certificate.cert).subjectAltName).toBe(
      webhookDnsNames('amime-webhook', NS)
        .map((n) => `DNS:${n}`)
        .join(', '),
    );

    const bundles = await caBundles(admin);
    expect(bundles).toHaveLength(15);
    expect(new Set(bundles)).toEqual(new Set([caBundleOf(result.certificate.ca)]));
    expect(result.caBundle).toEqual({
      patched: [
        'MutatingWebhookConfiguration/amime-mutating-webhook-configuration',
        'ValidatingWebhookConfiguration/amime-validating-webhook-configuration',
      ],
      missing: [],
    });

    const server = await serve(result.certificate);
    const caPem = Buffer.from(bundles[0]!, 'base64').toString('utf8');
    expect(await handshake(server.port, caPem)).toEqual({
      authorized: true,
      fingerprint256: fingerprint(result.certificate.cert),
    });
    expect((await handshake(server.port, caPem, 'amime-webhook.other.svc')).authorized).toBe(false);
    const stranger = await generateWebhookCertificate({ dnsNames: webhookDnsNames('amime-webhook', NS) });
    expect((await handshake(server.port, stranger.ca)).authorized).toBe(false);

    // Again: nothing to write, nothing to patch.
    const before = double.requests.length;
    expect(await r.sync()).toMatchObject({ action: 'reused', caBundle: { patched: [], missing: [] } });
    expect(double.requests.slice(before).map((q) => q.method)).toEqual(['GET', 'GET', 'GET']);
  });

  it('a second replica reuses the Secret without writing', async () => {
    const { double, admin } = await cluster();
    const first = await replica(new RestKubeClient(double.kubeConfig())).sync();
    const rv = (await admin.get<SecretObject>(SECRET)).metadata.resourceVersion;
    const before = double.requests.length;
    const second = await replica(new RestKubeClient(double.kubeConfig())).sync();
    expect(second.action).toBe('reused');
    expect(second.certificate).toEqual(first.certificate);
    expect(double.requests.slice(before).filter((q) => q.method !== 'GET')).toEqual([]);
    expect((await admin.get<SecretObject>(SECRET)).metadata.resourceVersion).toBe(rv);
  });

  it("two replicas starting together: the one that loses the create (409 AlreadyExists) takes the winner's certificate", async () => {
    const { double, admin } = await cluster();
    const a = replica(new RestKubeClient(double.kubeConfig()));
    const plain = new RestKubeClient(double.kubeConfig());
    // b has read "no Secret" and generated its own when a's create lands first.
    const b = replica(
      Object.assign(Object.create(plain) as RestKubeClient, {
        create: async <T>(p: string, body: unknown): Promise<T> => (await a.sync(), plain.create<T>(p, body)),
      }),
    );
    const lost = await b.sync();
    expect(lost.action).toBe('adopted');
    const secret = await admin.get<SecretObject>(SECRET);
    expect(lost.certificate.cert).toBe(decode(secret, 'tls.crt'));
    expect(new Set(await caBundles(admin))).toEqual(new Set([caBundleOf(decode(secret, 'ca.crt'))]));
    expect(
      double.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/secrets')).map((q) => q.status),
    ).toEqual([201, 409]);
  });

  it('renews a certificate that expires within 30 days, keeping the CA and so the caBundle', async () => {
    const { double, admin } = await cluster();
    const old = await generateWebhookCertificate({
      dnsNames: webhookDnsNames('amime-webhook', NS),
      leafValidityMs: 10 * DAY_MS,
    });
    await storeSecret(admin, old);
    const r = await replica(new RestKubeClient(double.kubeConfig())).sync();
    expect(r.action).toBe('renewed');
    expect(r.reason).toMatch(/^tls\.crt expires at .*, within 30 days$/);
    expect(r.certificate.ca).toBe(old.ca);
    expect(r.certificate.cert).not.toBe(old.cert);
    const days = (new Date(new X509Certificate(r.certificate.cert).validTo).getTime() - Date.now()) / DAY_MS;
    expect(days).toBeGreaterThan(364);
    const secret = await admin.get<SecretObject>(SECRET);
    expect(decode(secret, 'tls.crt')).toBe(r.certificate.cert);
    expect(new Set(await caBundles(admin))).toEqual(new Set([caBundleOf(old.ca)]));
  });

  it('replaces an unusable Secret (lacking ca.crt, no CA key) with a new CA and points caBundle at it', async () => {
    const { double, admin } = await cluster();
    const other = await generateWebhookCertificate({ dnsNames: ['elsewhere'] });
    await storeSecret(admin, { cert: other.cert, key: other.key });
    const r = await replica(new RestKubeClient(double.kubeConfig())).sync();
    expect(r).toMatchObject({ action: 'renewed', reason: 'it lacks ca.crt' });
    expect(r.certificate.ca).not.toBe(other.ca);
    expect(new Set(await caBundles(admin))).toEqual(new Set([caBundleOf(r.certificate.ca)]));
  });

  it('a renewal that loses the update (409 Conflict) takes the certificate the other replica wrote', async () => {
    const { double, admin } = await cluster();
    await storeSecret(
      admin,
      await generateWebhookCertificate({
        dnsNames: webhookDnsNames('amime-webhook', NS),
        leafValidityMs: 10 * DAY_MS,
      }),
    );
    const a = replica(new RestKubeClient(double.kubeConfig()));
    const plain = new RestKubeClient(double.kubeConfig());
    const b = replica(
      Object.assign(Object.create(plain) as RestKubeClient, {
        replace: async <T>(p: string, body: unknown): Promise<T> => (
          await a.sync(),
          plain.replace<T>(p, body)
        ),
      }),
    );
    const lost = await b.sync();
    expect(lost.action).toBe('adopted');
    expect(lost.certificate.cert).toBe(decode(await admin.get<SecretObject>(SECRET), 'tls.crt'));
    expect(
      double.requests.filter((q) => q.method === 'PUT' && q.path === SECRET).map((q) => q.status),
    ).toEqual([200, 409]);
  });

  it('a running replica switches to the certificate another replica renewed, and restores a reset caBundle', async () => {
    const { double, admin } = await cluster();
    const a = replica(new RestKubeClient(double.kubeConfig()), { resyncMs: 50 });
    const serving: { server?: AdmissionWebhookServer } = {};
    const first = await a.start((c) => serving.server?.setCertificate(c.cert, c.key));
    const server = (serving.server = await serve(first));
    expect((await handshake(server.port, first.ca)).fingerprint256).toBe(fingerprint(first.cert));

    // Another replica with a longer renewal window renews now.
    const renewed = await replica(new RestKubeClient(double.kubeConfig()), {
      renewBeforeMs: 400 * DAY_MS,
    }).sync();
    expect(renewed.action).toBe('renewed');
    await expect
      .poll(async () => (await handshake(server.port, first.ca)).fingerprint256, { timeout: 3000 })
      .toBe(fingerprint(renewed.certificate.cert));
    expect((await handshake(server.port, first.ca)).authorized).toBe(true);

    await admin.patch(CONFIG_PATHS[0]!, 'json', [
      {
        op: 'replace',
        path: '/webhooks/0/clientConfig/caBundle',
        value: Buffer.from('not the CA').toString('base64'),
      },
    ]);
    await expect
      .poll(async () => new Set(await caBundles(admin)), { timeout: 3000 })
      .toEqual(new Set([caBundleOf(first.ca)]));
  });

  it('start() fails when the API cannot be reached, and says so', async () => {
    const { double } = await cluster();
    const kc = double.kubeConfig();
    await double.close();
    const r = replica(new RestKubeClient(kc));
    const err = await r
      .start(() => {})
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(Error);
    expect(apiUnreachable(err)).toBe(true);
    expect(
      apiUnreachable(new KubeApiError(403, 'Forbidden', 'secrets "amime-webhook-tls" is forbidden')),
    ).toBe(false);
    expect(apiUnreachable(new KubeApiError(503, 'ServiceUnavailable', 'x'))).toBe(true);
  });

  it('patches the webhook configurations deploy/kubernetes/base/webhooks.yaml installs', async () => {
    const docs = parseAllDocuments(await readFile(WEBHOOKS_MANIFEST, 'utf8')).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string } },
    );
    expect(WEBHOOK_CONFIGURATIONS).toEqual({
      mutating: docs.filter((d) => d.kind === 'MutatingWebhookConfiguration').map((d) => d.metadata.name),
      validating: docs.filter((d) => d.kind === 'ValidatingWebhookConfiguration').map((d) => d.metadata.name),
    });
  });
});
