/**
 * The built-in CA issuing workload certificates for N proxy groups (default 2,000:
 * App Mesh's 200 nodes per mesh × 10 meshes), against the same signing done directly
 * with the library in the same run: a fresh P-256 key, the same extensions, signed
 * with @peculiar/x509 on Node's WebCrypto, key and certificate exported as PEM, the
 * same number at once.
 *
 * What Amime adds per certificate: identity bookkeeping, renewal times, change
 * notification and yielding to the event loop between batches. Also measured: how
 * late the event loop runs timers while issuance goes on (p99).
 *
 * Then the same N groups in a real `amime serve` (one mesh, `amime.io/mtls: STRICT`,
 * so every group needs a certificate at start): new proxies connect one after the
 * other over ADS and the time to their first response (CDS) is recorded while the
 * server is still issuing the N certificates (`amime_ca_certificates` < N on
 * /metrics) and again once it is done. The difference of the p99s is what issuance
 * costs a new proxy (target ≤ 50 ms).
 *
 * Run: npm run bench:ca   (BENCH_N groups, default 2,000; BENCH_ROUNDS, default 3)
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { webcrypto, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { buildIfChanged } from '../scripts/build-if-changed.mjs';
import { SotwClient } from '../test/e2e/support/ads-test-client.js';
import { startServe } from '../test/e2e/support/serve-process.js';
import { TYPE_URL } from '../src/xds/index.js';
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
  const delay = await firstResponseDelay();
  if (ratio > 1.5 || delay > 50) process.exitCode = 1;
}

// ------------------------------------------------ the first ADS response, in amime serve

const SAMPLE_TIMEOUT_MS = 30_000;

/** App Mesh's quota of virtual nodes per mesh. */
const NODES_PER_MESH = 200;
const meshOf = (i: number) => `mesh-${Math.floor(i / NODES_PER_MESH)}`;
const groupOf = (i: number) => `mesh/${meshOf(i % N)}/virtualNode/vn-${i % N}_${meshOf(i % N)}`;

/** N virtual nodes in meshes of 200, each mesh with mTLS on, as manifests. */
function writeMeshes(dir: string): void {
  const docs: unknown[] = [];
  for (let i = 0; i < N; i++) {
    if (i % NODES_PER_MESH === 0)
      docs.push(
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: meshOf(i), labels: { mesh: meshOf(i) } } },
        {
          apiVersion: 'appmesh.k8s.aws/v1beta2',
          kind: 'Mesh',
          metadata: { name: meshOf(i), annotations: { 'amime.io/mtls': 'STRICT' } },
          spec: { namespaceSelector: { matchLabels: { mesh: meshOf(i) } } },
        },
      );
    docs.push({
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'VirtualNode',
      metadata: { name: `vn-${i}`, namespace: meshOf(i) },
      spec: {
        podSelector: { matchLabels: { app: `vn-${i}` } },
        listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
        serviceDiscovery: { dns: { hostname: `vn-${i}.${meshOf(i)}.svc.cluster.local` } },
      },
    });
  }
  writeFileSync(path.join(dir, 'meshes.yaml'), docs.map((d) => stringify(d)).join('---\n'));
}

/** Connect as a new proxy of `group`, ask for CDS, time until the first response. */
async function firstResponseMs(xdsPort: number, group: string): Promise<number> {
  const start = performance.now();
  const client = new SotwClient(xdsPort);
  try {
    client.send({ type_url: TYPE_URL.Cluster, node: { id: group, cluster: group.split('/').pop()! } });
    await client.next(SAMPLE_TIMEOUT_MS);
    return performance.now() - start;
  } finally {
    client.close();
  }
}

const p = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((q / 100) * s.length))]!;
};

async function certificatesHeld(apiUrl: string): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  return Number(/^amime_ca_certificates (\d+)/m.exec(text)?.[1] ?? 0);
}

/** Waits until every group has its configuration (so what is measured next is not translation). */
async function untilPublished(apiUrl: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const status = (await (await fetch(`${apiUrl}/debug/proxies`)).json()) as {
      groups: Array<{ group: string }>;
    };
    if (status.groups.filter((g) => !g.group.endsWith('#grpc')).length >= N) return;
    if (Date.now() > deadline) throw new Error('amime serve did not publish every group within 120 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** p99 of the first response while issuing minus p99 once done, ms. */
async function firstResponseDelay(): Promise<number> {
  buildIfChanged();
  const dir = mkdtempSync(path.join(tmpdir(), 'amime-bench-ca-'));
  writeMeshes(dir);
  const serve = await startServe(['--from', dir, '--log-level', 'error'], { timeoutMs: 120_000 });
  try {
    await untilPublished(serve.apiUrl);
    const during: number[] = [];
    let i = 0;
    // A sample counts as taken during issuance only if the server still lacked
    // certificates after it: the metric is read after each sample.
    for (;;) {
      const ms = await firstResponseMs(serve.xdsPort, groupOf(i++));
      const held = await certificatesHeld(serve.apiUrl);
      if (held >= N) break;
      during.push(ms);
    }
    const after: number[] = [];
    const samples = Math.max(200, during.length);
    for (let k = 0; k < samples; k++) after.push(await firstResponseMs(serve.xdsPort, groupOf(i++)));
    const line = (name: string, xs: number[]) =>
      `${name}: ${xs.length} proxies, p50 ${p(xs, 50).toFixed(1)} ms, p99 ${p(xs, 99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
    console.log(
      `amime serve, ${N} groups needing a certificate at start — first ADS response (CDS) of a new proxy:`,
    );
    console.log(`  ${line('while issuing', during)}`);
    console.log(`  ${line('after issuing', after)}`);
    if (during.length < 20) {
      console.log(
        '  too few proxies connected while issuing to say anything (the machine issued faster than they connected)',
      );
      return 0;
    }
    const delay = p(during, 99) - p(after, 99);
    console.log(`  delay by issuance (p99 while − p99 after): ${delay.toFixed(1)} ms (target ≤ 50 ms)`);
    return delay;
  } finally {
    await serve.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
