/**
 * Throwaway PKI for mTLS tests, made with the openssl CLI: a CA, a server
 * certificate for 127.0.0.1/localhost, and client certificates with a chosen CN
 * and URI SAN.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface KeyPair {
  key: Buffer;
  cert: Buffer;
}

export interface TestPki {
  ca: Buffer;
  server: KeyPair;
  client(name: string, subjectCN: string, uriSan?: string): KeyPair;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function makePki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'amime-pki-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-subj',
      '/CN=amime-test-ca',
      '-days',
      '2',
    ],
    dir,
  );
  const issue = (name: string, subject: string, ext: string): KeyPair => {
    writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.crt`,
        '-days',
        '2',
        '-extfile',
        `${name}.ext`,
      ],
      dir,
    );
    return {
      key: readFileSync(path.join(dir, `${name}.key`)),
      cert: readFileSync(path.join(dir, `${name}.crt`)),
    };
  };
  const server = issue(
    'server',
    '/CN=localhost',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  return {
    ca: readFileSync(path.join(dir, 'ca.crt')),
    server,
    client: (name, subjectCN, uriSan) =>
      issue(
        name,
        `/CN=${subjectCN}`,
        `${uriSan ? `subjectAltName=URI:${uriSan}\n` : ''}extendedKeyUsage=clientAuth\n`,
      ),
  };
}
