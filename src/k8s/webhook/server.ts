/**
 * The admission webhook HTTPS server: App Mesh's paths
 * (`/mutate-appmesh-k8s-aws-v1beta2-<kind>`, `/validate-appmesh-k8s-aws-v1beta2-<kind>`,
 * `/mutate-v1-pod`), admission.k8s.io/v1 AdmissionReview in and out, TLS 1.2+, and a
 * serving certificate that is re-read when its files change (cert-manager rotation) or
 * replaced by `setCertificate` (the self-signed bootstrap, self-signed.ts).
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { SecureVersion } from 'node:tls';
import {
  toReview,
  type AdmissionRequest,
  type AdmissionReview,
  type AdmissionVerdict,
} from './admission-review.js';

export type AdmissionHandler = (request: AdmissionRequest) => Promise<AdmissionVerdict> | AdmissionVerdict;

export type WebhookTls = { cert: string; key: string } | { certDir: string };

export interface WebhookServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** PEM strings, or a directory holding tls.crt and tls.key (re-read every `reloadMs`). */
  tls: WebhookTls;
  reloadMs?: number;
  minVersion?: SecureVersion;
  handlers: Readonly<Record<string, AdmissionHandler>>;
  onError?: (error: unknown) => void;
}

async function loadPair(tls: WebhookTls): Promise<{ cert: string; key: string; mtime: number }> {
  if ('cert' in tls) return { cert: tls.cert, key: tls.key, mtime: 0 };
  const [cert, key, s] = await Promise.all([
    readFile(join(tls.certDir, 'tls.crt'), 'utf8'),
    readFile(join(tls.certDir, 'tls.key'), 'utf8'),
    stat(join(tls.certDir, 'tls.crt')),
  ]);
  return { cert, key, mtime: s.mtimeMs };
}

export class AdmissionWebhookServer {
  private server?: Server;
  private timer?: NodeJS.Timeout;
  private mtime = 0;

  constructor(private readonly options: WebhookServerOptions) {}

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(): Promise<number> {
    const pair = await loadPair(this.options.tls);
    this.mtime = pair.mtime;
    const server = createServer(
      { cert: pair.cert, key: pair.key, minVersion: this.options.minVersion ?? 'TLSv1.2' },
      (req, res) => {
        const path = (req.url ?? '/').split('?')[0]!;
        if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) {
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
          return;
        }
        const handler = this.options.handlers[path];
        if (req.method !== 'POST' || !handler) {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
          return;
        }
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          void this.serve(handler, Buffer.concat(chunks).toString('utf8')).then(([status, body]) => {
            res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
          });
        });
      },
    );
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    if ('certDir' in this.options.tls) {
      this.timer = setInterval(() => void this.reloadIfChanged(), this.options.reloadMs ?? 30_000);
      this.timer.unref();
    }
    return this.port;
  }

  /**
   * Serves `cert`/`key` from now on (new connections), e.g. a certificate read from a
   * Secret through the API. With a `certDir`, a later change of its files wins again.
   */
  setCertificate(cert: string, key: string): void {
    if (!this.server) throw new Error('the webhook server is not running');
    this.server.setSecureContext({ cert, key, minVersion: this.options.minVersion ?? 'TLSv1.2' });
  }

  /** Re-reads the certificate directory and swaps the serving certificate if it changed. */
  async reloadIfChanged(): Promise<boolean> {
    try {
      const pair = await loadPair(this.options.tls);
      if (pair.mtime === this.mtime) return false;
      this.server?.setSecureContext({
        cert: pair.cert,
        key: pair.key,
        minVersion: this.options.minVersion ?? 'TLSv1.2',
      });
      this.mtime = pair.mtime;
      return true;
    } catch (e) {
      this.options.onError?.(e);
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    await new Promise<void>((r) => {
      s.close(() => r());
      s.closeAllConnections();
    });
  }

  private async serve(handler: AdmissionHandler, text: string): Promise<[number, unknown]> {
    let review: AdmissionReview;
    try {
      review = JSON.parse(text) as AdmissionReview;
    } catch {
      return [400, { message: 'the request body is not an AdmissionReview' }];
    }
    const request = review.request;
    if (!request || typeof request.uid !== 'string')
      return [400, { message: 'AdmissionReview.request with a uid is required' }];
    try {
      return [200, toReview(request, await handler(request))];
    } catch (e) {
      this.options.onError?.(e);
      return [
        200,
        toReview(request, { allowed: false, code: 500, message: `internal error: ${(e as Error).message}` }),
      ];
    }
  }
}
