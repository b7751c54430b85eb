/**
 * The built-in CA issuing workload certificates for N proxy groups (default 2,000:
 * App Mesh's 200 nodes per mesh × 10 meshes), against the same signing done directly
 * with the library in the same run: a fresh P-256 key, the same extensions, signed
 * with @peculiar/x509 on Node's WebCrypto, key and certificate exported as PEM, the
 * same number at once.
 *
 * What Amime adds per certificate: identity bookkeeping, renewal times, change
 * notification and yielding to the event loop between batches. Also measured: how
 * late the event loop runs timers while issuance goes on (p99), which is what an xDS
 * response waiting behind it would see.
 *
 * Run: npm run bench:ca   (BENCH_N groups, default 2,000; BENCH_ROUNDS, default 3)
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { webcrypto, randomBytes } from 'node:crypto';
import { createMemoryStore } from '../src/store/index.js';
import { ephemeralKek, openBuiltIn } from '../src/ca/built-in.js';
import { storeAuthorityRecord } from '../src/ca/record.js';
import { WorkloadCertificates } from '../src/ca/workloads.js';
import { generateKeyPair, privateKeyPem } from '../src/ca/keys.js';
import type { Signer } from '../src/ca/signer.js';
import type { WorkloadIdentity } from '../src/ca/issue.js';

const N = Math.max(10, Number(process.env.BENCH_N ?? 2_000));
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const CONCURRENCY = 4;
const LIFETIME_MS = 86_400_000;

function identities(round: number): Map<string, WorkloadIdentity> {
  const out = new Map<string, WorkloadIdentity>();
  for (let i = 0; i < N; i++) {
    const mesh = `mesh-${i % 10}`;
    const name = `vn-${round}-${String(i).padStart(5, '0')}`;
    out.set(`mesh/${mesh}/virtualNode/${name}`, {
      spiffeId: `spiffe://amime.local/mesh/${mesh}/virtualNode/${name}`,
      dnsNames: [
        `${name}.apps.svc.cluster.local`,
        `svc-${i % 50}.apps`,
        `svc-${i % 50}.apps.svc.cluster.local`,
      ],
    });
  }
  return out;
}

/** The same certificate, made by hand with the library. */
async function direct(signer: Signer, id: WorkloadIdentity): Promise<number> {
  const { x509 } = signer;
  const keys = await generateKeyPair();
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 1;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serial.toString('hex'),
      subject: [],
      issuer: signer.certificate.subjectName,
      publicKey: keys.publicKey,
      signingKey: signer.signingKey.key,
      signingAlgorithm: signer.signingKey.algorithm,
      notBefore: new Date(now - 300_000),
      notAfter: new Date(now + LIFETIME_MS),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
        new x509.SubjectAlternativeNameExtension(
          [
            { type: 'url', value: id.spiffeId },
            ...id.dnsNames.map((value) => ({ type: 'dns' as const, value })),
          ],
          true,
        ),
        signer.authorityKeyId,
      ],
    },
    webcrypto,
  );
  return cert.toString('pem').length + privateKeyPem(keys.privateKey).length;
}

async function timeDirect(signer: Signer, ids: WorkloadIdentity[]): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < ids.length; i += CONCURRENCY) {
    await Promise.all(ids.slice(i, i + CONCURRENCY).map((id) => direct(signer, id)));
  }
  return performance.now() - start;
}

async function timeAmime(
  certs: WorkloadCertificates,
  wanted: Map<string, WorkloadIdentity>,
): Promise<number> {
  const start = performance.now();
  let issued = 0;
  const done = new Promise<void>((resolve) => {
    onChange = (groups) => {
      issued += groups;
      if (issued >= wanted.size) resolve();
    };
  });
  certs.want(wanted);
  await done;
  return performance.now() - start;
}

let onChange: (groups: number) => void = () => undefined;

async function main(): Promise<void> {
  const store = createMemoryStore();
  const { authority } = await openBuiltIn({
    record: storeAuthorityRecord(store),
    kek: ephemeralKek(),
    now: new Date(),
  });
  const signer = authority.signer(Date.now());
  const certs = new WorkloadCertificates(authority, {
    lifetimeMs: LIFETIME_MS,
    concurrency: CONCURRENCY,
    onChange: (c) => onChange(c.groups.length),
  });
  // Warm both paths (JIT, the library's lazy set-up).
  await timeDirect(signer, [...identities(-1).values()].slice(0, 50));
  await timeAmime(certs, new Map([...identities(-2)].slice(0, 50)));

  console.log(`bench:ca — ${N} proxy groups, ${CONCURRENCY} at a time, ${ROUNDS} rounds (alternating)`);
  const rows: Array<{ amime: number; direct: number; p99: number }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    const directMs = await timeDirect(signer, [...identities(100 + r).values()]);
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const amimeMs = await timeAmime(certs, identities(r));
    lag.disable();
    rows.push({ amime: amimeMs, direct: directMs, p99: lag.percentile(99) / 1e6 });
    const per = (ms: number) => ((ms / N) * 1000).toFixed(0);
    console.log(
      `  round ${r + 1}: Amime ${amimeMs.toFixed(0)} ms (${per(amimeMs)} µs/cert) · library directly ${directMs.toFixed(0)} ms (${per(directMs)} µs/cert) · ratio ${(amimeMs / directMs).toFixed(2)}× · event-loop delay p99 during issuance ${(lag.percentile(99) / 1e6).toFixed(1)} ms`,
    );
  }
  const best = (k: 'amime' | 'direct') => Math.min(...rows.map((x) => x[k]));
  const ratio = best('amime') / best('direct');
  console.log(
    `best: Amime ${((best('amime') / N) * 1000).toFixed(0)} µs/cert, library ${((best('direct') / N) * 1000).toFixed(0)} µs/cert → ${ratio.toFixed(2)}× (target ≤ 1.5×)`,
  );
  certs.close();
  await store.close();
  if (ratio > 1.5) process.exitCode = 1;
}

await main();
