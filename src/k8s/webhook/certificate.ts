/**
 * The webhook serving certificate of `--webhook-self-signed`: a long-lived
 * self-signed CA and a one-year leaf for the webhook Service's DNS names (ECDSA P-256,
 * made with @peculiar/x509 on Node's WebCrypto), and the check that decides whether a
 * stored set can still be served, done with node:crypto (OpenSSL's view, the one the
 * TLS server uses).
 */
import { createPrivateKey, KeyObject, webcrypto, X509Certificate, type KeyObject as Key } from 'node:crypto';
import { loadX509, type X509 } from './x509.js';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** PEM strings, as Secret `amime-webhook-tls` holds them. */
export interface WebhookCertificate {
  /** `tls.crt`: the serving certificate. */
  cert: string;
  /** `tls.key`: its private key (PKCS#8). */
  key: string;
  /** `ca.crt`: the CA that signed `cert`; the webhooks' `caBundle` is base64 of this. */
  ca: string;
  /** `ca.key`: the CA's private key, kept so the leaf can be renewed without changing `caBundle`. */
  caKey?: string;
}

export const DAY_MS = 86_400_000;
export const LEAF_VALIDITY_MS = 365 * DAY_MS;
export const CA_VALIDITY_MS = 10 * 365 * DAY_MS;
export const RENEW_BEFORE_MS = 30 * DAY_MS;
/** Certificates start an hour in the past, so a node whose clock lags still accepts them. */
const BACKDATE_MS = 3_600_000;

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** `<service>`, `<service>.<ns>`, `<service>.<ns>.svc`, `<service>.<ns>.svc.<clusterDomain>`. */
export function webhookDnsNames(
  service: string,
  namespace: string,
  clusterDomain = 'cluster.local',
): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.${clusterDomain}`,
  ];
}

export interface GenerateOptions {
  dnsNames: readonly string[];
  /** IP address SANs (the xDS server's self-signed certificate is reached by IP too). */
  ipAddresses?: readonly string[];
  /** Common name prefix of a new CA (default `amime-webhook-ca`). */
  caName?: string;
  now?: Date;
  /** Sign with this CA (PEM certificate and PKCS#8 EC P-256 key) instead of making a new one. */
  ca?: { cert: string; key: string };
  leafValidityMs?: number;
  caValidityMs?: number;
}

export async function generateWebhookCertificate(options: GenerateOptions): Promise<WebhookCertificate> {
  const x509 = await loadX509();
  const crypto = webcrypto;
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const exportKey = (k: CryptoKey) => KeyObject.from(k).export({ type: 'pkcs8', format: 'pem' }).toString();

  let ca: { cert: InstanceType<X509['X509Certificate']>; signingKey: CryptoKey; pem: string; keyPem: string };
  if (options.ca) {
    const cert = new x509.X509Certificate(options.ca.cert);
    const der = createPrivateKey(options.ca.key).export({ type: 'pkcs8', format: 'der' });
    const signingKey = await crypto.subtle.importKey('pkcs8', der, EC, false, ['sign']);
    ca = { cert, signingKey, pem: options.ca.cert, keyPem: options.ca.key };
  } else {
    const keys = (await crypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned(
      {
        name: `CN=${options.caName ?? 'amime-webhook-ca'}@${Math.floor(now.getTime() / 1000)}`,
        keys,
        signingAlgorithm: SIGNING,
        notBefore,
        notAfter: new Date(now.getTime() + (options.caValidityMs ?? CA_VALIDITY_MS)),
        extensions: [
          new x509.BasicConstraintsExtension(true, 0, true),
          new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
            true,
          ),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        ],
      },
      crypto,
    );
    ca = { cert, signingKey: keys.privateKey, pem: cert.toString('pem'), keyPem: exportKey(keys.privateKey) };
  }

  const leafKeys = (await crypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const leaf = await x509.X509CertificateGenerator.create(
    {
      subject: `CN=${options.dnsNames[2] ?? options.dnsNames[0] ?? 'amime-webhook'}`,
      issuer: ca.cert.subjectName,
      publicKey: leafKeys.publicKey,
      signingKey: ca.signingKey,
      signingAlgorithm: SIGNING,
      notBefore,
      notAfter: new Date(now.getTime() + (options.leafValidityMs ?? LEAF_VALIDITY_MS)),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          ...options.dnsNames.map((value) => ({ type: 'dns' as const, value })),
          ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
        ]),
        await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { cert: leaf.toString('pem'), key: exportKey(leafKeys.privateKey), ca: ca.pem, caKey: ca.keyPem };
}

export type CertificateCheck =
  | { ok: true; notAfter: Date }
  /** `ca`: the stored CA, when it can sign a renewed leaf (so `caBundle` stays). */
  | { ok: false; reason: string; ca?: { cert: string; key: string } };

export interface CheckOptions {
  /** The name the API server verifies: `<service>.<namespace>.svc`. */
  host: string;
  now?: Date;
  renewBeforeMs?: number;
  leafValidityMs?: number;
}

/** Whether a stored set can be served as it is, and if not, why and whether its CA can be kept. */
export function checkWebhookCertificate(
  c: Partial<WebhookCertificate>,
  options: CheckOptions,
): CertificateCheck {
  const now = options.now ?? new Date();
  const renewBefore = options.renewBeforeMs ?? RENEW_BEFORE_MS;
  const keptCa = reusableCa(c, now, (options.leafValidityMs ?? LEAF_VALIDITY_MS) + renewBefore);
  const fail = (reason: string): CertificateCheck => ({
    ok: false,
    reason,
    ...(keptCa ? { ca: keptCa } : {}),
  });
  const missing = (
    [
      ['tls.crt', c.cert],
      ['tls.key', c.key],
      ['ca.crt', c.ca],
    ] as const
  )
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length > 0) return fail(`it lacks ${missing.join(', ')}`);
  let leaf: X509Certificate;
  let ca: X509Certificate;
  let key: Key;
  try {
    leaf = new X509Certificate(c.cert!);
    ca = new X509Certificate(c.ca!);
    key = createPrivateKey(c.key!);
  } catch (e) {
    return fail(`it does not parse: ${(e as Error).message}`);
  }
  if (!ca.ca) return fail('ca.crt is not a CA certificate');
  if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) return fail('tls.crt is not signed by ca.crt');
  if (!leaf.checkPrivateKey(key)) return fail('tls.key does not belong to tls.crt');
  if (leaf.checkHost(options.host) === undefined) return fail(`tls.crt does not cover ${options.host}`);
  for (const [name, cert] of [
    ['tls.crt', leaf],
    ['ca.crt', ca],
  ] as const) {
    const from = new Date(cert.validFrom);
    const to = new Date(cert.validTo);
    if (from.getTime() > now.getTime()) return fail(`${name} is not valid before ${from.toISOString()}`);
    if (to.getTime() - now.getTime() < renewBefore)
      return fail(`${name} expires at ${to.toISOString()}, within ${Math.round(renewBefore / DAY_MS)} days`);
  }
  return { ok: true, notAfter: new Date(leaf.validTo) };
}

/** The stored CA with its key, if it is an EC P-256 CA valid for `horizonMs` more. */
function reusableCa(
  c: Partial<WebhookCertificate>,
  now: Date,
  horizonMs: number,
): { cert: string; key: string } | undefined {
  if (!c.ca || !c.caKey) return undefined;
  try {
    const ca = new X509Certificate(c.ca);
    const key = createPrivateKey(c.caKey);
    if (
      !ca.ca ||
      key.asymmetricKeyType !== 'ec' ||
      key.asymmetricKeyDetails?.namedCurve !== 'prime256v1' ||
      !ca.checkPrivateKey(key)
    )
      return undefined;
    if (
      new Date(ca.validFrom).getTime() > now.getTime() ||
      new Date(ca.validTo).getTime() - now.getTime() < horizonMs
    )
      return undefined;
    return { cert: c.ca, key: c.caKey };
  } catch {
    return undefined;
  }
}
