import { writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestCertificate, type TestCertificate } from '../../../test/k8s-double/self-signed-cert.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { AdmissionWebhookServer } from './server.js';

let server: AdmissionWebhookServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function call(
  port: number,
  ca: string,
  path: string,
  body: unknown,
  opts: { maxVersion?: 'TLSv1.1' } = {},
): Promise<{ status: number; json: unknown; cert: PeerCertificate }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        ca,
        agent: false,
        ...opts,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = text;
          }
          resolve({
            status: res.statusCode ?? 0,
            json,
            cert: (res.socket as unknown as { getPeerCertificate(): PeerCertificate }).getPeerCertificate(),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function writePair(dir: string, c: TestCertificate): Promise<void> {
  await writeFile(join(dir, 'tls.crt'), c.cert);
  await writeFile(join(dir, 'tls.key'), c.key);
}

describe('AdmissionWebhookServer', () => {
  it('answers AdmissionReviews on its paths, 404 elsewhere, 400 for non-reviews', async () => {
    const c = await makeTestCertificate();
    server = new AdmissionWebhookServer({
      tls: { cert: c.cert, key: c.key },
      handlers: { '/x': () => ({ allowed: true, patch: [{ op: 'add', path: '/a', value: 1 }] }) },
    });
    const port = await server.start();
    const ok = await call(port, c.caPem, '/x', {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { uid: 'abc', operation: 'CREATE' },
    });
    expect(ok.json).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid: 'abc',
        allowed: true,
        patchType: 'JSONPatch',
        patch: Buffer.from('[{"op":"add","path":"/a","value":1}]').toString('base64'),
      },
    });
    expect((await call(port, c.caPem, '/nope', {})).status).toBe(404);
    expect((await call(port, c.caPem, '/x', { request: {} })).status).toBe(400);
    await expect(call(port, c.caPem, '/x', {}, { maxVersion: 'TLSv1.1' })).rejects.toThrow();
  });

  it('re-reads a rotated certificate from its directory', async () => {
    const dir = tempDir('amime-webhook-tls-');
    const first = await makeTestCertificate();
    await writePair(dir, first);
    server = new AdmissionWebhookServer({
      tls: { certDir: dir },
      reloadMs: 60_000,
      handlers: { '/x': () => ({ allowed: true }) },
    });
    const port = await server.start();
    const review = { request: { uid: '1', operation: 'CREATE' } };
    const a = await call(port, first.caPem, '/x', review);
    const second = await makeTestCertificate();
    await new Promise((r) => setTimeout(r, 20));
    await writePair(dir, second);
    expect(await server.reloadIfChanged()).toBe(true);
    const b = await call(port, second.caPem, '/x', review);
    expect(b.cert.fingerprint256).not.toBe(a.cert.fingerprint256);
    await expect(call(port, first.caPem, '/x', review)).rejects.toThrow();
    expect(await server.reloadIfChanged()).toBe(false);
  });
});
