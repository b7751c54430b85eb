/** A standalone fastify server with the App Mesh API mounted under `/v20190125`. */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { appMeshApi, type AppMeshApiOptions } from './plugin.js';
import { API_PREFIX } from './operations.js';
import { fastifyLimits, type HttpLimits } from './http-limits.js';

export interface ApiServerOptions extends AppMeshApiOptions {
  /** Passed to fastify (e.g. `logger`). */
  fastify?: FastifyServerOptions;
  /** Connections and timeouts; DEFAULT_HTTP_LIMITS when absent. */
  limits?: HttpLimits;
}

/** The API is registered asynchronously (it first reads the store): `await app.ready()` or `listen()`. */
export function createApiServer(options: ApiServerOptions): FastifyInstance {
  const { fastify: fastifyOptions, limits, ...api } = options;
  const app = Fastify({ logger: false, ...fastifyLimits(limits), ...fastifyOptions });
  void app.register(appMeshApi, { ...api, prefix: API_PREFIX });
  return app;
}
