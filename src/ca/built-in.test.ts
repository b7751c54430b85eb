import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore, createSqliteStore, type ResourceStore } from '../store/index.js';
import { openBuiltIn, kekFile, rotateBuiltIn } from './built-in.js';
import { storeAuthorityRecord, AUTHORITY_RECORD_KEY } from './record.js';
import { issueWorkloadCertificate } from './issue.js';

const ID = { spiffeId: 'spiffe://amime.local/mesh/m/virtualNode/a', dnsNames: ['a.m'] };

describe('the built-in CA in the store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'amime-ca-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const keyPath = () => path.join(dir, 'ca.kek');

  it('creates a root and a 0600 key file on first start; the record holds no private key in the clear', async () => {
    const store = createMemoryStore();
    const opened = await openBuiltIn({
      record: storeAuthorityRecord(store),
      kek: kekFile(keyPath(), { create: true }),
      now: new Date(),
    });
    expect(opened.created).toBe(true);
    expect(statSync(keyPath()).mode & 0o777).toBe(0o600);
    const stored = JSON.stringify((await store.get(AUTHORITY_RECORD_KEY))?.value);
    expect(stored).toContain('BEGIN CERTIFICATE');
    expect(stored).not.toContain('PRIVATE KEY');
    await store.close();
  });

  it('survives a restart: the same root, and certificates issued before still verify', async () => {
    const data = path.join(dir, 'data');
    let store: ResourceStore = createSqliteStore({ dataDir: data });
    const first = await openBuiltIn({
      record: storeAuthorityRecord(store),
      kek: kekFile(keyPath(), { create: true }),
      now: new Date(),
    });
    const before = await issueWorkloadCertificate(first.authority.signer(Date.now()), ID, {
      now: new Date(),
      lifetimeMs: 3_600_000,
    });
    await store.close();
    store = createSqliteStore({ dataDir: data });
    const second = await openBuiltIn({
      record: storeAuthorityRecord(store),
      kek: kekFile(keyPath(), { create: true }),
      now: new Date(),
    });
    expect(second.created).toBe(false);
    const bundle = new X509Certificate(second.authority.trustBundle(Date.now()));
    expect(new X509Certificate(before.certificateChain).verify(bundle.publicKey)).toBe(true);
    await store.close();
  });

  it('a missing key file stops the start with its name, and creates nothing', async () => {
    const store = createMemoryStore();
    const record = storeAuthorityRecord(store);
    await openBuiltIn({ record, kek: kekFile(keyPath(), { create: true }), now: new Date() });
    const before = await store.get(AUTHORITY_RECORD_KEY);
    rmSync(keyPath());
    await expect(
      openBuiltIn({ record, kek: kekFile(keyPath(), { create: true }), now: new Date() }),
    ).rejects.toThrow(
      `CA key-encryption key ${keyPath()} does not exist; the CA in store record ${AUTHORITY_RECORD_KEY} (memory) is sealed with it`,
    );
    expect(existsSync(keyPath())).toBe(false);
    expect(await store.get(AUTHORITY_RECORD_KEY)).toEqual(before);
    await store.close();
  });

  it('a different key, or a damaged record, is reported by name and left as it is', async () => {
    const store = createMemoryStore();
    const record = storeAuthorityRecord(store);
    await openBuiltIn({ record, kek: kekFile(keyPath(), { create: true }), now: new Date() });
    const good = readFileSync(keyPath());
    writeFileSync(keyPath(), Buffer.alloc(32, 7).toString('base64'));
    await expect(
      openBuiltIn({ record, kek: kekFile(keyPath(), { create: false }), now: new Date() }),
    ).rejects.toThrow(
      /root 1 of the CA record store record .* cannot be opened with key file .*ca\.kek: it was sealed with key-encryption key [0-9a-f]{16}, and the one given is [0-9a-f]{16}/,
    );
    writeFileSync(keyPath(), good);
    const rec = (await store.get<{ roots: Array<{ key: { data: string } }> }>(AUTHORITY_RECORD_KEY))!;
    rec.value.roots[0]!.key.data = Buffer.from('tampered').toString('base64');
    await store.put(AUTHORITY_RECORD_KEY, rec.value);
    await expect(
      openBuiltIn({ record, kek: kekFile(keyPath(), { create: false }), now: new Date() }),
    ).rejects.toThrow(/private key of root 1 .* is corrupted/);
    await store.put(AUTHORITY_RECORD_KEY, { format: 1, roots: 'nope' });
    await expect(
      openBuiltIn({ record, kek: kekFile(keyPath(), { create: false }), now: new Date() }),
    ).rejects.toThrow(/is corrupted \(\/roots: /);
    expect((await store.get(AUTHORITY_RECORD_KEY))?.value).toEqual({ format: 1, roots: 'nope' });
    await store.close();
  });

  it('two replicas starting at once end up with one root', async () => {
    const store = createMemoryStore();
    const record = storeAuthorityRecord(store);
    writeFileSync(keyPath(), Buffer.alloc(32, 1).toString('base64'));
    const [a, b] = await Promise.all([
      openBuiltIn({ record, kek: kekFile(keyPath(), { create: false }), now: new Date() }),
      openBuiltIn({ record, kek: kekFile(keyPath(), { create: false }), now: new Date() }),
    ]);
    expect(a.authority.trustBundle(Date.now())).toBe(b.authority.trustBundle(Date.now()));
    expect([a.created, b.created].sort()).toEqual([false, true]);
    await store.close();
  });

  it('rotation: both roots trusted, old and new leaves verify until the overlap ends', async () => {
    const store = createMemoryStore();
    const record = storeAuthorityRecord(store);
    const kek = kekFile(keyPath(), { create: true });
    const t0 = Date.now();
    const first = await openBuiltIn({ record, kek, now: new Date(t0) });
    const oldLeaf = await issueWorkloadCertificate(first.authority.signer(t0), ID, {
      now: new Date(t0),
      lifetimeMs: 3_600_000,
    });
    const rotated = await rotateBuiltIn(record, kek, new Date(t0), {
      activateAfterMs: 1000,
      overlapMs: 7_200_000,
    });
    const ca = rotated.authority;
    expect(ca.signer(t0).fingerprint).toBe(first.authority.signer(t0).fingerprint);
    const newLeaf = await issueWorkloadCertificate(ca.signer(t0 + 1000), ID, {
      now: new Date(t0 + 1000),
      lifetimeMs: 3_600_000,
    });
    expect(newLeaf.issuer).not.toBe(oldLeaf.issuer);
    const verifies = (leaf: string, bundle: string) =>
      (bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).some((r) =>
        new X509Certificate(leaf).verify(new X509Certificate(r).publicKey),
      );
    for (const t of [t0, t0 + 1000, t0 + 1000 + 7_199_999]) {
      expect(verifies(oldLeaf.certificateChain, ca.trustBundle(t))).toBe(true);
      expect(verifies(newLeaf.certificateChain, ca.trustBundle(t))).toBe(true);
    }
    const after = t0 + 1000 + 7_200_000;
    expect(verifies(oldLeaf.certificateChain, ca.trustBundle(after))).toBe(false);
    expect(verifies(newLeaf.certificateChain, ca.trustBundle(after))).toBe(true);
    await store.close();
  });
});
