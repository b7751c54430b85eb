/** What `amime ca` shows: the chain, fingerprints and expiry of every certificate that matters, and the workload certificates' state. */
import { X509Certificate } from 'node:crypto';
import type { CertificateAuthority } from './authority.js';
import { signingRoot, trustedRoots } from './state.js';
import { splitPem } from './pem.js';
import type { WorkloadCertificateStats } from './workloads.js';

export interface CertificateView {
  subject: string;
  issuer: string;
  serial: string;
  sha256: string;
  notBefore: string;
  notAfter: string;
}

export interface RootView extends CertificateView {
  /** `signing`: issues certificates now; `next`: trusted, signs from `signsFrom`; `retiring`: trusted until `trustedUntil`. */
  status: 'signing' | 'next' | 'retiring' | 'trusted';
  signsFrom?: string;
  trustedUntil?: string;
}

export interface CaView {
  kind: 'built-in' | 'operator';
  source: string;
  trustDomain: string;
  /** The certificate that signs workload certificates now, then the intermediates above it. */
  signingChain: CertificateView[];
  /** The trust bundle every proxy receives. */
  roots: RootView[];
  workloads: {
    lifetimeSeconds: number;
    renewAt: number;
    issued: number;
    current: number;
    failures: number;
    earliestExpiry?: string;
  };
}

export function certificateView(pem: string): CertificateView {
  const c = new X509Certificate(pem);
  const oneLine = (dn: string) => dn.split('\n').join(', ');
  return {
    subject: oneLine(c.subject),
    issuer: oneLine(c.issuer),
    serial: c.serialNumber,
    sha256: c.fingerprint256,
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
  };
}

export interface DescribeInput {
  authority: CertificateAuthority;
  trustDomain: string;
  lifetimeMs: number;
  renewAt: number;
  stats: WorkloadCertificateStats;
  now: number;
}

export function describeAuthority(input: DescribeInput): CaView {
  const { authority, now, stats } = input;
  const signer = authority.signer(now);
  const signingChain = [signer.pem, ...splitChain(signer.chain)]
    .filter((pem, i, all) => all.findIndex((p) => sameCert(p, pem)) === i)
    .map(certificateView);
  let roots: RootView[];
  const state = authority.state;
  if (state) {
    const signing = signingRoot(state, now);
    roots = trustedRoots(state, now).map((r) => {
      const status: RootView['status'] =
        r === signing
          ? 'signing'
          : Date.parse(r.signsFrom) > now
            ? 'next'
            : r.trustedUntil
              ? 'retiring'
              : 'trusted';
      return {
        ...certificateView(r.certificate),
        status,
        ...(status === 'next' ? { signsFrom: r.signsFrom } : {}),
        ...(r.trustedUntil ? { trustedUntil: r.trustedUntil } : {}),
      };
    });
  } else {
    roots = splitChain(authority.trustBundle(now)).map((pem) => ({
      ...certificateView(pem),
      status: 'trusted',
    }));
  }
  return {
    kind: authority.kind,
    source: authority.source,
    trustDomain: input.trustDomain,
    signingChain,
    roots,
    workloads: {
      lifetimeSeconds: Math.round(input.lifetimeMs / 1000),
      renewAt: input.renewAt,
      issued: stats.issued,
      current: stats.current,
      failures: stats.failures,
      ...(stats.earliestExpiry ? { earliestExpiry: stats.earliestExpiry.toISOString() } : {}),
    },
  };
}

function splitChain(pem: string): string[] {
  return pem.trim() ? splitPem(pem, 'the chain') : [];
}

function sameCert(a: string, b: string): boolean {
  return new X509Certificate(a).fingerprint256 === new X509Certificate(b).fingerprint256;
}
