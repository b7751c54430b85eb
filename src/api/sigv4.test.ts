import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SignatureV4 } from '@smithy/signature-v4';
import { ApiError } from './errors.js';
import { createSigV4Verifier, type SignedRequest } from './sigv4.js';

const NOW = Date.UTC(2026, 10, 25, 17, 13, 56);
const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummysecret' };
const verifier = createSigV4Verifier({ credentials: [creds], now: () => NOW });

class Sha256 {
  private readonly h;
  constructor(secret?: unknown) {
    this.h =
      secret === undefined ? createHash('sha256') : createHmac('sha256', secret as string | Uint8Array);
  }
  update(d: string | Uint8Array) {
    this.h.update(d);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
  reset() {}
}

/** Signs like an AWS client would and returns what the server receives. */
async function sign(opts: {
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: string;
  headers?: Record<string, string>;
  secret?: string;
  date?: number;
  service?: string;
  applyChecksum?: boolean;
}): Promise<SignedRequest> {
  const signer = new SignatureV4({
    service: opts.service ?? 'appmesh',
    region: 'us-west-2',
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: opts.secret ?? creds.secretAccessKey },
    sha256: Sha256,
    applyChecksum: opts.applyChecksum ?? false,
  });
  const signed = await signer.sign(
    {
      method: opts.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 9080,
      path: opts.path,
      query: opts.query ?? {},
      headers: { host: '127.0.0.1:9080', ...(opts.headers ?? {}) },
      ...(opts.body ? { body: opts.body } : {}),
    },
    { signingDate: new Date(opts.date ?? NOW) },
  );
  const qs = Object.entries(opts.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = String(v);
  return {
    method: opts.method,
    url: `${opts.path}${qs ? `?${qs}` : ''}`,
    headers,
    ...(opts.body ? { body: Buffer.from(opts.body) } : {}),
  };
}

async function rejection(req: SignedRequest): Promise<ApiError> {
  try {
    await verifier.verify(req);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('SigV4 verification', () => {
  it('accepts the awscli header set (host;x-amz-date) and the SDK set (with x-amz-content-sha256)', async () => {
    const cli = await sign({ method: 'GET', path: '/v20190125/meshes', query: { limit: '10' } });
    expect(cli.headers.authorization).toContain('SignedHeaders=host;x-amz-date,');
    expect(await verifier.verify(cli)).toBe('AKIDEXAMPLE');
    const body = JSON.stringify({ meshName: 'mesh-1', clientToken: 'x' });
    const sdk = await sign({
      method: 'PUT',
      path: '/v20190125/meshes',
      body,
      applyChecksum: true,
      headers: {
        'content-type': 'application/json',
        'content-length': String(body.length),
        'amz-sdk-invocation-id': 'abc',
        'amz-sdk-request': 'attempt=1; max=3',
        'x-amz-user-agent': 'aws-sdk-js/3',
      },
    });
    expect(sdk.headers.authorization).toContain('x-amz-content-sha256');
    expect(await verifier.verify(sdk)).toBe('AKIDEXAMPLE');
    // An unsigned header added on the way (user-agent, a proxy's x-forwarded-for) does not matter.
    expect(
      await verifier.verify({
        ...sdk,
        headers: { ...sdk.headers, 'user-agent': 'x', 'x-forwarded-for': '1.2.3.4' },
      }),
    ).toBe('AKIDEXAMPLE');
  });

  it('accepts names that need escaping in the path and query', async () => {
    const req = await sign({
      method: 'GET',
      path: '/v20190125/tags',
      query: { resourceArn: 'arn:aws:appmesh:us-west-2:000000000000:mesh/m 1/virtualNode/a@b' },
    });
    expect(await verifier.verify(req)).toBe('AKIDEXAMPLE');
    const path = await sign({ method: 'GET', path: `/v20190125/meshes/${encodeURIComponent('svc@x')}` });
    expect(await verifier.verify(path)).toBe('AKIDEXAMPLE');
  });

  it('rejects with the AWS errors', async () => {
    const ok = await sign({ method: 'PUT', path: '/v20190125/meshes', body: '{"meshName":"a"}' });
    const { authorization: _a, ...unsigned } = ok.headers;
    expect((await rejection({ ...ok, headers: unsigned })).errorType).toBe(
      'MissingAuthenticationTokenException',
    );
    expect(
      (await rejection({ ...ok, headers: { ...ok.headers, authorization: 'AWS4-HMAC-SHA256 Credential=x' } }))
        .errorType,
    ).toBe('IncompleteSignatureException');
    const wrong = await rejection(await sign({ method: 'GET', path: '/v20190125/meshes', secret: 'other' }));
    expect(wrong.errorType).toBe('InvalidSignatureException');
    expect(wrong.message).toMatch(/^The request signature we calculated does not match/);
    expect((await rejection({ ...ok, body: Buffer.from('{"meshName":"b"}') })).errorType).toBe(
      'InvalidSignatureException',
    );
    expect((await rejection({ ...ok, url: '/v20190125/meshes?x=1' })).errorType).toBe(
      'InvalidSignatureException',
    );
    const unknown = await rejection({
      ...ok,
      headers: {
        ...ok.headers,
        authorization: String(ok.headers.authorization).replace('AKIDEXAMPLE', 'AKIDOTHER'),
      },
    });
    expect(unknown).toMatchObject({
      errorType: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
      statusCode: 403,
    });
    expect(
      (await rejection(await sign({ method: 'GET', path: '/v20190125/meshes', service: 'ec2' }))).message,
    ).toContain("'appmesh'");
  });

  it('allows 15 minutes of clock skew, not more', async () => {
    expect(
      await verifier.verify(
        await sign({ method: 'GET', path: '/v20190125/meshes', date: NOW - 14 * 60_000 }),
      ),
    ).toBe('AKIDEXAMPLE');
    expect(
      await verifier.verify(
        await sign({ method: 'GET', path: '/v20190125/meshes', date: NOW + 14 * 60_000 }),
      ),
    ).toBe('AKIDEXAMPLE');
    const old = await rejection(
      await sign({ method: 'GET', path: '/v20190125/meshes', date: NOW - 16 * 60_000 }),
    );
    expect(old.errorType).toBe('InvalidSignatureException');
    expect(old.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    expect(
      (await rejection(await sign({ method: 'GET', path: '/v20190125/meshes', date: NOW + 16 * 60_000 })))
        .message,
    ).toMatch(/^Signature not yet current/);
  });
});
