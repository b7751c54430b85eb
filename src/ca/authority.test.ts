import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntermediate, createRoot, mtlsHandshake } from './fixtures.testkit.js';
import { issueWorkloadCertificate } from './issue.js';
import { openOperatorFiles } from './operator-files.js';
import type { RootMaterial } from './root.js';

const ID = { spiffeId: 'spiffe://amime.local/mesh/m/virtualNode/a', dnsNames: [] };

describe('an operator-supplied CA', () => {
  let dir: string;
  let root: RootMaterial;
  let inter: RootMaterial;
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'amime-opca-'));
    root = await createRoot({ now: new Date() });
    inter = await createIntermediate(root);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('signs with the intermediate (cert-manager layout: tls.crt, tls.key, ca.crt) and trusts ca.crt', async () => {
    const ca = await openOperatorFiles({
      cert: file('tls.crt', inter.certificate),
      key: file('tls.key', inter.privateKey),
      bundle: file('ca.crt', root.certificate),
    });
    expect(new X509Certificate(ca.trustBundle()).fingerprint256).toBe(
      new X509Certificate(root.certificate).fingerprint256,
    );
    const a = await issueWorkloadCertificate(ca.signer(), ID, { now: new Date(), lifetimeMs: 60_000 });
    const b = await issueWorkloadCertificate(ca.signer(), ID, { now: new Date(), lifetimeMs: 60_000 });
    const side = (c: typeof a) => ({ cert: c.certificateChain, key: c.privateKey, ca: ca.trustBundle() });
    expect((await mtlsHandshake(side(a), side(b))).ok).toBe(true);
  });

  it('without ca.crt, trusts the self-signed root at the end of the chain', async () => {
    const ca = await openOperatorFiles({
      cert: file('chain.pem', inter.certificate + root.certificate),
      key: file('k.pem', inter.privateKey),
    });
    expect(ca.trustBundle()).toBe(new X509Certificate(root.certificate).toString());
  });

  it('names the file or the mismatch when something is wrong', async () => {
    await expect(
      openOperatorFiles({ cert: path.join(dir, 'absent.crt'), key: file('k2.pem', inter.privateKey) }),
    ).rejects.toThrow(`CA certificate ${path.join(dir, 'absent.crt')} cannot be read`);
    await expect(
      openOperatorFiles({
        cert: file('only-inter.pem', inter.certificate),
        key: file('k3.pem', inter.privateKey),
      }),
    ).rejects.toThrow(/has no CA bundle \(ca\.crt\) and its chain does not end in a self-signed root/);
    const other = await createRoot({ now: new Date() });
    await expect(
      openOperatorFiles({
        cert: file('i.pem', inter.certificate),
        key: file('k4.pem', inter.privateKey),
        bundle: file('wrong-ca.pem', other.certificate),
      }),
    ).rejects.toThrow(/does not chain to any certificate of its CA bundle/);
    await expect(
      openOperatorFiles({
        cert: file('i2.pem', inter.certificate),
        key: file('k5.pem', other.privateKey),
        bundle: file('c.pem', root.certificate),
      }),
    ).rejects.toThrow(
      /the CA of files .*i2\.pem.* is unusable: the private key does not belong to the certificate/,
    );
  });
});
