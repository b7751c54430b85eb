/**
 * The application of one workload in the data-path tests, run inside the workload's
 * network namespace (`node --import tsx workload.ts …`). The test drives it through a
 * control server on a Unix socket, which works across namespaces.
 *
 *   --role backend --node vnode-1 --instance a --http 80 --grpc 50051 --control SOCK
 *     answers HTTP (any path: who it is; `/ping`: its health) and gRPC
 *     (`/amime.test.WhoAmI/Who`), and misbehaves on request (POST /behave):
 *     `failNext: {"/path": n}` fails the next n requests to a path, `failAll: code`
 *     fails every request but health checks, `health: "fail"` fails `/ping`;
 *     `?delay=ms` delays an answer. GET /seen lists what it answered.
 *   --role caller --control SOCK [--external IP:PORT,…]
 *     makes requests for the test (POST /http, POST /grpc) from inside the namespace,
 *     so App Mesh's iptables rules send them through the local Envoy; optionally also
 *     serves plain HTTP servers outside the mesh (the egress-filter targets).
 *   --bind IP  where the backend listens (default 0.0.0.0).
 */
import * as grpc from '@grpc/grpc-js';
import { rmSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { WHO_PATH, WHO_SERVICE } from '../../e2e/support/backends.js';
import { grpcCalls, httpCalls, type GrpcCall, type HttpCall } from './calls.js';

const { values: args } = parseArgs({
  options: {
    role: { type: 'string' },
    node: { type: 'string', default: '' },
    instance: { type: 'string', default: '' },
    http: { type: 'string' },
    grpc: { type: 'string' },
    control: { type: 'string' },
    external: { type: 'string' },
    bind: { type: 'string', default: '0.0.0.0' },
  },
});

interface Behaviour {
  failNext: Record<string, number>;
  failAll: number;
  failStatus: number;
  health: 'ok' | 'fail';
}

const behaviour: Behaviour = {
  failNext: {},
  failAll: 0,
  failStatus: 503,
  health: 'ok',
};
const seen: Array<{ path: string; status: number; at: number }> = [];
const me = { node: args.node, instance: args.instance };

function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      try {
        resolve(body ? (JSON.parse(body) as Record<string, unknown>) : {});
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The status a request to `path` gets now (consuming a planned failure). */
function statusFor(path: string): number {
  if (path === '/ping') return behaviour.health === 'ok' ? 200 : 503;
  if (behaviour.failAll) return behaviour.failAll;
  const left = behaviour.failNext[path] ?? 0;
  if (left > 0) {
    behaviour.failNext[path] = left - 1;
    return behaviour.failStatus;
  }
  return 200;
}

function startBackend(): void {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://app');
    const delay = Number(url.searchParams.get('delay') ?? 0);
    const status = statusFor(url.pathname);
    seen.push({ path: url.pathname, status, at: Date.now() });
    setTimeout(() => reply(res, status, { ...me, path: url.pathname, host: req.headers.host }), delay);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(args.http), args.bind);
  if (args.grpc) {
    const g = new grpc.Server();
    g.addService(WHO_SERVICE, {
      Who: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const status = statusFor(WHO_PATH);
        seen.push({ path: WHO_PATH, status, at: Date.now() });
        if (status !== 200)
          cb({ code: grpc.status.UNAVAILABLE, details: `${me.node}/${me.instance} fails on purpose` });
        else cb(null, Buffer.from(JSON.stringify(me)));
      },
    });
    g.bindAsync(`${args.bind}:${args.grpc}`, grpc.ServerCredentials.createInsecure(), (e) => {
      if (e) throw e;
    });
  }
}

/** Plain HTTP servers outside the mesh, one per `ip:port` of a comma-separated list. */
function startExternal(list: string): void {
  for (const at of list.split(',')) {
    const [host, port] = at.split(':');
    http
      .createServer((_req, res) => reply(res, 200, { external: true, port: Number(port) }))
      .listen(Number(port), host);
  }
}

function startControl(): void {
  const control = http.createServer((req, res) => {
    void (async () => {
      try {
        const body = req.method === 'POST' ? await readJson(req) : {};
        if (req.url === '/behave') {
          Object.assign(behaviour, body);
          return reply(res, 200, behaviour);
        }
        if (req.url === '/seen') return reply(res, 200, seen);
        if (req.url === '/http') return reply(res, 200, await httpCalls(body as unknown as HttpCall));
        if (req.url === '/grpc') return reply(res, 200, await grpcCalls(body as unknown as GrpcCall));
        if (req.url === '/ready') return reply(res, 200, { ready: true });
        reply(res, 404, { error: `no ${req.url}` });
      } catch (e) {
        reply(res, 500, { error: (e as Error).message });
      }
    })();
  });
  rmSync(args.control!, { force: true });
  control.listen(args.control, () => undefined);
}

if (args.role === 'backend') startBackend();
if (args.external) startExternal(args.external);
startControl();
process.on('SIGTERM', () => process.exit(0));
