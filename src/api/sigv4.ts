/**
 * SigV4 verification of incoming requests (service `appmesh`), with the signer from
 * `@smithy/signature-v4`: the canonical request is rebuilt from exactly the headers the
 * client listed in SignedHeaders (awscli signs `host;x-amz-date`, the SDK eight headers:
 * platform.md §6), the wire path (clients double-encode it, as the signer does), the
 * query and the body hash, then signed with the client's secret and compared.
 *
 * Errors are AWS's front-door errors, which both AWS clients print by name:
 * MissingAuthenticationTokenException, IncompleteSignatureException,
 * UnrecognizedClientException, InvalidSignatureException (all HTTP 403).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignatureV4 } from '@smithy/signature-v4';
import { parse as parseYaml } from 'yaml';
import { ApiError } from './errors.js';

export interface SigV4Credential {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignedRequest {
  method: string;
  /** Path and query exactly as received (`/v20190125/meshes?limit=1`). */
  url: string;
  /** Lower-case header names (Node's `IncomingMessage.headers`). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body?: Uint8Array;
}

export interface SigV4VerifierOptions {
  credentials: readonly SigV4Credential[];
  service?: string;
  /** The region requests must be signed for (this endpoint's); absent: any. */
  region?: string;
  /** Allowed clock difference; AWS allows 15 minutes. */
  maxSkewMs?: number;
  now?: () => number;
}

export interface SigV4Verifier {
  /**
   * Everything but the signature itself, from the headers alone (no body needed): a
   * request without a known key, for another region or out of date is refused before
   * its body is read. Returns the access key id.
   */
  checkHeaders(request: Omit<SignedRequest, 'body'>): string;
  /** Returns the verified access key id, or throws the AWS error. */
  verify(request: SignedRequest): Promise<string>;
}

/** A YAML or JSON file: a list of `{accessKeyId, secretAccessKey}`, or `{credentials: [...]}`. */
export function loadCredentialsFile(file: string): SigV4Credential[] {
  const parsed: unknown = parseYaml(readFileSync(file, 'utf8'));
  const list = Array.isArray(parsed) ? parsed : (parsed as { credentials?: unknown } | null)?.credentials;
  if (!Array.isArray(list)) throw new Error(`${file}: expected a list of {accessKeyId, secretAccessKey}`);
  return list.map((c: unknown, i) => {
    const { accessKeyId, secretAccessKey } = (c ?? {}) as Record<string, unknown>;
    if (
      typeof accessKeyId !== 'string' ||
      accessKeyId === '' ||
      typeof secretAccessKey !== 'string' ||
      secretAccessKey === ''
    ) {
      throw new Error(`${file}: entry ${i} needs accessKeyId and secretAccessKey strings`);
    }
    return { accessKeyId, secretAccessKey };
  });
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const AUTH = /^AWS4-HMAC-SHA256 (.+)$/;

/** The hash constructor shape the smithy signer expects (HMAC when given a secret). */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    throw new Error('not supported');
  }
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

const fail = (
  type:
    | 'MissingAuthenticationTokenException'
    | 'IncompleteSignatureException'
    | 'UnrecognizedClientException'
    | 'InvalidSignatureException',
  message: string,
) => new ApiError(type, message);

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

