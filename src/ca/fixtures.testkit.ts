/** Test helpers: CAs made with the same library the CA uses, and TLS endpoints built from issued certificates. */
import { webcrypto } from 'node:crypto';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { ECDSA_SHA256, generateKeyPair, importSigningKey, privateKeyPem } from './keys.js';
import { createRoot, type RootMaterial } from './root.js';
import { loadX509 } from './x509.js';

/** An intermediate CA signed by `root` (what an operator would supply). */
export async function createIntermediate(root: RootMaterial, now = new Date()): Promise<RootMaterial> {
  const x509 = await loadX509();
  const rootCert = new x509.X509Certificate(root.certificate);
  const rootKey = (await importSigningKey(root.privateKey)).key;
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.create(
    {
      subject: 'CN=Operator intermediate',
      issuer: rootCert.subjectName,
      publicKey: keys.publicKey,
      signingKey: rootKey,
      signingAlgorithm: ECDSA_SHA256,
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + 365 * 86_400_000),
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
        await x509.AuthorityKeyIdentifierExtension.create(rootCert.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  return { certificate: cert.toString('pem'), privateKey: privateKeyPem(keys.privateKey) };
}

export { createRoot };

export interface TlsSide {
  cert: string;
  key: string;
  /** Trusted roots, PEM. */
  ca: string;
}

/**
 * One mTLS handshake between a server and a client built from issued material, as
 * the two ends of a mesh connection. Resolves with what each side saw of the other,
 * or with the error that stopped it.
 */
export async function mtlsHandshake(
  server: TlsSide,
  client: TlsSide,
  servername?: string,
): Promise<{ ok: true; serverSawClient: string; clientSawServer: string } | { ok: false; error: string }> {
  const srv = tls.createServer({ ...server, requestCert: true, rejectUnauthorized: true });
  const serverSaw = new Promise<string>((resolve) =>
    srv.on('secureConnection', (s) => {
      resolve(s.getPeerCertificate().subjectaltname ?? '');
      s.end();
    }),
  );
  const serverError = new Promise<string>((resolve) => srv.on('tlsClientError', (e) => resolve(e.message)));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  const socket = tls.connect({
    ...client,
    host: '127.0.0.1',
    port,
    ...(servername ? { servername } : {}),
    // The mesh verifies SANs itself (Envoy's SAN matchers); the chain is what is tested here.
    checkServerIdentity: () => undefined,
  });
  const clientUp = new Promise<string>((resolve) =>
    socket.once('secureConnect', () => resolve(socket.getPeerCertificate().subjectaltname ?? '')),
  );
  const clientError = new Promise<string>((resolve) => socket.once('error', (e) => resolve(e.message)));
  try {
    // With TLS 1.3 the client may finish before the server refuses its certificate: success needs both ends.
    return await Promise.race([
      Promise.all([serverSaw, clientUp]).then(([s, c]) => ({
        ok: true as const,
        serverSawClient: s,
        clientSawServer: c,
      })),
      serverError.then((e) => ({ ok: false as const, error: `server: ${e}` })),
      clientError.then((e) => ({ ok: false as const, error: `client: ${e}` })),
    ]);
  } finally {
    socket.destroy();
    srv.close();
  }
}
