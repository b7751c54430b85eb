/**
 * The HTTP side of `amime serve`: the App Mesh REST API under `/v20190125`, health
 * and readiness, Prometheus metrics, and JSON status views for the CLI and dashboards.
 * When the API requires SigV4, so do `/metrics` and `/debug/*` (they show node ids,
 * principals, peer addresses); `--metrics-listen` serves those two on a listener of
 * their own, without authentication, for a Prometheus that cannot sign.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import {
  ApiError,
  apiVerifier,
  appMeshApi,
  fastifyLimits,
  API_PREFIX,
  type AppMeshApiOptions,
  type HttpLimits,
  type SigV4Verifier,
} from '../api/index.js';
import type { ServeMetrics } from './metrics.js';
import type { XdsServer } from '../xds/index.js';
import type { Diagnostic } from '../model/index.js';
import type { GroupFailure } from './pipeline.js';
import type { FreshnessStatus, MirrorStatus } from '../store/index.js';

export interface ObservabilityOptions {
  metrics: ServeMetrics;
  xds: XdsServer;
  /** Current problems of the served configuration. */
  diagnostics: () => readonly Diagnostic[];
}

export interface HttpOptions extends ObservabilityOptions {
  api: AppMeshApiOptions;
  /** Connections, timeouts (DEFAULT_HTTP_LIMITS when absent). */
  limits?: HttpLimits;
  /** True once the first mesh has been translated, the xDS server listens, and the source gave something to serve. */
  ready: () => boolean;
  /** The store mirror's state: not ready while it re-lists after a failed watch. */
  store?: () => MirrorStatus;
  /** Whether the store view is known current (a shared store): not ready once it is stale. */
  freshness?: () => FreshnessStatus;
  /** Why it is not ready (shown by /readyz), when it is not for a reason other than starting up. */
  notReadyReason?: () => string | undefined;
  /** Shown by `GET /`: where the xDS server listens. */
  xdsAddress?: () => string | undefined;
  /** Proxy groups not served their current configuration (shown by /readyz). */
  failures?: () => readonly GroupFailure[];
  /** When set, writes through the REST API are refused with this message. */
  readOnlyReason?: string;
}

/** What `GET /` answers: where everything is, for a person with a browser or curl. */
function index(xds: string | undefined) {
  return {
    name: 'amime',
    description: 'App Mesh-compatible control plane',
    endpoints: {
      api: `${API_PREFIX}/meshes`,
      health: '/healthz',
      readiness: '/readyz',
      metrics: '/metrics',
      proxies: '/debug/proxies',
      diagnostics: '/debug/diagnostics',
      ...(xds ? { xds: `grpc://${xds} (envoy.service.discovery.v3.AggregatedDiscoveryService)` } : {}),
    },
    try: 'aws appmesh list-meshes --endpoint-url <this address>',
  };
}

export async function createHttpServer(options: HttpOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, ...fastifyLimits(options.limits) });
  const verifier = options.api.verifier ?? apiVerifier(options.api);
  app.get('/', async () => index(options.xdsAddress?.()));
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    if (!options.ready()) {
      const reason = options.notReadyReason?.();
      return reply.code(503).send(reason ? { status: 'not ready', reason } : { status: 'starting' });
    }
    const store = options.store?.();
    // Still serving the last configuration, but changes made meanwhile are not seen yet.
    if (store && store.state !== 'synced') return reply.code(503).send({ status: 'store-resyncing', store });
    const freshness = options.freshness?.();
    if (freshness && !freshness.fresh)
      return reply.code(503).send({ status: 'store-stale', ...(store ? { store } : {}), freshness });
    // Still ready: every other group is served, and taking this replica out would cut them all off.
    const failures = options.failures?.() ?? [];
    if (failures.length === 0) return { status: 'ready', ...(store ? { store } : {}) };
    return {
      status: 'degraded',
      ...(store ? { store } : {}),
      failedGroups: failures.map((f) => ({
        group: f.group,
        stage: f.stage,
        servedLastGood: f.servedLastGood,
        reason: f.message.split('\n', 1)[0],
      })),
    };
  });
  await app.register(observability, { ...options, ...(verifier ? { verifier } : {}) });
  if (options.readOnlyReason) {
    const reason = options.readOnlyReason;
    app.addHook('onRequest', async (req, reply) => {
      if (req.url.startsWith(API_PREFIX) && req.method !== 'GET' && req.method !== 'HEAD') {
        await reply.code(400).header('x-amzn-errortype', 'BadRequestException').send({ message: reason });
      }
    });
  }
  await app.register(appMeshApi, { ...options.api, ...(verifier ? { verifier } : {}), prefix: API_PREFIX });
  return app;
}

/** `--metrics-listen`: `/metrics` and `/debug/*` alone, unauthenticated; bind it where only Prometheus reaches. */
export async function createObservabilityServer(
  options: ObservabilityOptions & { limits?: HttpLimits },
): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, ...fastifyLimits(options.limits) });
  await app.register(observability, options);
  return app;
}

/** `/metrics`, `/debug/proxies`, `/debug/diagnostics`; behind SigV4 when given a verifier. */
async function observability(
  app: FastifyInstance,
  options: ObservabilityOptions & { verifier?: SigV4Verifier },
): Promise<void> {
  const { verifier } = options;
  if (verifier) {
    app.addHook('onRequest', async (req, reply) => {
      try {
        await verifier.verify({ method: req.method, url: req.raw.url ?? req.url, headers: req.headers });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        await reply
          .code(err.statusCode)
          .header('x-amzn-errortype', err.errorType)
          .header('connection', 'close')
          .send({ message: err.message });
      }
    });
  }
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
  app.get('/debug/proxies', async () => ({
    proxies: options.xds.clientStatus(),
    waiting: options.xds.waiting(),
    groups: options.xds.groupStatus(),
  }));
  app.get('/debug/diagnostics', async () => ({ diagnostics: options.diagnostics() }));
}
