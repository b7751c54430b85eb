/**
 * Throwaway PKI for mTLS tests, made with the openssl CLI: a CA, a server
 * certificate for 127.0.0.1/localhost, and client certificates with a chosen CN
 * and URI SAN.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** Runs `work` in a new temporary folder, removed again when it returns or throws. */
function inScratch<T>(work: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'amime-pki-'));
  try {
    return work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Leaves no files behind: each step runs openssl in a folder of its own, the keys stay in memory. */
export function makePki(): TestPki {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca: KeyPair = inScratch((dir) => {
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
    return { key: readFileSync(path.join(dir, 'ca.key')), cert: readFileSync(path.join(dir, 'ca.crt')) };
  });
  const issue = (name: string, subject: string, ext: string): KeyPair =>
    inScratch((dir) => {
      writeFileSync(path.join(dir, 'ca.key'), ca.key);
      writeFileSync(path.join(dir, 'ca.crt'), ca.cert);
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
    });
  const server = issue(
    'server',
    '/CN=localhost',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  return {
    ca: ca.cert,
    server,
    client: (name, subjectCN, uriSan) =>
      issue(
        name,
        `/CN=${subjectCN}`,
        `${uriSan ? `subjectAltName=URI:${uriSan}\n` : ''}extendedKeyUsage=clientAuth\n`,
      ),
  };
}
