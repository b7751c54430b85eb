/**
 * Where the xDS server speaks TLS and with which certificate; the self-signed set is
 * made once and its CA kept across restarts, so the CA Envoys were given stays valid.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { resolveConfig, type ServeConfigInput } from './config.js';
import { createLogger } from './logger.js';
import { planXdsTls } from './xds-tls.js';

const logger = createLogger({ level: 'silent' });
const plan = (xds: ServeConfigInput['xds'], dataDir = tempDir('amime-xds-tls-')) =>
  planXdsTls(resolveConfig({}, { dataDir, xds }), logger);

describe('planXdsTls', () => {
  it('serves a self-signed certificate on the TLS listener, keeping its CA across restarts and name changes', async () => {
    const dir = tempDir('amime-xds-tls-');
    const first = await plan(
      { tlsListen: '0.0.0.0:15012', tlsSelfSigned: true, tlsNames: ['amime.internal', '10.0.0.5'] },
      dir,
    );
    expect(first.main).toBeUndefined();
    expect(first.extra?.at).toEqual({ host: '0.0.0.0', port: 15012 });
    const ca = readFileSync(path.join(dir, 'xds-tls', 'ca.crt'), 'utf8');
    const leaf = new X509Certificate(String(first.extra?.tls.cert));
    expect(leaf.checkHost('amime.internal')).toBe('amime.internal');
    expect(leaf.checkIP('10.0.0.5')).toBe('10.0.0.5');
    expect(leaf.verify(new X509Certificate(ca).publicKey)).toBe(true);

    const again = await plan(
      { tlsListen: '0.0.0.0:15012', tlsSelfSigned: true, tlsNames: ['amime.internal', '10.0.0.5'] },
      dir,
    );
    expect(again.extra?.tls.cert).toBe(first.extra?.tls.cert);

    const renamed = await plan(
      { tlsListen: '0.0.0.0:15012', tlsSelfSigned: true, tlsNames: ['xds.example.com'] },
      dir,
    );
    expect(renamed.extra?.tls.cert).not.toBe(first.extra?.tls.cert);
    expect(readFileSync(path.join(dir, 'xds-tls', 'ca.crt'), 'utf8')).toBe(ca);
    expect(new X509Certificate(String(renamed.extra?.tls.cert)).checkHost('xds.example.com')).toBe(
      'xds.example.com',
    );
  });

  it('without --xds-tls-listen, a certificate makes --xds-listen itself TLS; mTLS with a client CA', async () => {
    const dir = tempDir('amime-xds-tls-');
    for (const f of ['c.pem', 'k.pem', 'ca.pem']) writeFileSync(path.join(dir, f), f);
    const p = await plan({
      tlsCert: path.join(dir, 'c.pem'),
      tlsKey: path.join(dir, 'k.pem'),
      tlsClientCa: path.join(dir, 'ca.pem'),
    });
    expect(p.extra).toBeUndefined();
    expect(String(p.main?.cert)).toBe('c.pem');
    expect(p.main?.requireClientCert).toBe(true);
    expect(await plan({})).toEqual({});
  });

  it.each([
    [{ tlsListen: '0.0.0.0:15012' }, /--xds-tls-listen needs a certificate/],
    [{ tlsCert: '/c.pem' }, /--xds-tls-cert and --xds-tls-key go together/],
    [{ tlsCert: '/c.pem', tlsKey: '/k.pem', tlsSelfSigned: true }, /leave out --xds-tls-cert/],
    [{ tlsClientCa: '/ca.pem' }, /--xds-tls-client-ca needs TLS/],
    [{ tlsListen: 'nowhere', tlsSelfSigned: true }, /--xds-tls-listen: expected host:port/],
  ] as const)('refuses %j', async (xds, message) => {
    await expect(plan(xds)).rejects.toThrow(message);
  });
});
