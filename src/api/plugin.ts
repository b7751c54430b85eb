/**
 * The App Mesh REST API as a fastify plugin. Register it with `prefix: API_PREFIX`
 * (`createApiServer` does), so the composition root can mount it beside `/healthz`,
 * `/readyz` and `/metrics`. Everything here is encapsulated in the plugin's context:
 * its body parser (raw bytes, for SigV4), hooks, error and not-found handlers.
 *
 * Per request: SigV4 (when credentials are configured) → rate limit → JSON body →
 * operation. Every response carries `x-amzn-requestid`; errors carry
 * `x-amzn-errortype` and `{"message"}`; `onMetric` sees each operation's outcome.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Quotas } from '../mesh/index.js';
import { StoreMirror, type ResourceStore } from '../store/index.js';
import { Catalog } from './catalog.js';
import { ApiError, badRequest, toWireError } from './errors.js';
import { handleOperation } from './handlers.js';
import type { IdempotencyOptions } from './idempotency.js';
import { OPERATIONS, type OperationSpec } from './operations.js';
import { RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { AppMeshService } from './service.js';
import {
  createSigV4Verifier,
  loadCredentialsFile,
  type SigV4Credential,
  type SigV4Verifier,
} from './sigv4.js';
import type { MeshValidator } from './validate.js';

export interface ApiRequestMetric {
  /** App Mesh operation name (`CreateVirtualNode`), or `Unknown` for paths that match none. */
  operation: string;
  statusCode: number;
  /** The `x-amzn-errortype` sent, for failed requests. */
  errorType?: string;
  durationMs: number;
}

export interface AppMeshApiOptions {
  /** Where writes go. */
  store: ResourceStore;
  /**
   * The process's one mirror of `store`, shared with translation; reads come from it.
   * Absent: the API opens (and closes) its own.
   */
  mirror?: StoreMirror;
  /** 12-digit account in ARNs, meshOwner and resourceOwner. Default 000000000000. */
  accountId?: string;
  /** Region in ARNs. Default us-west-2. */
  region?: string;
  /** Mesh validation; default `graphValidator(buildMeshGraph, { quotas })`. */
  validate?: MeshValidator;
  quotas?: Partial<Quotas>;
  /** Credentials that may sign requests (or a YAML/JSON file of them); absent = no authentication. */
  credentials?: readonly SigV4Credential[] | string;
  /** Per-client token bucket; `false` disables it. */
  rateLimit?: RateLimitOptions | false;
  idempotency?: IdempotencyOptions;
  /** Largest request body accepted, bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** Called once per request, after the response is sent. */
  onMetric?: (metric: ApiRequestMetric) => void;
  /** Clock in ms (tests). */
  now?: () => number;
}

interface RequestState {
  operation: string;
  start: number;
  errorType?: string;
}

const state = new WeakMap<FastifyRequest, RequestState>();

export async function appMeshApi(app: FastifyInstance, options: AppMeshApiOptions): Promise<void> {
  const accountId = options.accountId ?? '000000000000';
  if (!/^\d{12}$/.test(accountId))
    throw new Error(`accountId must be 12 digits, got ${JSON.stringify(accountId)}`);
  const mirror = options.mirror ?? (await StoreMirror.open(options.store));
  const catalog = new Catalog(mirror);
  const service = new AppMeshService({
    store: options.store,
    catalog,
    accountId,
    region: options.region ?? 'us-west-2',
    ...(options.validate ? { validate: options.validate } : {}),
    ...(options.quotas ? { quotas: options.quotas } : {}),
    ...(options.idempotency ? { idempotency: options.idempotency } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const credentials =
    typeof options.credentials === 'string' ? loadCredentialsFile(options.credentials) : options.credentials;
  const verifier: SigV4Verifier | undefined = credentials
    ? createSigV4Verifier({ credentials, ...(options.now ? { now: options.now } : {}) })
    : undefined;
  const limiter =
    options.rateLimit === false
      ? undefined
      : new RateLimiter({ ...(options.rateLimit ?? {}), ...(options.now ? { now: options.now } : {}) });
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;

  app.addHook('onClose', async () => {
    catalog.close();
    if (!options.mirror) mirror.close();
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req, reply) => {
    const config = req.routeOptions.config as { operation?: string } | undefined;
    state.set(req, { operation: config?.operation ?? 'Unknown', start: performance.now() });
    void reply.header('x-amzn-requestid', randomUUID());
  });

  app.addHook('preHandler', async (req) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : undefined;
    let client = req.ip;
    if (verifier)
      client = await verifier.verify({
        method: req.method,
        url: req.raw.url ?? req.url,
        headers: req.headers,
        ...(raw ? { body: raw } : {}),
      });
    limiter?.take(client);
    req.body = parseJson(raw);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const s = state.get(req);
    const type = reply.getHeader('x-amzn-errortype');
    if (s && typeof type === 'string') s.errorType = type;
    return payload;
  });

  app.addHook('onResponse', async (req, reply) => {
    const s = state.get(req);
    if (!s || !options.onMetric) return;
    options.onMetric({
      operation: s.operation,
      statusCode: reply.statusCode,
      ...(s.errorType !== undefined ? { errorType: s.errorType } : {}),
      durationMs: performance.now() - s.start,
    });
  });

  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    let wire: ApiError;
    if (err instanceof ApiError) wire = err;
    else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      wire = badRequest(
        err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? `The request body is larger than ${bodyLimit} bytes.`
          : err.message,
      );
    } else {
      req.log.error({ err }, 'App Mesh API request failed');
      wire = toWireError(err);
    }
    return sendError(reply, wire);
  });

  app.setNotFoundHandler((req, reply) => {
    const s = state.get(req);
    if (s) s.operation = 'Unknown';
    return sendError(
      reply,
      new ApiError(
        'UnknownOperationException',
        `No App Mesh operation matches ${req.method} ${req.url.split('?')[0]}.`,
      ),
    );
  });

  for (const op of OPERATIONS) registerOperation(app, op, service, accountId);
}

function registerOperation(
  app: FastifyInstance,
  op: OperationSpec,
  service: AppMeshService,
  accountId: string,
): void {
  app.route({
    method: op.method,
    url: op.path,
    config: { operation: op.name },
    handler: async (req, reply) => {
      const result = await handleOperation(
        op,
        {
          params: req.params as Record<string, string>,
          query: req.query as Record<string, unknown>,
          body: req.body,
        },
        service,
        accountId,
      );
      return reply.header('content-type', 'application/json').send(JSON.stringify(result));
    },
  });
}

function sendError(reply: FastifyReply, err: ApiError): FastifyReply {
  void reply
    .code(err.statusCode)
    .header('x-amzn-errortype', err.errorType)
    .header('content-type', 'application/json');
  if (err.retryAfterSeconds !== undefined) void reply.header('retry-after', String(err.retryAfterSeconds));
  return reply.send(JSON.stringify({ message: err.message }));
}

function parseJson(raw: Buffer | undefined): unknown {
  if (!raw || raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('The request body is not valid JSON.');
  }
}
