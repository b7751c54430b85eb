/**
 * fetch, SigV4-signed the way AWS clients sign App Mesh requests (service `appmesh`),
 * for any URL of `amime serve` (the API, `/metrics`, `/debug/*`) and any region, so
 * tests can sign for the wrong one on purpose.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

export const TEST_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

class Sha256 {
  private readonly h;
  constructor(secret?: string | Uint8Array) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  update(data: string | Uint8Array): void {
    this.h.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
  reset(): void {}
}

export interface SignedInit {
  method?: 'GET' | 'PUT' | 'DELETE';
  body?: unknown;
  /** Sent as is instead of `body`'s JSON. */
  rawBody?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export async function signedFetch(url: string, init: SignedInit = {}): Promise<Response> {
  const u = new URL(url);
  const method = init.method ?? 'GET';
  const text = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  const signer = new SignatureV4({
    service: 'appmesh',
    region: init.region ?? 'us-west-2',
    credentials: init.credentials ?? TEST_CREDENTIALS,
    sha256: Sha256 as never,
    applyChecksum: false,
  });
  const query: Record<string, string> = {};
  u.searchParams.forEach((v, k) => (query[k] = v));
  const signed = await signer.sign({
    method,
    protocol: u.protocol,
    hostname: u.hostname,
    port: Number(u.port),
    path: u.pathname,
    query,
    headers: { host: u.host, ...(text !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(text !== undefined ? { body: text } : {}),
  });
  const { host: _host, ...headers } = Object.fromEntries(
    Object.entries(signed.headers).map(([k, v]) => [k, String(v)]),
  );
  return fetch(url, { method, headers, ...(text !== undefined ? { body: text } : {}) });
}
