/**
 * Secrets as the console and `amime proxy-config … secrets` show them: every private
 * key replaced by a note, every inline certificate by what a person checks (subject,
 * SANs, issuer, validity, fingerprint). Key material never leaves the server this way.
 */
import { X509Certificate } from 'node:crypto';
import type { JsonObject, JsonValue } from '../proto/index.js';

export const PRIVATE_KEY_HIDDEN = '(private key: never shown)';

export interface CertificateSummary {
  subject: string;
  issuer: string;
  subjectAltNames: string[];
  notBefore: string;
  notAfter: string;
  sha256: string;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function summarizeCertificates(pem: string): CertificateSummary[] {
  return (pem.match(PEM_BLOCK) ?? []).map((block) => {
    const c = new X509Certificate(block);
    return {
      subject: c.subject.replace(/\n/g, ', '),
      issuer: c.issuer.replace(/\n/g, ', '),
      subjectAltNames: c.subjectAltName ? c.subjectAltName.split(', ') : [],
      notBefore: new Date(c.validFrom).toISOString(),
      notAfter: new Date(c.validTo).toISOString(),
      sha256: c.fingerprint256,
    };
  });
}

function pemOf(source: JsonObject): string | undefined {
  if (typeof source.inline_string === 'string') return source.inline_string;
  if (typeof source.inline_bytes === 'string')
    return Buffer.from(source.inline_bytes, 'base64').toString('utf8');
  return undefined;
}

/** A Secret's JSON view with keys hidden and inline certificates summarized (a new object). */
export function secretMetadata(value: JsonValue, key = ''): JsonValue {
  if (Array.isArray(value)) return value.map((v) => secretMetadata(v));
  if (value === null || typeof value !== 'object') return value;
  if (key === 'private_key') return PRIVATE_KEY_HIDDEN;
  const pem = key === 'certificate_chain' || key === 'trusted_ca' ? pemOf(value) : undefined;
  if (pem !== undefined) return { certificates: summarizeCertificates(pem) as unknown as JsonValue[] };
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) out[k] = secretMetadata(v, k);
  return out;
}
