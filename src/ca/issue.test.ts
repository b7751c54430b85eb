import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueWorkloadCertificate } from './issue.js';
import { makeSigner, type Signer } from './signer.js';
import { createIntermediate, createRoot, mtlsHandshake } from './fixtures.testkit.js';
import type { RootMaterial } from './root.js';

const X = { spiffeId: 'spiffe://amime.local/mesh/mesh-1/virtualNode/vnode-x', dnsNames: ['x.mesh-test.svc'] };
const ONE = {
  spiffeId: 'spiffe://amime.local/mesh/mesh-1/virtualNode/vnode-1',
  dnsNames: ['one.mesh-test.svc'],
};

describe('workload certificates', () => {
  let root: RootMaterial;
  let signer: Signer;
  const now = new Date();
  beforeAll(async () => {
    root = await createRoot({ now });
    signer = await makeSigner([root.certificate], root.privateKey);
  });

  it('root: ECDSA P-256, a CA, ten years', () => {
    const c = new X509Certificate(root.certificate);
    expect(c.ca).toBe(true);
    expect(c.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const years = (Date.parse(c.validTo) - now.getTime()) / (365 * 86_400_000);
    expect(years).toBeCloseTo(10, 1);
  });

  it('carries the SPIFFE ID as its URI SAN and the DNS names, for both ends of mTLS, for the lifetime asked', async () => {
    const issued = await issueWorkloadCertificate(signer, X, { now, lifetimeMs: 86_400_000 });
    const leaf = new X509Certificate(issued.certificateChain);
    expect(leaf.subjectAltName).toBe(
      'URI:spiffe://amime.local/mesh/mesh-1/virtualNode/vnode-x, DNS:x.mesh-test.svc',
    );
    expect(leaf.ca).toBe(false);
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(leaf.verify(new X509Certificate(root.certificate).publicKey)).toBe(true);
    expect(Date.parse(leaf.validTo) - now.getTime()).toBe(86_400_000 - (now.getTime() % 1000));
    expect(leaf.checkPrivateKey((await import('node:crypto')).createPrivateKey(issued.privateKey))).toBe(
      true,
    );
    // Only the leaf: peers hold the root in their trust bundle.
    expect(issued.certificateChain.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
  });

  it('never outlives the CA that signs it', async () => {
    const issued = await issueWorkloadCertificate(signer, X, {
      now,
      lifetimeMs: 20 * 365 * 86_400_000,
    });
    expect(issued.notAfter.getTime()).toBe(signer.notAfter.getTime());
  });

  it('two issued certificates complete an mTLS handshake in both directions', async () => {
    const x = await issueWorkloadCertificate(signer, X, { now, lifetimeMs: 3_600_000 });
    const one = await issueWorkloadCertificate(signer, ONE, { now, lifetimeMs: 3_600_000 });
    const side = (c: typeof x) => ({ cert: c.certificateChain, key: c.privateKey, ca: root.certificate });
    const a = await mtlsHandshake(side(x), side(one));
    expect(a).toEqual({
      ok: true,
      serverSawClient: expect.stringContaining('vnode-1') as string,
      clientSawServer: expect.stringContaining('vnode-x') as string,
    });
    expect((await mtlsHandshake(side(one), side(x))).ok).toBe(true);
    const stranger = await createRoot({ now });
    const strangerSigner = await makeSigner([stranger.certificate], stranger.privateKey);
    const s = await issueWorkloadCertificate(strangerSigner, X, { now, lifetimeMs: 3_600_000 });
    const refused = await mtlsHandshake(side(x), {
      cert: s.certificateChain,
      key: s.privateKey,
      ca: root.certificate,
    });
    expect(refused.ok).toBe(false);
  });

  it('under an operator intermediate, sends the intermediate after the leaf', async () => {
    const inter = await createIntermediate(root, now);
    const s = await makeSigner([inter.certificate, root.certificate], inter.privateKey);
    const issued = await issueWorkloadCertificate(s, X, { now, lifetimeMs: 3_600_000 });
    expect(issued.certificateChain.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    const one = await issueWorkloadCertificate(signer, ONE, { now, lifetimeMs: 3_600_000 });
    const r = await mtlsHandshake(
      { cert: issued.certificateChain, key: issued.privateKey, ca: root.certificate },
      { cert: one.certificateChain, key: one.privateKey, ca: root.certificate },
    );
    expect(r.ok).toBe(true);
  });

  it('refuses a signer that is not a CA, or a key that is not its own', async () => {
    const leaf = await issueWorkloadCertificate(signer, X, { now, lifetimeMs: 3_600_000 });
    await expect(makeSigner([leaf.certificateChain], leaf.privateKey)).rejects.toThrow(/not a CA/);
    const other = await createRoot({ now });
    await expect(makeSigner([root.certificate], other.privateKey)).rejects.toThrow(/does not belong/);
  });
});
