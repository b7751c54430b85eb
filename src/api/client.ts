/**
 * A small App Mesh REST client for Amime's own CLI (`amime apply`, `amime get`):
 * JSON over fetch, SigV4-signed (service `appmesh`) when credentials are given, errors
 * surfaced with their App Mesh exception name.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { API_PREFIX } from './operations.js';

export interface ClientCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AppMeshClientOptions {
  /** `http://127.0.0.1:9080` */
  server: string;
  region?: string;
  credentials?: ClientCredentials;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
}

/** An error answer from the server: `type` is the `x-amzn-errortype` (e.g. NotFoundException). */
export class AppMeshClientError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

class Sha256 {
  private readonly h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
  reset(): void {
    throw new Error('not supported');
  }
}

function bytes(d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof d === 'string') return d;
  return ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d);
}

/** Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), if both are set. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): ClientCredentials | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return {
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  };
}

export class AppMeshHttpClient {
  private readonly base: URL;
  private readonly signer: SignatureV4 | undefined;

  constructor(private readonly options: AppMeshClientOptions) {
    this.base = new URL(options.server);
    this.signer = options.credentials
      ? new SignatureV4({
          service: 'appmesh',
          region: options.region ?? 'us-west-2',
          credentials: options.credentials,
          sha256: Sha256,
          applyChecksum: false,
        })
      : undefined;
  }

  /** `path` is relative to `/v20190125` and already encoded; `query` values are encoded here. */
  call<T = Record<string, unknown>>(
    method: 'GET' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    query: Record<string, string | undefined> = {},
  ): Promise<T> {
    return this.request(method, `${API_PREFIX}${path}`, body, query);
  }

  /** The same for Amime's own endpoints beside the API (`/ca`), signed the same way. */
  async request<T = Record<string, unknown>>(
    method: 'GET' | 'PUT' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
    query: Record<string, string | undefined> = {},
  ): Promise<T> {
    const q = Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined);
    const fullPath = `${this.base.pathname.replace(/\/$/, '')}${path}`;
    const text = body === undefined ? undefined : JSON.stringify(body);
    let headers: Record<string, string> = {
      host: this.base.host,
      ...(text !== undefined ? { 'content-type': 'application/json' } : {}),
    };
    if (this.signer) {
      const signed = await this.signer.sign({
        method,
        protocol: this.base.protocol,
        hostname: this.base.hostname,
        ...(this.base.port ? { port: Number(this.base.port) } : {}),
        path: fullPath,
        query: Object.fromEntries(q),
        headers,
        ...(text !== undefined ? { body: text } : {}),
      });
      headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k, String(v)]));
    }
    const qs = q.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const url = `${this.base.protocol}//${this.base.host}${fullPath}${qs ? `?${qs}` : ''}`;
    const { host: _host, ...sendHeaders } = headers;
    const res = await fetch(url, {
      method,
      headers: sendHeaders,
      ...(text !== undefined ? { body: text } : {}),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
    });
    const raw = await res.text();
    let parsed: unknown;
    try {
      parsed = raw === '' ? {} : JSON.parse(raw);
    } catch {
      parsed = { message: raw };
    }
    if (!res.ok) {
      const type = (res.headers.get('x-amzn-errortype') ?? `HTTP${res.status}`).split(':')[0] as string;
      const message =
        (parsed as { message?: unknown; Message?: unknown }).message ??
        (parsed as { Message?: unknown }).Message;
      throw new AppMeshClientError(type, res.status, typeof message === 'string' ? message : raw);
    }
    return parsed as T;
  }
}

/** Path segment encoding for names (a VirtualService name may hold anything but `/`). */
export const seg = (name: string): string => encodeURIComponent(name);
