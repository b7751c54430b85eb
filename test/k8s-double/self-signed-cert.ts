/**
 * A throwaway CA and serving certificate for tests, made with the `openssl` binary
 * (Node has no X.509 generator). Not for production: Amime's install manifests get
 * their webhook certificate from cert-manager or the self-signed bootstrap.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificate {
  /** PEM of the CA that signed `cert`; what a webhook's caBundle carries (base64 of this). */
  caPem: string;
  /** PEM serving certificate with the requested SANs. */
  cert: string;
  /** PEM private key of `cert`. */
  key: string;
  /** base64(caPem), ready for `clientConfig.caBundle`. */
  caBundle: string;
}

/** A CA plus a leaf for `hosts` (IP addresses and DNS names; default 127.0.0.1 and localhost). */
export async function makeTestCertificate(
  hosts: ReadonlyArray<string> = ['127.0.0.1', 'localhost'],
): Promise<TestCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'amime-cert-'));
  const f = (n: string) => join(dir, n);
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    await run('openssl', [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.crt'),
      '-days',
      '2',
      '-subj',
      '/CN=amime-test-ca',
    ]);
    await run('openssl', [
      'req',
      ...ec,
      '-keyout',
      f('tls.key'),
      '-out',
      f('tls.csr'),
      '-subj',
      `/CN=${hosts[0] ?? 'localhost'}`,
    ]);
    const san = hosts.map((h) => (/^[0-9.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
    await writeFile(
      f('ext.cnf'),
      `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n`,
    );
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      f('tls.csr'),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f('tls.crt'),
      '-days',
      '2',
      '-extfile',
      f('ext.cnf'),
    ]);
    const [caPem, cert, key] = await Promise.all([
      readFile(f('ca.crt'), 'utf8'),
      readFile(f('tls.crt'), 'utf8'),
      readFile(f('tls.key'), 'utf8'),
    ]);
    return { caPem, cert, key, caBundle: Buffer.from(caPem).toString('base64') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