export function createSigV4Verifier(options: SigV4VerifierOptions): SigV4Verifier {
  const secrets = new Map(options.credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
  const service = options.service ?? 'appmesh';
  const maxSkew = options.maxSkewMs ?? 15 * 60_000;
  const now = options.now ?? Date.now;

  const checkHeaders = (req: Omit<SignedRequest, 'body'>) => {
    const authorization = header(req.headers, 'authorization');
    if (authorization === undefined || authorization === '')
      throw fail('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const auth = parseAuthorization(authorization);
    const [accessKeyId, scopeDate, region, scopeService, terminator] = auth.credential.split('/');
    if (!accessKeyId || !scopeDate || !region || !scopeService || terminator !== 'aws4_request') {
      throw fail(
        'IncompleteSignatureException',
        `Credential should be of the form <key>/<date>/<region>/${service}/aws4_request: ${auth.credential}`,
      );
    }
    const secret = secrets.get(accessKeyId);
    if (secret === undefined)
      throw fail('UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (scopeService !== service)
      throw fail(
        'InvalidSignatureException',
        `Credential should be scoped to correct service: '${service}'.`,
      );
    if (options.region !== undefined && region !== options.region) throw wrongRegion(region);

    const amzDate = header(req.headers, 'x-amz-date');
    if (amzDate === undefined || !auth.signedHeaders.includes('x-amz-date')) {
      throw fail(
        'IncompleteSignatureException',
        "Authorization header requires existence of a signed 'X-Amz-Date' header.",
      );
    }
    const signingDate = parseAmzDate(amzDate);
    if (signingDate === undefined)
      throw fail('IncompleteSignatureException', `Invalid X-Amz-Date: ${amzDate}`);
    checkSkew(signingDate, now(), maxSkew, amzDate);
    if (!amzDate.startsWith(scopeDate)) {
      throw fail(
        'InvalidSignatureException',
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}'`,
      );
    }
    return { auth, accessKeyId, secret, region, signingDate };
  };

  return {
    checkHeaders: (req) => checkHeaders(req).accessKeyId,
    async verify(req: SignedRequest): Promise<string> {
      const { auth, accessKeyId, secret, region, signingDate } = checkHeaders(req);
      const bodyHash = createHash('sha256')
        .update(req.body ?? new Uint8Array())
        .digest('hex');
      const declared = header(req.headers, 'x-amz-content-sha256');
      if (
        declared !== undefined &&
        declared !== bodyHash &&
        !(declared === EMPTY_SHA256 && (req.body?.length ?? 0) === 0)
      ) {
        throw fail(
          'InvalidSignatureException',
          'The provided x-amz-content-sha256 header does not match what was computed.',
        );
      }

      const headers: Record<string, string> = {};
      for (const name of auth.signedHeaders) {
        const value = header(req.headers, name);
        if (value === undefined)
          throw fail('InvalidSignatureException', `Signed header ${name} is missing from the request.`);
        headers[name] = value;
      }
      const q = req.url.indexOf('?');
      const signer = new SignatureV4({
        service,
        region,
        credentials: { accessKeyId, secretAccessKey: secret },
        sha256: NodeSha256,
        applyChecksum: false,
      });
      const signed = await signer.sign(
        {
          method: req.method,
          protocol: 'http:',
          hostname: headers.host ?? '',
          path: q < 0 ? req.url : req.url.slice(0, q),
          query: parseQuery(q < 0 ? '' : req.url.slice(q + 1)),
          headers,
          body: req.body && req.body.length > 0 ? req.body : undefined,
        },
        { signingDate, signableHeaders: new Set(auth.signedHeaders) },
      );
      const expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization ?? ''))?.[1] ?? '';
      const a = Buffer.from(expected);
      const b = Buffer.from(auth.signature);
      if (a.length !== b.length || !timingSafeEqual(a, b)) throw fail('InvalidSignatureException', MISMATCH);
      return accessKeyId;
    },
  };
}

/** AWS's answer to a credential scoped to another region than the endpoint's, or to no region at all. */
function wrongRegion(region: string): ApiError {
  return fail('InvalidSignatureException', `Credential should be scoped to a valid region, not '${region}'.`);
}

/**
 * Without credentials nothing is verified, but a request signed for another region was
 * still meant for another endpoint: refused as App Mesh's endpoint there would.
 */
export function checkSignedRegion(
  headers: SignedRequest['headers'],
  expected: string,
  service = 'appmesh',
): void {
  const authorization = header(headers, 'authorization');
  if (authorization === undefined) return;
  const credential = /Credential=([^,\s]+)/.exec(authorization)?.[1];
  const [, , region, scopeService] = credential?.split('/') ?? [];
  if (region !== undefined && scopeService === service && region !== expected) throw wrongRegion(region);
}

function parseAuthorization(value: string): {
  credential: string;
  signedHeaders: string[];
  signature: string;
} {
  const m = AUTH.exec(value.trim());
  if (!m)
    throw fail(
      'IncompleteSignatureException',
      `Authorization header requires the AWS4-HMAC-SHA256 algorithm with 'Credential', 'SignedHeaders' and 'Signature' parameters.`,
    );
  const parts = new Map<string, string>();
  for (const part of (m[1] as string).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) parts.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = parts.get('Credential');
  const signed = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  const missing = [!credential && 'Credential', !signed && 'SignedHeaders', !signature && 'Signature'].filter(
    Boolean,
  );
  if (missing.length > 0)
    throw fail(
      'IncompleteSignatureException',
      missing.map((p) => `Authorization header requires '${p}' parameter.`).join(' '),
    );
  const signedHeaders = (signed as string)
    .split(';')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  if (!signedHeaders.includes('host'))
    throw fail(
      'IncompleteSignatureException',
      "Authorization header requires 'host' among the SignedHeaders.",
    );
  return { credential: credential as string, signedHeaders, signature: (signature as string).toLowerCase() };
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
}

function checkSkew(date: Date, nowMs: number, maxSkew: number, amzDate: string): void {
  const fmt = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
  const nowText = fmt(nowMs);
  if (date.getTime() < nowMs - maxSkew) {
    throw fail(
      'InvalidSignatureException',
      `Signature expired: ${amzDate} is now earlier than ${fmt(nowMs - maxSkew)} (${nowText} - 15 min.)`,
    );
  }
  if (date.getTime() > nowMs + maxSkew) {
    throw fail(
      'InvalidSignatureException',
      `Signature not yet current: ${amzDate} is still later than ${fmt(nowMs + maxSkew)} (${nowText} + 15 min.)`,
    );
  }
}

/** Decodes `a=1&b=x%20y` without turning `+` into a space: AWS clients encode spaces as %20. */
function parseQuery(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (text === '') return out;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const k = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
    const v = safeDecode(eq < 0 ? '' : pair.slice(eq + 1));
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
