/**
 * Where the xDS server speaks TLS, and with which certificate.
 *
 * `--xds-tls-listen HOST:PORT` opens a second xDS listener with TLS — the one Envoys
 * outside the cluster reach (the App Mesh image's APPMESH_XDS_ENDPOINT, `amime bootstrap
 * --tls-ca`); `--xds-listen` then stays plaintext (loopback, in-cluster). Without it,
 * a certificate makes `--xds-listen` itself speak TLS. The certificate comes from
 * `--xds-tls-cert`/`--xds-tls-key`, or with `--xds-tls-self-signed` from a CA and
 * certificate Amime makes once in `<data-dir>/xds-tls/` and reuses (renewing the
 * certificate, not the CA, when it nears expiry or the names change), so the CA Envoys
 * trust stays the same across restarts. `--xds-tls-client-ca` demands client
 * certificates on that listener (mTLS).
 */
import { X509Certificate, createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import path from 'node:path';
import type { TlsOptions } from '../xds/index.js';
import {
  checkWebhookCertificate,
  generateWebhookCertificate,
  type WebhookCertificate,
} from '../k8s/index.js';
import { ConfigError, parseHostPort, type HostPort, type ServeConfig } from './config.js';
import type { Logger } from './logger.js';

export interface XdsTlsPlan {
  /** TLS of `--xds-listen` (undefined: plaintext). */
  main?: TlsOptions;
  /** The separate TLS listener of `--xds-tls-listen`. */
  extra?: { at: HostPort; tls: TlsOptions };
}

export const SELF_SIGNED_DIR = 'xds-tls';

/** Names a self-signed certificate covers by default: this host, by name and loopback. */
export function defaultTlsNames(listen?: HostPort): string[] {
  const names = ['localhost', '127.0.0.1', '::1', hostname()];
  if (listen && !['0.0.0.0', '::', ''].includes(listen.host)) names.push(listen.host);
  return [...new Set(names)];
}

export async function planXdsTls(config: ServeConfig, logger: Logger): Promise<XdsTlsPlan> {
  const x = config.xds;
  const at = x.tlsListen ? parseHostPort(x.tlsListen, '--xds-tls-listen') : undefined;
  if ((x.tlsCert === undefined) !== (x.tlsKey === undefined))
    throw new ConfigError('--xds-tls-cert and --xds-tls-key go together (the certificate chain and its key)');
  if (x.tlsCert && x.tlsSelfSigned)
    throw new ConfigError(
      '--xds-tls-self-signed makes the certificate: leave out --xds-tls-cert/--xds-tls-key',
    );
  let pair: { cert: Buffer | string; key: Buffer | string } | undefined;
  if (x.tlsCert && x.tlsKey) pair = { cert: readFileSync(x.tlsCert), key: readFileSync(x.tlsKey) };
  else if (x.tlsSelfSigned)
    pair = await selfSigned(config.dataDir, x.tlsNames ?? defaultTlsNames(at), logger);
  if (!pair) {
    if (at)
      throw new ConfigError(
        '--xds-tls-listen needs a certificate: --xds-tls-cert and --xds-tls-key, or --xds-tls-self-signed',
      );
    if (x.tlsClientCa)
      throw new ConfigError('--xds-tls-client-ca needs TLS: a certificate for the xDS listener');
    return {};
  }
  const tls: TlsOptions = {
    ...pair,
    ...(x.tlsClientCa ? { ca: readFileSync(x.tlsClientCa), requireClientCert: true } : {}),
  };
  return at ? { extra: { at, tls } } : { main: tls };
}

function covers(cert: string, names: readonly string[]): boolean {
  const x = new X509Certificate(cert);
  return names.every((n) => (isIP(n) ? x.checkIP(n) : x.checkHost(n)) !== undefined);
}

/** The stored self-signed set, made or renewed as needed; logs where Envoys find the CA. */
async function selfSigned(
  dataDir: string,
  names: readonly string[],
  logger: Logger,
): Promise<{ cert: string; key: string }> {
  const dir = path.resolve(dataDir, SELF_SIGNED_DIR);
  const file = (n: string) => path.join(dir, n);
  const read = (n: string) => (existsSync(file(n)) ? readFileSync(file(n), 'utf8') : undefined);
  const stored: Partial<WebhookCertificate> = {
    ...(read('tls.crt') ? { cert: read('tls.crt') } : {}),
    ...(read('tls.key') ? { key: read('tls.key') } : {}),
    ...(read('ca.crt') ? { ca: read('ca.crt') } : {}),
    ...(read('ca.key') ? { caKey: read('ca.key') } : {}),
  };
  const dnsNames = names.filter((n) => isIP(n) === 0);
  const ipAddresses = names.filter((n) => isIP(n) !== 0);
  const check = checkWebhookCertificate(stored, { host: dnsNames[0] ?? 'localhost' });
  let set = stored as WebhookCertificate;
  if (!check.ok || !covers(set.cert, names)) {
    const reason = check.ok ? `it does not cover ${names.join(', ')}` : check.reason;
    // Keep the CA Envoys already trust whenever it can still sign.
    const keep = check.ok ? (set.caKey ? { cert: set.ca, key: set.caKey } : undefined) : check.ca;
    set = await generateWebhookCertificate({
      dnsNames,
      ipAddresses,
      caName: 'amime-xds-ca',
      ...(keep ? { ca: keep } : {}),
    });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file('ca.crt'), set.ca);
    writeFileSync(file('ca.key'), set.caKey!, { mode: 0o600 });
    writeFileSync(file('tls.key'), set.key, { mode: 0o600 });
    writeFileSync(file('tls.crt'), set.cert);
    logger.info(
      { dir, names, reason: stored.cert ? reason : 'none yet', newCa: !keep },
      'xDS TLS: self-signed certificate made',
    );
  }
  const fingerprint = createHash('sha256')
    .update(new X509Certificate(set.ca).raw)
    .digest('hex')
    .replace(/(..)(?!$)/g, '$1:');
  logger.info(
    { caFile: file('ca.crt'), sha256: fingerprint, names },
    `xDS TLS: self-signed; Envoys trust the CA in ${file('ca.crt')} (amime bootstrap --tls-ca, or the App Mesh image's /etc/pki/tls/cert.pem)`,
  );
  return { cert: set.cert, key: set.key };
}
