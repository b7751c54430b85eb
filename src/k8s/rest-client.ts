/**
 * A small JSON REST client for the Kubernetes API, on node:http(s). Credentials, CA
 * and token refresh (in-cluster token files) come from client-node's KubeConfig; the
 * requests themselves are ours because the controller needs exact control over
 * patch content types, resourceVersion preconditions and long-running watches.
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';

/** A Kubernetes `Status` failure (404 NotFound, 409 Conflict/AlreadyExists, 410 Expired, 422 Invalid, ...). */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export type PatchType = 'merge' | 'json';

const PATCH_CONTENT_TYPE: Readonly<Record<PatchType, string>> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
};

export interface WatchEvent<T = unknown> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface KubeClient {
  get<T>(path: string, query?: Query): Promise<T>;
  create<T>(path: string, body: unknown): Promise<T>;
  replace<T>(path: string, body: unknown): Promise<T>;
  patch<T>(path: string, type: PatchType, patch: unknown): Promise<T>;
  delete<T>(path: string, body?: unknown): Promise<T>;
  /** Streams watch events until the server ends the stream (resolves) or it fails (rejects). */
  watch<T>(
    path: string,
    query: Query,
    onEvent: (e: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

export class RestKubeClient implements KubeClient {
  private readonly server: URL;

  constructor(private readonly config: KubeConfig) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.json<T>('GET', path, query);
  }

  create<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('POST', path, undefined, body);
  }

  replace<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('PUT', path, undefined, body);
  }

  patch<T>(path: string, type: PatchType, patch: unknown): Promise<T> {
    return this.json<T>('PATCH', path, undefined, patch, PATCH_CONTENT_TYPE[type]);
  }

  delete<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>('DELETE', path, undefined, body);
  }

  async watch<T>(
    path: string,
    query: Query,
    onEvent: (e: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const res = await this.send('GET', path, { ...query, watch: true }, undefined, undefined, signal);
    if ((res.statusCode ?? 0) !== 200) throw await errorOf(res);
    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: res, crlfDelay: Infinity });
      const onAbort = () => res.destroy();
      signal.addEventListener('abort', onAbort, { once: true });
      lines.on('line', (line) => {
        if (line.trim() === '') return;
        let event: WatchEvent<T>;
        try {
          event = JSON.parse(line) as WatchEvent<T>;
        } catch {
          res.destroy(new Error('malformed watch event'));
          return;
        }
        onEvent(event);
      });
      const finish = (err?: Error) => {
        signal.removeEventListener('abort', onAbort);
        if (err && !signal.aborted) reject(err);
        else resolve();
      };
      res.on('error', finish);
      res.on('aborted', () => finish(new Error('watch stream aborted')));
      lines.on('close', () => finish());
    });
  }

  private async json<T>(
    method: string,
    path: string,
    query?: Query,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    const res = await this.send(method, path, query, body, contentType);
    const text = await readAll(res);
    if ((res.statusCode ?? 0) >= 300) throw errorFromText(res.statusCode ?? 0, text);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  private async send(
    method: string,
    path: string,
    query: Query | undefined,
    body: unknown,
    contentType?: string,
    signal?: AbortSignal,
  ): Promise<IncomingMessage> {
    const url = new URL(this.server.href.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const opts: RequestOptions & { headers: Record<string, string | number> } = {
      method,
      headers: { accept: 'application/json' },
    };
    await this.config.applyToHTTPSOptions(opts);
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (data) {
      opts.headers['content-type'] = contentType ?? 'application/json';
      opts.headers['content-length'] = data.length;
    }
    const requester = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = requester(url, { ...opts, ...(signal ? { signal } : {}) }, resolve);
      req.on('error', reject);
      req.end(data);
    });
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

async function errorOf(res: IncomingMessage): Promise<KubeApiError> {
  return errorFromText(res.statusCode ?? 0, await readAll(res));
}

function errorFromText(code: number, text: string): KubeApiError {
  try {
    const s = JSON.parse(text) as { reason?: string; message?: string };
    return new KubeApiError(code, s.reason ?? 'Unknown', s.message ?? text);
  } catch {
    return new KubeApiError(code, 'Unknown', text.slice(0, 500) || `HTTP ${code}`);
  }
}

export function isKubeError(e: unknown, code: number): e is KubeApiError {
  return e instanceof KubeApiError && e.code === code;
}
