import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStore } from '../store/index.js';
import type { CertificateAuthority } from './authority.js';
import { ephemeralKek, openBuiltIn, rotateBuiltIn } from './built-in.js';
import { storeAuthorityRecord } from './record.js';
import { WorkloadCertificates, type CertificateChange } from './workloads.js';

const id = (n: string) => ({
  spiffeId: `spiffe://amime.local/mesh/m/virtualNode/${n}`,
  dnsNames: [`${n}.m`],
});

describe('workload certificates kept current', () => {
  const closers: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  async function setup(options: { lifetimeMs?: number } = {}) {
    const store = createMemoryStore();
    const record = storeAuthorityRecord(store);
    const kek = ephemeralKek();
    const { authority } = await openBuiltIn({ record, kek, now: new Date() });
    const changes: CertificateChange[] = [];
    const failures: string[] = [];
    const certs = new WorkloadCertificates(authority, {
      ...options,
      onChange: (c) => changes.push(c),
      onFailure: (g, e) => failures.push(`${g}: ${e.message}`),
    });
    closers.push(
      () => certs.close(),
      () => store.close(),
    );
    return { certs, changes, failures, record, kek, authority };
  }

  it('issues one certificate per wanted group and forgets groups no longer wanted', async () => {
    const { certs, changes } = await setup();
    certs.want(
      new Map([
        ['g1', id('a')],
        ['g2', id('b')],
      ]),
    );
    await certs.settled();
    expect(certs.certificate('g1')?.spiffeId).toBe(id('a').spiffeId);
    expect(certs.certificate('g2')?.spiffeId).toBe(id('b').spiffeId);
    expect(changes.flatMap((c) => c.groups).sort()).toEqual(['g1', 'g2']);
    certs.want(new Map([['g2', id('b')]]));
    await certs.settled();
    expect(certs.certificate('g1')).toBeUndefined();
    // Unchanged identity: nothing issued again.
    expect(certs.stats()).toMatchObject({ issued: 2, current: 1, failures: 0 });
  });

  it('issues again when the identity changes', async () => {
    const { certs } = await setup();
    certs.want(new Map([['g1', id('a')]]));
    await certs.settled();
    const first = certs.certificate('g1')!;
    certs.want(new Map([['g1', { ...id('a'), dnsNames: ['a.m', 'alias.m'] }]]));
    await certs.settled();
    expect(certs.certificate('g1')!.serial).not.toBe(first.serial);
  });

  it('renews at half-life, before expiry', async () => {
    const { certs } = await setup({ lifetimeMs: 1200 });
    certs.want(new Map([['g1', id('a')]]));
    await certs.settled();
    const first = certs.certificate('g1')!;
    await vi.waitFor(() => expect(certs.certificate('g1')!.serial).not.toBe(first.serial), {
      timeout: 10_000,
    });
    const second = certs.certificate('g1')!;
    expect(second.notBefore.getTime()).toBeLessThan(first.notAfter.getTime());
    expect(certs.stats().earliestExpiry!.getTime()).toBe(second.notAfter.getTime());
  });

  it('after a rotation: the bundle changes at once, every group is issued again once the new root signs', async () => {
    const { certs, changes, record, kek } = await setup();
    certs.want(new Map([['g1', id('a')]]));
    await certs.settled();
    const before = certs.certificate('g1')!;
    const { authority } = await rotateBuiltIn(record, kek, new Date(), {
      activateAfterMs: 300,
      overlapMs: 60_000,
    });
    certs.setAuthority(authority);
    await vi.waitFor(() => expect(changes.some((c) => c.bundleChanged)).toBe(true));
    expect(certs.trustBundle().match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    await vi.waitFor(() => expect(certs.certificate('g1')!.issuer).not.toBe(before.issuer), {
      timeout: 10_000,
    });
  });

  it('a failed issuance is counted, retried, and leaves the current certificate served', async () => {
    const { certs, failures, authority } = await setup();
    certs.want(new Map([['g1', id('a')]]));
    await certs.settled();
    const held = certs.certificate('g1')!;
    let broken = true;
    const flaky: CertificateAuthority = {
      kind: 'built-in',
      source: 'test',
      signer: (now) => {
        if (broken) throw new Error('signer unavailable');
        return authority.signer(now);
      },
      trustBundle: (now) => authority.trustBundle(now),
      nextTransition: () => undefined,
    };
    certs.setAuthority(flaky);
    certs.want(new Map([['g1', { ...id('a'), dnsNames: ['changed.m'] }]]));
    await vi.waitFor(() => expect(failures.length).toBeGreaterThan(0));
    expect(certs.certificate('g1')).toBe(held);
    expect(certs.stats().failures).toBeGreaterThan(0);
    broken = false;
    await vi.waitFor(() => expect(certs.certificate('g1')!.serial).not.toBe(held.serial), {
      timeout: 10_000,
    });
  });
});
