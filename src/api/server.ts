/** A standalone fastify server with the App Mesh API mounted under `/v20190125`. */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { appMeshApi, type AppMeshApiOptions } from './plugin.js';
import { API_PREFIX } from './operations.js';

export interface ApiServerOptions extends AppMeshApiOptions {
  /** Passed to fastify (e.g. `logger`). */
  fastify?: FastifyServerOptions;
}

/** The API is registered asynchronously (it first reads the store): `await app.ready()` or `listen()`. */
export function createApiServer(options: ApiServerOptions): FastifyInstance {
  const { fastify: fastifyOptions, ...api } = options;
  const app = Fastify({ logger: false, ...fastifyOptions });
  void app.register(appMeshApi, { ...api, prefix: API_PREFIX });
  return app;
}
