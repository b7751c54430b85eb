import { createHash } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { parseAuthConfig } from './auth-file.js';
import type { AuthenticationResult, Credentials } from './authenticator.js';
import { FileAuthenticator } from './file-authenticator.js';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const allowAll = { Statement: [{ Effect: 'Allow', Action: 'appmesh:*', Resource: '*' }] };
const config = parseAuthConfig(
  JSON.stringify({
    principals: [
      { name: 'fleet', tokenSha256: sha('secret-1'), policies: [allowAll] },
      { name: 'cert-uri', certificate: { uriSan: 'spiffe://mesh-1/vnode-1' }, policies: [allowAll] },
      { name: 'cert-cn', certificate: { subjectCN: 'gateway' }, policies: [] },
    ],
  }),
  'creds.json',
  () => undefined,
);
const auth = new FileAuthenticator(config);

function creds(headers: Record<string, string>, cert?: Partial<PeerCertificate>): Credentials {
  return {
    metadata: { get: (k: string) => (headers[k] !== undefined ? [headers[k]!] : []) },
    peer: '127.0.0.1:1',
    ...(cert ? { peerCertificate: cert as PeerCertificate } : {}),
  };
}

const name = (r: AuthenticationResult): string => (r.ok ? r.principal.name : `error: ${r.message}`);

describe('FileAuthenticator', () => {
  it('recognises bearer tokens by hash', () => {
    expect(name(auth.authenticate(creds({ authorization: 'Bearer secret-1' })))).toBe('fleet');
    expect(name(auth.authenticate(creds({ authorization: 'bearer   secret-1 ' })))).toBe('fleet');
    expect(name(auth.authenticate(creds({ authorization: 'Bearer secret-2' })))).toBe(
      'error: bearer token not recognised',
    );
    expect(name(auth.authenticate(creds({ authorization: 'Basic c2VjcmV0' })))).toMatch(
      /missing credentials/,
    );
  });

  it('maps verified certificates by URI SAN or subject CN', () => {
    expect(
      name(
        auth.authenticate(
          creds(
            {},
            {
              subject: { CN: 'x' } as PeerCertificate['subject'],
              subjectaltname: 'DNS:a, URI:spiffe://mesh-1/vnode-1',
            },
          ),
        ),
      ),
    ).toBe('cert-uri');
    expect(
      name(auth.authenticate(creds({}, { subject: { CN: 'gateway' } as PeerCertificate['subject'] }))),
    ).toBe('cert-cn');
    expect(
      name(auth.authenticate(creds({}, { subject: { CN: 'other' } as PeerCertificate['subject'] }))),
    ).toMatch(/CN=other.*not mapped/);
  });

  it('prefers a token over a certificate and authorizes through the principal', () => {
    const r = auth.authenticate(
      creds(
        { authorization: 'Bearer secret-1' },
        { subject: { CN: 'gateway' } as PeerCertificate['subject'] },
      ),
    );
    expect(name(r)).toBe('fleet');
    if (r.ok)
      expect(r.principal.authorize('appmesh:StreamAggregatedResources', 'arn:x').decision).toBe('Allow');
    const cn = auth.authenticate(creds({}, { subject: { CN: 'gateway' } as PeerCertificate['subject'] }));
    if (cn.ok)
      expect(cn.principal.authorize('appmesh:StreamAggregatedResources', 'arn:x').decision).toBe(
        'ImplicitDeny',
      );
  });
});
