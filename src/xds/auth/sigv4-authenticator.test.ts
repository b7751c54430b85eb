/**
 * SigV4-signed streams: the request rebuilt from the metadata Envoy's aws_iam
 * credentials send (envoy source/extensions/grpc_credentials/aws_iam/config.cc,
 * source/extensions/common/aws/signer_impl.cc), the verified access key mapped to its
 * principal, everything else left to the fallback. The verifier itself (the REST
 * API's) is tested in src/api/sigv4.test.ts and end to end in
 * test/e2e/xds-appmesh-agent.test.ts.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseAuthConfig } from './auth-file.js';
import type { AuthenticationResult, Credentials } from './authenticator.js';
import { FileAuthenticator } from './file-authenticator.js';
import { SigV4Authenticator, signedHost, sigv4Principals, type SigV4Request } from './sigv4-authenticator.js';

const allowAll = { Statement: [{ Effect: 'Allow', Action: 'appmesh:*', Resource: '*' }] };
const config = parseAuthConfig(
  JSON.stringify({
    principals: [
      { name: 'fleet', accessKeyId: 'AKIAFLEET', policies: [allowAll] },
      { name: 'tokens', tokenSha256: createHash('sha256').update('t0k').digest('hex'), policies: [allowAll] },
    ],
  }),
  'creds.json',
  () => undefined,
);

const SIGNED =
  'AWS4-HMAC-SHA256 Credential=AKIAFLEET/20261204/us-west-2/appmesh/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=ab';

function creds(headers: Record<string, string>, authority = 'amime.internal:443'): Credentials {
  return {
    metadata: { get: (k: string) => (headers[k] !== undefined ? [headers[k]!] : []) },
    peer: '10.0.0.9:4000',
    authority,
    path: '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources',
  };
}
const name = (r: AuthenticationResult): string =>
  r.ok ? `${r.principal.name} (${r.principal.method})` : `error: ${r.message}`;

describe('SigV4Authenticator', () => {
  const seen: SigV4Request[] = [];
  const auth = new SigV4Authenticator({
    verify: async (r) => {
      seen.push(r);
      if (!r.headers.authorization?.endsWith('Signature=ab'))
        throw new Error('InvalidSignatureException: no match');
      return /Credential=([^/]+)/.exec(r.headers.authorization)![1]!;
    },
    principals: sigv4Principals(config),
    fallback: new FileAuthenticator(config),
  });

  it('verifies the request Envoy signed and maps the access key to its principal', async () => {
    const r = await auth.authenticate(
      creds({ authorization: SIGNED, 'x-amz-date': '20261204T101010Z', 'x-amz-content-sha256': 'e3b0' }),
    );
    expect(name(r)).toBe('fleet (sigv4)');
    expect(seen.at(-1)).toEqual({
      method: 'POST',
      url: '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources',
      headers: {
        host: 'amime.internal',
        authorization: SIGNED,
        'x-amz-date': '20261204T101010Z',
        'x-amz-content-sha256': 'e3b0',
        'x-amz-security-token': undefined,
      },
    });
  });

  it('says why a signature fails, and refuses a valid key no principal names', async () => {
    expect(name(await auth.authenticate(creds({ authorization: SIGNED.replace('=ab', '=cd') })))).toBe(
      'error: SigV4: InvalidSignatureException: no match',
    );
    expect(
      name(await auth.authenticate(creds({ authorization: SIGNED.replace('AKIAFLEET', 'AKIASTRANGER') }))),
    ).toBe(
      'error: SigV4: access key AKIASTRANGER is valid but no principal in the proxy credentials file has accessKeyId AKIASTRANGER',
    );
  });

  it('leaves bearer tokens and certificates to the fallback', async () => {
    expect(name(await auth.authenticate(creds({ authorization: 'Bearer t0k' })))).toBe('tokens (token)');
    expect(
      name(
        await new SigV4Authenticator({ verify: async () => 'x', principals: new Map() }).authenticate(
          creds({}),
        ),
      ),
    ).toMatch(/missing credentials: sign the stream with SigV4/);
  });

  it('drops a default port from the authority, as Envoy signs it', () => {
    expect(signedHost('amime.internal:443')).toBe('amime.internal');
    expect(signedHost('amime.internal:80')).toBe('amime.internal');
    expect(signedHost('amime.internal:15012')).toBe('amime.internal:15012');
    expect(signedHost('[::1]:15012')).toBe('[::1]:15012');
  });
});

describe('accessKeyId in the proxy credentials file', () => {
  const parse = (principals: unknown[]) => () =>
    parseAuthConfig(JSON.stringify({ principals }), 'c.json', () => undefined);
  it('is a principal’s credential on its own, unique, letters and digits', () => {
    expect(parse([{ name: 'a', accessKeyId: 'AKIA1', policies: [] }])().principals[0]?.accessKeyId).toBe(
      'AKIA1',
    );
    expect(parse([{ name: 'a', accessKeyId: 'AKIA/1', policies: [] }])).toThrow(
      /accessKeyId must be an AWS access key id/,
    );
    expect(
      parse([
        { name: 'a', accessKeyId: 'AKIA1', policies: [] },
        { name: 'b', accessKeyId: 'AKIA1', policies: [] },
      ]),
    ).toThrow(/access key AKIA1 is listed for two principals/);
    expect(parse([{ name: 'a', policies: [] }])).toThrow(
      /a principal needs tokenSha256, certificate or accessKeyId/,
    );
  });
});
