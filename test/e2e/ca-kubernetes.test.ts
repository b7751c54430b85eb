/**
 * The built-in CA with `amime serve --store kubernetes` (API-server TEST DOUBLE): the
 * key-encryption key is a mounted Secret (--ca-key-file), the CA itself is kept in
 * Secret amime-system/amime-ca, and a proxy authenticated by its service-account token
 * gets its certificate over SDS when the Mesh carries the annotation amime.io/mtls,
 * naming its pods' service account. A restart loads the same root from the Secret.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiServerTestDouble, serviceAccountIdentity } from '../k8s-double/api-server-double.js';
import { apply, podsOf, readManifests } from '../k8s-double/apply.js';
import { RestKubeClient } from '../../src/k8s/index.js';
import { TYPE_URL } from '../../src/xds/index.js';
import { SotwClient, type SotwResponse } from './support/ads-test-client.js';
import { secretMaterial } from './support/mesh-tls.js';
import { startServe, type ServeProcess } from './support/serve-process.js';

const VNODE_X = 'mesh/mesh-1/virtualNode/vnode-x_mesh-test';
const CERT = `amime-ca-certificate:${VNODE_X}`;
const TRUST = 'amime-ca-trust-bundle';
const SECRET_PATH = '/api/v1/namespaces/amime-system/secrets/amime-ca';

let dir: string;
let double: ApiServerTestDouble;
let client: RestKubeClient;
let serve: ServeProcess;
const args = () => ['--store', 'kubernetes', '--no-leader-election', '--ca-key-file', path.join(dir, 'kek')];

/** vnode-x's certificate chain and trust bundle, as its proxy (with its token) receives them over SDS. */
async function vnodeXSecrets(): Promise<{ chain: string; trust: string }> {
  const md = new grpc.Metadata();
  md.set('authorization', 'Bearer client-token');
  const proxy = new SotwClient(serve.xdsPort, { metadata: md });
  try {
    proxy.send({ node: { id: VNODE_X }, type_url: TYPE_URL.Secret, resource_names: [CERT, TRUST] });
    const deadline = Date.now() + 30_000;
    // What arrived, for the failure message. A stream the server ends (it once refused
    // this proxy at start: src/k8s/controller-start.test.ts) fails at once, with its status.
    const seen: string[] = [];
    const ended = proxy.ended.then((e) => {
      throw new Error(`the stream ended: code ${e.code} ${e.details}`);
    });
    ended.catch(() => undefined); // also when it ends by our close() below
    for (;;) {
      let r: SotwResponse;
      try {
        r = await Promise.race([proxy.next(Math.max(1, deadline - Date.now())), ended]);
      } catch (err) {
        const logs = serve.logs.slice(-20).map((l) => JSON.stringify(l));
        throw new Error(
          `${String(err)}; responses so far: ${seen.join(' | ') || 'none'}; amime serve's last logs:\n${logs.join('\n')}`,
        );
      }
      proxy.ack(r);
      const m = secretMaterial(r.resources);
      const chain = m.get(CERT)?.chain;
      const trust = m.get(TRUST)?.ca;
      seen.push(
        `v${r.version_info}: ${[...m.keys()].join(',') || 'no secrets'}${chain ? ' (chain)' : ''}${trust ? ' (trust)' : ''}`,
      );
      if (chain && trust) return { chain, trust };
    }
  } finally {
    proxy.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'amime-ca-k8s-'));
  writeFileSync(path.join(dir, 'kek'), `${randomBytes(32).toString('base64')}\n`);
  double = await ApiServerTestDouble.start();
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, double.kubeConfig().exportConfig());
  client = new RestKubeClient(double.kubeConfig());
  await client.create('/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'amime-system' },
  });
  for (const obj of await readManifests('examples/seed/mesh.yaml')) {
    if (obj.kind === 'Mesh')
      obj.metadata.annotations = { ...obj.metadata.annotations, 'amime.io/mtls': 'STRICT' };
    await apply(client, obj);
  }
  const workloads = await readManifests('examples/seed/workloads.yaml');
  for (const pod of podsOf(workloads.find((o) => o.kind === 'Deployment' && o.metadata.name === 'client')!))
    await apply(client, pod);
  double.setToken(
    'client-token',
    serviceAccountIdentity('mesh-test', 'appmesh-proxyauth', { audiences: ['amime'] }),
  );
  process.env.KUBECONFIG = kubeconfig;
  serve = await startServe(args());
});

afterAll(async () => {
  await serve?.stop();
  await double?.close();
  delete process.env.KUBECONFIG;
  rmSync(dir, { recursive: true, force: true });
});

describe('the built-in CA with amime serve --store kubernetes (API-server test double)', () => {
  it("keeps the CA in Secret amime-system/amime-ca and serves vnode-x its certificate (its pods' service account) over SDS; a restart keeps the root", async () => {
    const first = await vnodeXSecrets();
    // On Kubernetes a workload is its pods' service account (the client Deployment's).
    expect(new X509Certificate(first.chain).subjectAltName).toContain(
      'URI:spiffe://amime.local/ns/mesh-test/sa/appmesh-proxyauth',
    );
    const secret = await client.get<{ data: Record<string, string> }>(SECRET_PATH);
    expect(Object.keys(secret.data)).toEqual(['state.json']);
    expect(Buffer.from(secret.data['state.json']!, 'base64').toString()).not.toMatch(/PRIVATE KEY/);

    await serve.stop();
    serve = await startServe(args());
    const again = await vnodeXSecrets();
    expect(again.trust).toBe(first.trust);
  }, 90_000);

  it('without the key-encryption key file the start fails naming it, and the Secret is left as it was', async () => {
    const before = await client.get<{ data: Record<string, string> }>(SECRET_PATH);
    const missing = path.join(dir, 'no-such-kek');
    await expect(
      startServe(['--store', 'kubernetes', '--no-leader-election', '--ca-key-file', missing]),
    ).rejects.toThrow(`CA key-encryption key ${missing} does not exist`);
    const after = await client.get<{ data: Record<string, string> }>(SECRET_PATH);
    expect(after.data).toEqual(before.data);
  }, 60_000);

  // The default install mounts Secret amime-ca-kek as optional (deploy/kubernetes/base/deployment.yaml).
  it('with neither the key file nor a CA yet (the install before amime-ca-kek is made), it serves with the CA off and says how to turn it on', async () => {
    await serve.stop();
    await client.delete(SECRET_PATH);
    const missing = path.join(dir, 'no-such-kek');
    serve = await startServe(['--store', 'kubernetes', '--no-leader-election', '--ca-key-file', missing]);
    const off = serve.logs.find((l) => String(l['msg']).startsWith('certificate authority: off'));
    expect(String(off?.['msg'])).toContain(
      `no key-encryption key at ${missing} (Secret amime-ca-kek is not mounted) and no CA yet`,
    );
    expect(String(off?.['msg'])).toContain('kubectl -n amime-system create secret generic amime-ca-kek');
    await expect(client.get(SECRET_PATH)).rejects.toThrow(/404|not found/i);
    expect((await fetch(`${serve.apiUrl}/readyz`)).status).toBe(200);
  }, 60_000);
});
