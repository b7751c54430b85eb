import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeTestCertificate } from '../../../test/k8s-double/self-signed-cert.js';
import {
  DAY_MS,
  checkWebhookCertificate,
  generateWebhookCertificate,
  webhookDnsNames,
} from './certificate.js';

const HOST = 'amime-webhook.amime-system.svc';
const NAMES = webhookDnsNames('amime-webhook', 'amime-system');

describe('webhook certificate generation', () => {
  it('makes a CA and a one-year serving certificate for the Service names, signed by that CA', async () => {
    const now = new Date('2026-11-25T00:00:00Z');
    const c = await generateWebhookCertificate({ dnsNames: NAMES, now });
    const leaf = new X509Certificate(c.cert);
    const ca = new X509Certificate(c.ca);
    expect(NAMES).toEqual([
      'amime-webhook',
      'amime-webhook.amime-system',
      HOST,
      'amime-webhook.amime-system.svc.cluster.local',
    ]);
    expect(leaf.subjectAltName).toBe(NAMES.map((n) => `DNS:${n}`).join(', '));
    expect(leaf.ca).toBe(false);
    expect(ca.ca).toBe(true);
    expect(leaf.checkIssued(ca) && leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkPrivateKey(createPrivateKey(c.key))).toBe(true);
    expect(ca.checkPrivateKey(createPrivateKey(c.caKey!))).toBe(true);
    expect(createPrivateKey(c.key).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(new Date(leaf.validTo).getTime() - now.getTime()).toBe(365 * DAY_MS);
    expect(new Date(ca.validTo).getTime() - now.getTime()).toBe(3650 * DAY_MS);
    expect(new Date(leaf.validFrom).getTime()).toBeLessThan(now.getTime());
    expect(checkWebhookCertificate(c, { host: HOST, now })).toEqual({
      ok: true,
      notAfter: new Date(leaf.validTo),
    });
  });

  it('renews the leaf under the same CA when given it', async () => {
    const first = await generateWebhookCertificate({ dnsNames: NAMES });
    const second = await generateWebhookCertificate({
      dnsNames: NAMES,
      ca: { cert: first.ca, key: first.caKey! },
    });
    expect(second.ca).toBe(first.ca);
    expect(second.caKey).toBe(first.caKey);
    expect(second.cert).not.toBe(first.cert);
    expect(new X509Certificate(second.cert).verify(new X509Certificate(first.ca).publicKey)).toBe(true);
    expect(checkWebhookCertificate(second, { host: HOST }).ok).toBe(true);
  });
});

describe('checkWebhookCertificate', () => {
  it('refuses an incomplete set and names what is missing', async () => {
    const c = await generateWebhookCertificate({ dnsNames: NAMES });
    expect(checkWebhookCertificate({ cert: c.cert }, { host: HOST })).toEqual({
      ok: false,
      reason: 'it lacks tls.key, ca.crt',
    });
    expect(checkWebhookCertificate({ ...c, cert: 'garbage' }, { host: HOST })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^it does not parse/),
    });
  });

  it('refuses a certificate for another namespace, but keeps its CA', async () => {
    const c = await generateWebhookCertificate({ dnsNames: webhookDnsNames('amime-webhook', 'other') });
    expect(checkWebhookCertificate(c, { host: HOST })).toEqual({
      ok: false,
      reason: `tls.crt does not cover ${HOST}`,
      ca: { cert: c.ca, key: c.caKey },
    });
  });

  it('renews within 30 days of expiry (keeping the CA), not before', async () => {
    const now = new Date('2026-11-25T00:00:00Z');
    const c = await generateWebhookCertificate({ dnsNames: NAMES, now });
    const expiry = new Date(new X509Certificate(c.cert).validTo);
    expect(checkWebhookCertificate(c, { host: HOST, now: new Date(expiry.getTime() - 31 * DAY_MS) }).ok).toBe(
      true,
    );
    expect(checkWebhookCertificate(c, { host: HOST, now: new Date(expiry.getTime() - 29 * DAY_MS) })).toEqual(
      {
        ok: false,
        reason: `tls.crt expires at ${expiry.toISOString()}, within 30 days`,
        ca: { cert: c.ca, key: c.caKey },
      },
    );
  });

  it('refuses a leaf from another CA and a key that does not belong to it', async () => {
    const a = await generateWebhookCertificate({ dnsNames: NAMES });
    const b = await generateWebhookCertificate({ dnsNames: NAMES });
    expect(checkWebhookCertificate({ ...a, ca: b.ca, caKey: b.caKey }, { host: HOST })).toMatchObject({
      ok: false,
      reason: 'tls.crt is not signed by ca.crt',
    });
    expect(checkWebhookCertificate({ ...a, key: b.key }, { host: HOST })).toMatchObject({
      ok: false,
      reason: 'tls.key does not belong to tls.crt',
    });
  });

  it('accepts a certificate made elsewhere (no ca.key) but cannot keep its CA when it must be renewed', async () => {
    const t = await makeTestCertificate([HOST]);
    const c = { cert: t.cert, key: t.key, ca: t.caPem };
    expect(checkWebhookCertificate(c, { host: HOST, renewBeforeMs: 3_600_000 }).ok).toBe(true);
    // openssl's test certificates live two days: inside the default renewal window, and without a CA key.
    const renewal = checkWebhookCertificate(c, { host: HOST });
    expect(renewal).toMatchObject({ ok: false, reason: expect.stringContaining('within 30 days') });
    expect(renewal).not.toHaveProperty('ca');
  });
});
