/**
 * The App Mesh REST API as a fastify plugin. Register it with `prefix: API_PREFIX`
 * (`createApiServer` does), so the composition root can mount it beside `/healthz`,
 * `/readyz` and `/metrics`. Everything here is encapsulated in the plugin's context:
 * its body parser (raw bytes, for SigV4), hooks, error and not-found handlers.
 *
 * Per request, before its body is read: the SigV4 headers (a known key, this region,
 * the time) or, without credentials, the region it was signed for → rate limit. Then,
 * with the body (capped per operation): the signature → JSON → operation. Every
 * response carries `x-amzn-requestid`; errors carry `x-amzn-errortype` and
 * `{"message"}`; every 5xx is logged with its request id; `onMetric` sees each
 * operation's outcome. Mount it on a fastify built with `fastifyLimits`.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Quotas } from '../mesh/index.js';
import type { ArnContext } from '../model/index.js';
import { StoreMirror, type ResourceStore } from '../store/index.js';
import { Catalog } from './catalog.js';
import { ApiError, badRequest, toWireError } from './errors.js';
import { DEFAULT_BODY_LIMITS } from './http-limits.js';
import { handleOperation } from './handlers.js';
import type { IdempotencyOptions } from './idempotency.js';
import { OPERATIONS, type OperationSpec } from './operations.js';
import { RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { AppMeshService } from './service.js';
import {
  checkSignedRegion,
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
  /** Mesh validation; default: the mesh graph's diagnostics, updated incrementally (`MeshDiagnostics`). */
  validate?: MeshValidator;
  quotas?: Partial<Quotas>;
  /** Credentials that may sign requests (or a YAML/JSON file of them); absent = no authentication. */
  credentials?: readonly SigV4Credential[] | string;
  /** Instead of `credentials`: a verifier shared with other routes (`apiVerifier`). */
  verifier?: SigV4Verifier;
  /** Per-client token bucket; `false` disables it. */
  rateLimit?: RateLimitOptions | false;
  idempotency?: IdempotencyOptions;
  /** Other processes (replicas) write this store too. Default: when it is etcd. */
  sharedStore?: boolean;
  /** Largest Create/Update body accepted, bytes. Default 512 KiB (other operations: DEFAULT_BODY_LIMITS). */
  bodyLimit?: number;
  /** Where 5xx answers are logged (with their request id). Default: fastify's logger. */
  logger?: { error(obj: object, msg?: string): void };
  /** Called once per request, after the response is sent. */
  onMetric?: (metric: ApiRequestMetric) => void;
  /** Clock in ms (tests). */
  now?: () => number;
}

interface RequestState {
  operation: string;
  start: number;
  requestId: string;
  errorType?: string;
}

const state = new WeakMap<FastifyRequest, RequestState>();

export async function appMeshApi(app: FastifyInstance, options: AppMeshApiOptions): Promise<void> {
  const accountId = options.accountId ?? '000000000000';
  if (!/^\d{12}$/.test(accountId))
    throw new Error(`accountId must be 12 digits, got ${JSON.stringify(accountId)}`);
  const region = options.region ?? 'us-west-2';
  const mirror = options.mirror ?? (await StoreMirror.open(options.store));
  const catalog = new Catalog(mirror);
  const service = new AppMeshService({
    store: options.store,
    catalog,
    accountId,
    region,
    ...(options.validate ? { validate: options.validate } : {}),
    ...(options.quotas ? { quotas: options.quotas } : {}),
    ...(options.idempotency ? { idempotency: options.idempotency } : {}),
    ...(options.sharedStore !== undefined ? { sharedStore: options.sharedStore } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const verifier = options.verifier ?? apiVerifier(options);
  const limiter =
    options.rateLimit === false
      ? undefined
      : new RateLimiter({ ...(options.rateLimit ?? {}), ...(options.now ? { now: options.now } : {}) });
  const bodyLimits = { ...DEFAULT_BODY_LIMITS, write: options.bodyLimit ?? DEFAULT_BODY_LIMITS.write };

  // Not awaited: the API serves while the meshes' states are being prepared.
  app.addHook('onReady', async () => {
    service
      .prepareValidation()
      .catch((err: unknown) => app.log.warn({ err }, "preparing the meshes' validation failed"));
  });
  app.addHook('onClose', async () => {
    service.close();
    catalog.close();
    if (!options.mirror) mirror.close();
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: bodyLimits.write }, (_req, body, done) =>
    done(null, body),
  );

  app.addHook('onRequest', async (req, reply) => {
    const config = req.routeOptions.config as { operation?: string } | undefined;
    const requestId = randomUUID();
    state.set(req, { operation: config?.operation ?? 'Unknown', start: performance.now(), requestId });
    void reply.header('x-amzn-requestid', requestId);
    const signed = { method: req.method, url: req.raw.url ?? req.url, headers: req.headers };
    // Refused here, the body is never read: no login, no memory held.
    if (verifier) limiter?.take(verifier.checkHeaders(signed));
    else {
      checkSignedRegion(req.headers, region);
      limiter?.take(req.ip);
    }
  });

  app.addHook('preHandler', async (req) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : undefined;
    if (verifier)
      await verifier.verify({
        method: req.method,
        url: req.raw.url ?? req.url,
        headers: req.headers,
        ...(raw ? { body: raw } : {}),
      });
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

  const logger = options.logger;
  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    const wire = toWireError(err, req.routeOptions.bodyLimit ?? bodyLimits.write);
    if (wire.statusCode >= 500) {
      const s = state.get(req);
      const fields = {
        requestId: s?.requestId,
        operation: s?.operation,
        errorType: wire.errorType,
        err,
      };
      (logger ?? req.log).error(fields, `App Mesh API request failed: ${wire.errorType}`);
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

  for (const op of OPERATIONS)
    registerOperation(app, op, service, { region, account: accountId }, bodyLimitOf(op, bodyLimits));
}

/** The SigV4 verifier for these options (this region's), or undefined without credentials. */
export function apiVerifier(
  options: Pick<AppMeshApiOptions, 'credentials' | 'region' | 'now'>,
): SigV4Verifier | undefined {
  const credentials =
    typeof options.credentials === 'string' ? loadCredentialsFile(options.credentials) : options.credentials;
  if (!credentials) return undefined;
  return createSigV4Verifier({
    credentials,
    region: options.region ?? 'us-west-2',
    ...(options.now ? { now: options.now } : {}),
  });
}

function bodyLimitOf(op: OperationSpec, limits: { write: number; tags: number; none: number }): number {
  if (op.action === 'create' || op.action === 'update') return limits.write;
  if (op.action === 'tag' || op.action === 'untag') return limits.tags;
  return limits.none;
}

function registerOperation(
  app: FastifyInstance,
  op: OperationSpec,
  service: AppMeshService,
  here: ArnContext,
  bodyLimit: number,
): void {
  app.route({
    method: op.method,
    url: op.path,
    bodyLimit,
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
        here,
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

/** App Mesh's deepest spec is a dozen levels; far deeper input is refused before anything walks it. */
export const MAX_JSON_DEPTH = 64;

function parseJson(raw: Buffer | undefined): unknown {
  if (!raw || raw.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('The request body is not valid JSON.');
  }
  if (depthOver(value, MAX_JSON_DEPTH))
    throw badRequest(`The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`);
  return value;
}

/** Iterative, so the check itself cannot overflow the stack. */
function depthOver(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
