/**
 * What one HTTP client can hold on the server: connections, time to send a request,
 * idle sockets, body sizes, path lengths. Node's defaults let a slow upload keep a
 * socket (and its buffered bytes) for five minutes; these are App Mesh-sized instead.
 * `fastifyLimits` turns them into the options of the fastify instance the API is
 * mounted on (`amime serve`'s HTTP server, or `createApiServer`).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { FastifyReply, FastifyServerOptions } from 'fastify';

export interface HttpLimits {
  /** Open connections at most; more are closed as they arrive. Default 1,024. */
  maxConnections?: number;
  /** Time to receive a whole request, headers and body. Default 30 s. */
  requestTimeoutMs?: number;
  /** Time to receive the headers. Default 10 s. */
  headersTimeoutMs?: number;
  /** A socket with no traffic (between keep-alive requests too) is closed after this. Default 60 s. */
  idleTimeoutMs?: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<Required<HttpLimits>> = {
  maxConnections: 1024,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
};

/** Request bodies per operation kind: a spec, a tag list, nothing. */
export const DEFAULT_BODY_LIMITS = {
  /** Create*, Update*: one spec (App Mesh's largest, a VirtualNode with 50 backends, is far below). */
  write: 512 * 1024,
  /** TagResource, UntagResource: 50 tags of at most 128 + 256 characters. */
  tags: 64 * 1024,
  /** Describe, List, Delete carry no body. */
  none: 4 * 1024,
} as const;

/**
 * App Mesh names are up to 255 characters, each up to 4 UTF-8 bytes, percent-encoded
 * in the path (3 characters per byte): a path segment of the longest name fits.
 */
export const MAX_PATH_PARAM = 255 * 4 * 3;

export function fastifyLimits(limits: HttpLimits = {}): FastifyServerOptions {
  const l = { ...DEFAULT_HTTP_LIMITS, ...limits };
  if (l.headersTimeoutMs > l.requestTimeoutMs) l.headersTimeoutMs = l.requestTimeoutMs;
  return {
    routerOptions: { maxParamLength: MAX_PATH_PARAM },
    // A path fastify cannot even decode (`%ZZ`) is still answered the App Mesh way.
    frameworkErrors: (error, _req, res) => {
      const reply = res as unknown as FastifyReply;
      void reply
        .code(400)
        .header('x-amzn-requestid', randomUUID())
        .header('x-amzn-errortype', 'BadRequestException')
        .send({ message: `The request is malformed: ${error.message}` });
    },
    serverFactory: (handler) => {
      const server: Server = createServer(
        {
          requestTimeout: l.requestTimeoutMs,
          headersTimeout: l.headersTimeoutMs,
          keepAliveTimeout: Math.min(l.idleTimeoutMs, 5_000),
          // Node checks the request timeouts on this interval (default 30 s): make them bite on time.
          connectionsCheckingInterval: Math.max(100, Math.min(1_000, l.requestTimeoutMs / 4)),
        },
        handler,
      );
      server.maxConnections = l.maxConnections;
      server.setTimeout(l.idleTimeoutMs);
      return server;
    },
  };
}
